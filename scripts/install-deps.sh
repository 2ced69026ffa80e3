#!/usr/bin/env bash
# Installs the Debian 12 packages SecureBase needs, and only those that are
# missing. Quiet and fast (one dpkg-query call) when everything is present;
# otherwise one `apt-get update` and one `apt-get install`.
#
# Usage: scripts/install-deps.sh [--fuzz|--sanitize|--clang] [--format] [--all]
#   (no option)  compiler, CMake/Ninja, gRPC, protobuf, libsodium, RocksDB,
#                GoogleTest, Google Benchmark, OpenSSL (dev TLS certificates;
#                the tests' raw HTTP/2 attacker), zlib, nginx-light (the
#                production front door, started by the nginx tests),
#                Spin (the delivery protocol's model, model/delivery/),
#                PyNaCl (the crypto vectors' independent Python reference check),
#                Qt 6 and libqrencode (desktop app), Xvfb
#   --fuzz       also clang-14 and its runtime libraries (libFuzzer,
#   --sanitize   AddressSanitizer, UBSan, ThreadSanitizer); the three
#   --clang      options are synonyms
#   --format     also clang-format-14 (the checked-in .clang-format)
#   --all        everything above (what .ci/run needs)
# Runs as root, or through sudo when available.
set -euo pipefail

base_packages=(
  g++ cmake ninja-build pkg-config
  libsodium-dev
  libgrpc++-dev protobuf-compiler-grpc libprotobuf-dev protobuf-compiler
  librocksdb-dev
  libgtest-dev libbenchmark-dev
  openssl libssl-dev zlib1g-dev
  nginx-light
  spin
  python3-nacl
  # The desktop app (client/desktop): Qt 6.4 Quick, Controls, Charts, QR codes;
  # Xvfb for real-window checks.
  qt6-base-dev qt6-declarative-dev qt6-charts-dev qml6-module-qtcharts
  qml6-module-qtquick-controls qml6-module-qtquick-layouts qml6-module-qtquick-window
  qml6-module-qtquick-templates qml6-module-qtqml-workerscript qml6-module-qttest
  libqrencode-dev xvfb xauth
)
clang_packages=(clang-14 libclang-rt-14-dev)
format_packages=(clang-format-14)

wanted=("${base_packages[@]}")
for arg in "$@"; do
  case "$arg" in
    --fuzz | --sanitize | --clang) wanted+=("${clang_packages[@]}") ;;
    --format) wanted+=("${format_packages[@]}") ;;
    --all) wanted+=("${clang_packages[@]}" "${format_packages[@]}") ;;
    -h | --help)
      awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "${BASH_SOURCE[0]}"
      exit 0
      ;;
    *)
      echo "install-deps.sh: unknown option '$arg' (try --help)" >&2
      exit 2
      ;;
  esac
done

# One query for all packages; names dpkg has never heard of simply print nothing.
installed="$(dpkg-query -W -f='${Package} ${db:Status-Abbrev}\n' "${wanted[@]}" 2>/dev/null |
  awk '$2 == "ii" { print $1 }' || true)"

missing=()
for pkg in "${wanted[@]}"; do
  if grep -qxF -- "$pkg" <<<"$installed"; then continue; fi
  # pkgconf provides pkg-config; installing pkg-config over it would replace it.
  if [[ "$pkg" == pkg-config ]] && command -v pkg-config >/dev/null 2>&1; then continue; fi
  # Any nginx build will do for the tests; nginx-light would replace another.
  if [[ "$pkg" == nginx-light && -x /usr/sbin/nginx ]]; then continue; fi
  missing+=("$pkg")
done

((${#missing[@]} == 0)) && exit 0

echo "install-deps.sh: installing ${missing[*]}" >&2
sudo=()
if ((EUID != 0)); then
  if command -v sudo >/dev/null 2>&1; then
    sudo=(sudo)
  else
    echo "install-deps.sh: need root (or sudo) to install: ${missing[*]}" >&2
    exit 1
  fi
fi
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update -qq
"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive \
  apt-get install -y -qq --no-install-recommends "${missing[@]}" </dev/null

# Debian starts the nginx it installs, serving its default site on port 80.
# The tests run nginx themselves; leave no system service running that was
# not there before.
if [[ " ${missing[*]} " == *" nginx-light "* && -d /run/systemd/system ]]; then
  "${sudo[@]}" systemctl disable --now nginx.service >/dev/null 2>&1 || true
  echo "install-deps.sh: nginx-light installed for the tests; its system service is disabled" >&2
fi
