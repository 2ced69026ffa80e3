#!/usr/bin/env bash
# Model-checks the delivery protocol (model/delivery/delivery.pml) with Spin.
#
#  1. The fixed protocol, exhaustively, within the bounds in README.md: every
#     claim must hold and the search must be complete (not cut by the depth
#     bound or the memory limit).
#  2. Each known bug (BUG_* switches of delivery.pml), which must FAIL on the
#     claim named in `bugs` below: the model keeps its teeth. The
#     counterexample is printed as the trail's events ("@ ..." lines).
#  3. With --liveness only (about 75 s of CPU more): no cycle in any fault
#     configuration, so every execution ends, and (1) says every end is valid.
# Exits 0 if all hold, 1 otherwise, 77 if spin or a C compiler is missing and
# --skip-if-missing was given (CTest counts that as skipped).
#
# Usage: model/delivery/run.sh [--jobs N] [--shortest] [--liveness] [--keep DIR] [--skip-if-missing]
#   --jobs N      pan runs at once (default: cores); the exhaustive run is one
#   --shortest    shorten each counterexample (pan -i; slower)
#   --liveness    also search every fault configuration for cycles (pan -l)
#   --keep DIR    leave the work files (pan, trails, logs) in DIR
# Environment: MODEL_MEMLIM (MB, default 3072): pan's memory limit.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
model="$here/delivery.pml"
jobs="$(nproc 2>/dev/null || echo 1)"
shortest=0
liveness=0
keep=""
skip_code=1
while (($# > 0)); do
  case "$1" in
    --jobs) jobs="$2"; shift 2 ;;
    --shortest) shortest=1; shift ;;
    --liveness) liveness=1; shift ;;
    --keep) keep="$2"; shift 2 ;;
    --skip-if-missing) skip_code=77; shift ;;
    -h | --help) sed -n '2,20p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "run.sh: unknown option '$1' (try --help)" >&2; exit 2 ;;
  esac
done
memlim="${MODEL_MEMLIM:-3072}"

cc="${CC:-cc}"
for tool in spin "$cc"; do
  if ! command -v "$tool" >/dev/null 2>&1; then
    echo "model/delivery: '$tool' not found (Debian: apt-get install spin gcc;" \
      "scripts/install-deps.sh installs it)" >&2
    exit "$skip_code"
  fi
done

if [[ -n "$keep" ]]; then
  work="$keep"
  mkdir -p "$work"
else
  work="$(mktemp -d)"
  trap 'rm -rf "$work"' EXIT
fi

# The fixed protocol: every fault configuration of delivery.pml's init.
check_defines=()
# Bug switch | fault configuration (MODE) that finds it | the claim it must break
bugs=(
  "BUG_HIGH_WATER_ACK 2 C3"
  "BUG_FETCH_HIGH_WATER 2 C3"
  "BUG_GIVEN_AT_WRITE_START 2 C3"
  "BUG_REPLY_BEFORE_COMMIT 1 C1"
  "BUG_NO_IDEMPOTENCY 1 C2"
  "BUG_ACK_BEFORE_COMMIT 1 C1"
  "BUG_UNORDERED_COMMIT 1 C4"
)

# verify <name> <cflags> <pan flags> <spin defines...>: spin -a, cc, pan in
# $work/<name>/; pan's output in $work/<name>/pan.out.
verify() {
  local name=$1 cflags=$2 panflags=$3
  shift 3
  local dir="$work/$name"
  rm -rf "$dir"
  mkdir -p "$dir"
  cp "$model" "$dir/"
  (
    cd "$dir"
    spin -a "$@" delivery.pml >spin.out 2>&1 || { cat spin.out; exit 1; }
    # shellcheck disable=SC2086 # flag lists
    "$cc" $cflags -DMEMLIM="$memlim" -w -o pan pan.c >cc.out 2>&1 || { cat cc.out; exit 1; }
    local start=$SECONDS
    # shellcheck disable=SC2086
    ./pan $panflags >pan.out 2>&1 || true
    echo "$((SECONDS - start))" >pan.seconds
  )
}

# stat <pan.out> <pattern>: the number in front of (or after) a pan statistic.
stat_of() { grep -Eo "$2" "$1" | head -n1 | grep -Eo '[0-9][0-9.e+]*' | head -n1 || echo '?'; }

summary() {  # summary <pan.out>
  local out=$1
  printf 'state vector %s bytes, %s states stored, %s transitions, depth %s, %s MB, %s s' \
    "$(stat_of "$out" 'State-vector [0-9]+')" \
    "$(stat_of "$out" '[0-9.e+]+ states, stored')" \
    "$(stat_of "$out" '[0-9.e+]+ transitions')" \
    "$(stat_of "$out" 'depth reached [0-9]+')" \
    "$(stat_of "$out" '[0-9.]+\s+total actual memory usage')" \
    "$(stat_of "$out" 'elapsed time [0-9.e+]+')"
}

incomplete() {  # the search was cut short: its "no error" proves nothing
  grep -Eq 'max search depth too small|Search not completed|out of memory|insufficient memory|memory limit' "$1"
}

# The claim tag (C1..C4, END, MODEL) on the source line of the first error.
violated_claim() {  # violated_claim <dir> <defines...>
  local dir=$1
  shift
  local line
  line="$(cd "$dir" && spin -t "$@" delivery.pml 2>&1 |
    grep -Eo 'delivery\.pml:[0-9]+, Error: assertion violated' | head -n1 | grep -Eo ':[0-9]+' | tr -d ':')" || true
  if [[ -z "$line" ]]; then
    if grep -q 'invalid end state' "$dir/pan.out"; then echo "deadlock"; else echo "?"; fi
    return
  fi
  sed -n "${line}p" "$dir/delivery.pml" | grep -Eo '/\* (C[1-4]|END|MODEL)' | grep -Eo '[A-Z0-9]+$' || echo "?"
}

