#!/usr/bin/env bash
# Installs what is missing and configures build/ (Ninja, RelWithDebInfo, tests
# and benchmarks on): the step scripts/test.sh and scripts/run.sh share, so
# switching between the two never reconfigures or rebuilds from scratch.
# Run from the repository root (both callers cd there first).
set -euo pipefail

build_dir=build
scripts/install-deps.sh

configure_args=(
  -G Ninja
  -DCMAKE_BUILD_TYPE=RelWithDebInfo
  -DSECUREBASE_WITH_NETWORK=ON
  -DSECUREBASE_BUILD_TESTS=ON
  -DSECUREBASE_BUILD_BENCHMARKS=ON
  -DSECUREBASE_BUILD_FUZZERS=OFF
  -DSECUREBASE_SANITIZE=
)

if [[ -f "$build_dir/CMakeCache.txt" ]] &&
  ! grep -qx 'CMAKE_GENERATOR:INTERNAL=Ninja' "$build_dir/CMakeCache.txt"; then
  echo "configure.sh: $build_dir/ was configured with another CMake generator;" \
    "remove it (rm -rf $build_dir) and run again." >&2
  exit 1
fi

echo "==> configure $build_dir/" >&2
mkdir -p "$build_dir"
cmake -S . -B "$build_dir" "${configure_args[@]}" >"$build_dir/configure.log" 2>&1 || {
  cat "$build_dir/configure.log" >&2
  echo "configure.sh: configure failed (log: $build_dir/configure.log)" >&2
  exit 1
}
