#!/usr/bin/env bash
# Builds and opens SecureBase Desktop against the local development server.
#
# Usage:
#   scripts/desktop.sh [--home DIR]   the app on one vault (default ~/.securebase);
#                                     the server from scripts/run.sh must be running
#   scripts/desktop.sh --demo         starts the development server if none runs,
#                                     makes a therapist and a client on temporary
#                                     vaults, links them, and opens both windows
#   scripts/desktop.sh --screenshots  renders every main screen offscreen with the
#                                     fixed data set and copies them to docs/screenshots/
# Needs a display (X11 or Wayland) except for --screenshots.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
build_dir=build
app="$build_dir/client/desktop/securebase-desktop"
cli="$build_dir/client/cli/securebase"
server="$build_dir/server/securebase-server"

mode=app
home_args=()
while (($#)); do
  case "$1" in
    --demo) mode=demo ;;
    --screenshots) mode=screenshots ;;
    --home) home_args=(--home "$2"); shift ;;
    --home=*) home_args=(--home "${1#--home=}") ;;
    -h | --help) sed -n '2,13p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "desktop.sh: unknown option '$1' (try --help)" >&2; exit 2 ;;
  esac
  shift
done

scripts/configure.sh
if [[ "$mode" == screenshots ]]; then
  cmake --build "$build_dir" --parallel "$(nproc)" --target desktop_screenshot_test
  QT_QPA_PLATFORM=offscreen "$build_dir/tests/desktop/desktop_screenshot_test"
  mkdir -p docs/screenshots
  cp "$build_dir"/tests/desktop/screenshots/*.png docs/screenshots/
  echo "==> docs/screenshots/ updated" >&2
  exit 0
fi

cmake --build "$build_dir" --parallel "$(nproc)" \
  --target client/desktop/securebase-desktop client/cli/securebase server/securebase-server
ca=data/tls/ca.crt

if [[ "$mode" == app ]]; then
  exec "$app" "${home_args[@]}" --ca "$ca"
fi

# --- Demo: a server, two linked vaults, two windows. -------------------------
server_pid=""
demo_dir="$(mktemp -d /tmp/securebase-demo-XXXXXX)"
cleanup() {
  [[ -n "$server_pid" ]] && kill "$server_pid" 2>/dev/null || true
  rm -rf "$demo_dir"
}
trap cleanup EXIT
if ! (exec 3<>/dev/tcp/127.0.0.1/50051) 2>/dev/null; then
  echo "==> starting the development server (scripts/run.sh)" >&2
  scripts/run.sh >"$demo_dir/server.log" 2>&1 &
  server_pid=$!
  for _ in $(seq 1 100); do
    (exec 3<>/dev/tcp/127.0.0.1/50051) 2>/dev/null && break
    sleep 0.2
  done
fi
export SECUREBASE_CA="$ca"
# Demo vaults only: a fixed passphrase, passed to the apps through their
# environment (each removes it at start).
export SECUREBASE_PASSPHRASE="demo passphrase for a temporary vault"
"$cli" --home "$demo_dir/therapist" init --role therapist --name "Dr Rivera" >/dev/null
"$cli" --home "$demo_dir/therapist" availability --text "Mon-Thu 9-17; I reply within a day" >/dev/null
code="$("$cli" --home "$demo_dir/therapist" invite)"
"$cli" --home "$demo_dir/client" init --role client --name "Sam" >/dev/null
"$cli" --home "$demo_dir/client" accept "$code" >/dev/null
"$cli" --home "$demo_dir/client" send "Dr Rivera" "Hello, this is Sam." >/dev/null
"$cli" --home "$demo_dir/therapist" sync >/dev/null
echo "==> two windows: Dr Rivera (therapist) and Sam (client). Close both to end the demo." >&2
"$app" --home "$demo_dir/therapist" --ca "$ca" --title "Dr Rivera (therapist)" &
therapist_app=$!
"$app" --home "$demo_dir/client" --ca "$ca" --title "Sam (client)" &
client_app=$!
unset SECUREBASE_PASSPHRASE
wait "$therapist_app" "$client_app" || true
