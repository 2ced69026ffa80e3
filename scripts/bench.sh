#!/usr/bin/env bash
# The performance figures of BENCHMARKS.md, measured in one run on this
# machine: builds in Release (build-release/), runs the load generator (the
# real server beside a bare gRPC echo server), the client sync benchmark, and
# with --soak the fault runs, then prints the targets table and writes
# bench/results.json ({"load": {...}, "client_sync": {...},
# "client_sync_pinned": {...}, "faults": {...}};
# every field is documented in BENCHMARKS.md).
#
# Usage: scripts/bench.sh [--soak] [--quick] [--no-build]
#   --soak      also: fairness, the 20-cycle crash loop, a 10-minute soak at
#               half the measured WAL-synced send rate, and honest load under
#               attack (not run in CI)
#   --quick     shorter windows and fewer idle streams (a smoke test of the
#               harness; the figures are not the recorded ones)
#   --no-build  use the binaries already in build-release/
# Environment: BUILD_DIR (default build-release), JOBS (default 2).
set -euo pipefail

cd "$(dirname "$0")/.."
build_dir="${BUILD_DIR:-build-release}"
jobs="${JOBS:-2}"
soak=0
quick=0
build=1
while (($#)); do
  case "$1" in
    --soak) soak=1 ;;
    --quick) quick=1 ;;
    --no-build) build=0 ;;
    -h | --help) sed -n '2,17p' "$0"; exit 0 ;;
    *) echo "bench.sh: unknown option $1" >&2; exit 2 ;;
  esac
  shift
done

targets=(securebase_loadgen client_sync_bench)
((soak)) && targets+=(securebase_faults)
if ((build)); then
  scripts/install-deps.sh
  echo "==> configure and build $build_dir/ (Release)" >&2
  cmake -S . -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=Release \
    -DSECUREBASE_WITH_NETWORK=ON -DSECUREBASE_BUILD_TESTS=ON \
    -DSECUREBASE_BUILD_BENCHMARKS=ON -DSECUREBASE_BUILD_FUZZERS=OFF \
    -DSECUREBASE_SANITIZE= >"$build_dir.configure.log" 2>&1 || {
    cat "$build_dir.configure.log" >&2
    exit 1
  }
  cmake --build "$build_dir" -j "$jobs" --target "${targets[@]}"
fi

out_dir="$build_dir/bench-results"
mkdir -p "$out_dir"
load_args=()
sync_args=()
if ((quick)); then
  load_args=(--seconds 2 --warmup 1 --idle-streams 1000 --storage-envelopes 2000)
  sync_args=(--messages 2000)
fi

echo "==> load generator (server vs bare gRPC echo)" >&2
"$build_dir/bench/load/securebase_loadgen" "${load_args[@]}" --json "$out_dir/load.json" >/dev/null
echo "==> client sync" >&2
"$build_dir/bench/client/client_sync_bench" "${sync_args[@]}" --json "$out_dir/client_sync.json" \
  >/dev/null
# The same with the server's threads on one core and the bench's on the
# other, so that the two do not take turns on one core (needs 2 CPUs).
echo "==> client sync, server pinned to its own core" >&2
client_sync_pinned_json=null
if (($(nproc) >= 2)); then
  "$build_dir/bench/client/client_sync_bench" "${sync_args[@]}" --pin \
    --json "$out_dir/client_sync_pinned.json" >/dev/null
  client_sync_pinned_json="$(cat "$out_dir/client_sync_pinned.json")"
fi

# A field of one of our flat JSON objects.
field() { grep -o "\"$2\": *[^,}]*" "$out_dir/$1.json" | head -1 | sed 's/.*: *//'; }

faults_json=null
if ((soak)); then
  rate=$(awk -v r="$(field load send_sync_c64_per_s)" 'BEGIN { printf "%d", r / 2 }')
  echo "==> faults: fairness, crash loop x20, 10-minute soak at $rate sends/s, attack under load" >&2
  "$build_dir/bench/faults/securebase_faults" --fairness --crash-cycles 20 \
    --soak-seconds 600 --soak-rate "$rate" --attack-load --attack-rounds 3 \
    --json "$out_dir/faults.json" >/dev/null
  faults_json="$(cat "$out_dir/faults.json")"
fi

{
  echo "{"
  echo "\"load\": $(cat "$out_dir/load.json"),"
  echo "\"client_sync\": $(cat "$out_dir/client_sync.json"),"
  echo "\"client_sync_pinned\": $client_sync_pinned_json,"
  echo "\"faults\": $faults_json"
  echo "}"
} >bench/results.json

# figure | measured | target | met
row() {
  local name="$1" value="$2" op="$3" target="$4"
  local met
  met=$(awk -v v="$value" -v t="$target" -v op="$op" \
    'BEGIN { ok = (op == "<=") ? (v <= t) : (v >= t); print (v == "" ? "n/a" : (ok ? "yes" : "NO")) }')
  printf '| %-52s | %10.3f | %s %-6s | %-3s |\n' "$name" "$value" "$op" "$target" "$met"
}
echo
echo "| figure | measured | target | met |"
echo "|---|---|---|---|"
row "server CPU per WAL-synced send / per echo RPC" "$(field load ratio_cpu_per_send_vs_echo)" "<=" 2.5
row "WAL-synced sends/s / echo QPS (concurrency 64)" "$(field load ratio_sync_sends_vs_echo_c64)" ">=" 0.5
row "sends/s with sync off / echo QPS (concurrency 64)" "$(field load ratio_nosync_sends_vs_echo_c64)" ">=" 0.8
row "p50 send -> delivery / echo p50 (concurrency 16)" "$(field load ratio_delivery_p50_vs_echo_p50_c16)" "<=" 3
row "server memory per idle subscribed stream (KiB)" \
  "$(awk -v b="$(field load idle_bytes_per_stream)" 'BEGIN { print b / 1024 }')" "<=" 32
row "disk bytes per envelope / ciphertext bytes" "$(field load ratio_disk_per_ciphertext)" "<=" 1.2
row "client sync rate / bare ratchet decrypt rate" \
  "$(field client_sync client_sync_vs_ratchet_ratio)" ">=" 0.5
if [[ "$client_sync_pinned_json" != null ]]; then
  row "the same, server and bench pinned to a core each" \
    "$(field client_sync_pinned client_sync_vs_ratchet_ratio)" ">=" 0.5
fi
echo
echo "client sync in CPU time (not stretched by other work on the machine): decrypt CPU /" \
  "client CPU $(field client_sync client_sync_vs_ratchet_cpu_ratio)," \
  "decrypt CPU / (client + server CPU) $(field client_sync client_and_server_vs_ratchet_cpu_ratio);" \
  "load average $(field client_sync load_average_before)"
echo
echo "raw figures: bench/results.json (per run: $out_dir/)"