# trail_events <dir> <last N events, 0: all> <defines...>: the counterexample
# as its "@" events (delivery.pml's printf lines) up to the first violation.
trail_events() {
  local dir=$1 last=$2 events
  shift 2
  events="$( (cd "$dir" && spin -t "$@" delivery.pml 2>&1) |
    grep -E '^ *@|Error: assertion violated|text of failed assertion|invalid end state' |
    sed -E 's/^ *@ /     /; s/^spin: /     !! /' |
    awk '{ print } /!! text of failed assertion/ { exit }')"
  local n
  n="$(grep -c . <<<"$events")"
  if ((last > 0 && n > last)); then
    echo "     ($((n - last)) earlier events; all of them: run.sh --keep DIR, then spin -t -p in DIR/<variant>)"
    tail -n "$last" <<<"$events"
  else
    echo "$events"
  fi
}

echo "== model/delivery: $(spin -V | head -n1); $(grep -Eo '^#define (NMSG|PAGE|SERVER_CRASHES|CLIENT_CRASHES|STRAYS) [0-9]+' "$model" | awk '{printf "%s=%s ", $2, $3}')"
start_all=$SECONDS
status=0

# The exhaustive run in the background; the bug variants beside it.
verify check "-O2 -DSAFETY -DCOLLAPSE" "-m10000 -w24" "${check_defines[@]}" &
check_pid=$!
if ((jobs < 2)); then wait "$check_pid" || status=1; fi

bug_panflags="-m10000 -w22"
bug_cflags="-O0 -DSAFETY"
if ((shortest)); then
  bug_panflags="-m300 -w22 -i"
  bug_cflags="-O0 -DSAFETY -DREACH"
fi
for entry in "${bugs[@]}"; do
  read -r bug mode _ <<<"$entry"
  verify "$bug" "$bug_cflags" "$bug_panflags" "-D$bug" "-DMODE=$mode" || status=1
done
if ((jobs >= 2)); then wait "$check_pid" || status=1; fi

# Cycles: without progress labels every cycle is a non-progress cycle, and the
# model has none, so every execution is finite.
if ((liveness)); then
  for mode in 1 2 3; do
    verify "cycles-$mode" "-O2 -DNP -DCOLLAPSE" "-l -m10000 -w24" "-DMODE=$mode" &
    if ((jobs < 2)); then wait $! || status=1; fi
  done
  wait || status=1
fi

out="$work/check/pan.out"
if [[ ! -f "$out" ]]; then
  echo "-- check: pan did not run"
  status=1
elif grep -q 'errors: 0' "$out" && ! incomplete "$out"; then
  echo "-- check (fixed protocol, every fault configuration): every claim holds"
  echo "   $(summary "$out")"
else
  status=1
  echo "-- check (fixed protocol): FAILED ($(violated_claim "$work/check" "${check_defines[@]}"))"
  echo "   $(summary "$out")"
  incomplete "$out" && echo "   the search was not complete:" && grep -E 'depth too small|not completed|memory' "$out" | sed 's/^/   /'
  trail_events "$work/check" 0 "${check_defines[@]}"
fi

if ((liveness)); then
  for mode in 1 2 3; do
    out="$work/cycles-$mode/pan.out"
    if [[ ! -f "$out" ]]; then
      status=1
      echo "-- cycles, fault configuration $mode: pan did not run"
    elif grep -q 'errors: 0' "$out" && ! incomplete "$out"; then
      echo "-- cycles, fault configuration $mode: none, every execution ends"
      echo "   $(summary "$out")"
    else
      status=1
      echo "-- cycles, fault configuration $mode: FAILED (a cycle, or an incomplete search)"
      echo "   $(summary "$out")"
      trail_events "$work/cycles-$mode" 0 "-DMODE=$mode"
    fi
  done
fi

for entry in "${bugs[@]}"; do
  read -r bug mode claim <<<"$entry"
  out="$work/$bug/pan.out"
  if [[ -f "$out" ]] && grep -Eq 'errors: [1-9]' "$out"; then
    got="$(violated_claim "$work/$bug" "-D$bug" "-DMODE=$mode")"
    if [[ "$got" == "$claim" ]]; then
      echo "-- $bug: fails $claim, as it must ($(stat_of "$out" '[0-9.e+]+ states, stored') states); counterexample:"
    else
      status=1
      echo "-- $bug: fails $got, but it must fail $claim; counterexample:"
    fi
    # The finding-11 variant in full; the others' last steps.
    if [[ "$bug" == BUG_HIGH_WATER_ACK ]]; then shown=0; else shown=12; fi
    trail_events "$work/$bug" "$shown" "-D$bug" "-DMODE=$mode"
  else
    status=1
    echo "-- $bug: NOT caught: the model lost its teeth for $claim"
    [[ -f "$out" ]] && echo "   $(summary "$out")"
  fi
done

if ((status == 0)); then
  cycles=""
  ((liveness)) && cycles=", no cycles"
  echo "model/delivery: ok: claims hold${cycles}, ${#bugs[@]} of ${#bugs[@]} bugs caught ($((SECONDS - start_all)) s)"
else
  echo "model/delivery: FAILED ($((SECONDS - start_all)) s)"
fi
exit "$status"
