#!/usr/bin/env bash
# Runs a test program in a real X session on a virtual screen (Xvfb), with
# Qt's xcb platform: the real-window check of the desktop app.
# Exits 77 (CTest: skipped) with a clear message when Xvfb is not installed.
set -euo pipefail
if ! command -v xvfb-run >/dev/null 2>&1; then
  echo "SKIPPED: xvfb-run (Debian package xvfb) is not installed, so the real-window" \
    "check cannot run; scripts/install-deps.sh installs it." >&2
  exit 77
fi
exec xvfb-run --auto-servernum --server-args="-screen 0 1280x800x24 -nolisten tcp" \
  env QT_QPA_PLATFORM=xcb "$@"
