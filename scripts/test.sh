#!/usr/bin/env bash
# Builds SecureBase and runs the whole test suite: the README's test command.
#
# Usage: scripts/test.sh [extra ctest arguments]
#   scripts/test.sh                 everything
#   scripts/test.sh -L crypto       only tests labelled crypto
#   scripts/test.sh -R Session      only tests whose name matches
#
# From any directory. Installs missing Debian packages, configures build/
# (Ninja, RelWithDebInfo), builds with one job per core, runs CTest, and exits
# non-zero on any failure. A second run only rebuilds what changed.
#
# Benchmarks are built (not run) so they keep compiling: they are a few small
# files, so this costs seconds on the first build and nothing afterwards.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

build_dir=build
jobs="$(nproc)"
# Seconds one test may take before CTest kills it and counts it as failed.
test_timeout="${SECUREBASE_TEST_TIMEOUT:-300}"

scripts/install-deps.sh

# build/ is shared with scripts/run.sh: keep these options identical there, so
# switching between the two never reconfigures or rebuilds from scratch.
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
  echo "test.sh: $build_dir/ was configured with another CMake generator;" \
    "remove it (rm -rf $build_dir) and run again." >&2
  exit 1
fi

echo "==> configure $build_dir/"
mkdir -p "$build_dir"
cmake -S . -B "$build_dir" "${configure_args[@]}" >"$build_dir/configure.log" 2>&1 || {
  cat "$build_dir/configure.log" >&2
  echo "test.sh: configure failed (log: $build_dir/configure.log)" >&2
  exit 1
}

echo "==> build ($jobs jobs)"
cmake --build "$build_dir" --parallel "$jobs"

echo "==> test"
ctest --test-dir "$build_dir" --output-on-failure --no-tests=error \
  --parallel "$jobs" --timeout "$test_timeout" "$@"
