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

scripts/configure.sh

echo "==> build ($jobs jobs)"
cmake --build "$build_dir" --parallel "$jobs"

echo "==> test"
ctest --test-dir "$build_dir" --output-on-failure --no-tests=error \
  --parallel "$jobs" --timeout "$test_timeout" "$@"
