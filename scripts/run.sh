#!/usr/bin/env bash
# Builds and starts a development SecureBase server: the README's first command.
#
# Usage: scripts/run.sh [extra securebase-server flags]
#   e.g. scripts/run.sh --retention-days=30
# Therapist registration is open here (a development setup); pass
# --therapist-registration=token to require admin-issued tokens.
#
# From any directory; everything lives under the repository:
#   build/server/securebase-server   the server (built RelWithDebInfo, in build/)
#   data/tls/ca.{key,crt}             development CA (created once; 5 years)
#   data/tls/server.{key,crt}         server certificate for localhost, 127.0.0.1
#                                     and ::1, signed by that CA (397 days;
#                                     renewed automatically when near expiry)
#   data/db/                          the server's RocksDB (data dir: data/)
# Clients trust data/tls/ca.crt. Keys are mode 0600. The CA is for local
# development only: never deploy it or its certificates.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

build_dir=build
server_path=server/securebase-server  # relative to the build dir
tls_dir=data/tls

scripts/configure.sh

# Build only the server binary (Ninja accepts an output path as a target), not
# the test suites.
if ! ninja -C "$build_dir" -t query "$server_path" >/dev/null 2>&1; then
  echo "run.sh: the build has no $build_dir/$server_path." >&2
  echo "run.sh: the server (server/) is not part of this checkout's build yet;" \
    "scripts/test.sh builds and tests what exists." >&2
  exit 1
fi
echo "==> build $build_dir/$server_path" >&2
cmake --build "$build_dir" --parallel "$(nproc)" --target "$server_path"
if [[ ! -x "$build_dir/$server_path" ]]; then
  echo "run.sh: the build finished but $build_dir/$server_path does not exist." >&2
  exit 1
fi

# --- Development TLS: a local CA and a server certificate it signs. ---------
mkdir -p "$tls_dir"
chmod 700 data "$tls_dir"

new_key() {  # new_key <path>: an ECDSA P-256 private key, mode 0600
  (umask 077 && openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1")
}

if [[ ! -s "$tls_dir/ca.key" || ! -s "$tls_dir/ca.crt" ]] ||
  ! openssl x509 -checkend $((30 * 86400)) -noout -in "$tls_dir/ca.crt" >/dev/null; then
  echo "==> creating a development CA in $tls_dir/" >&2
  rm -f "$tls_dir/ca.key" "$tls_dir/ca.crt" "$tls_dir/server.key" "$tls_dir/server.crt"
  new_key "$tls_dir/ca.key"
  openssl req -x509 -new -key "$tls_dir/ca.key" -sha256 -days 1825 \
    -subj "/O=SecureBase development/CN=SecureBase development CA ($(hostname))" \
    -addext "basicConstraints=critical,CA:TRUE,pathlen:0" \
    -addext "keyUsage=critical,keyCertSign,cRLSign" \
    -addext "subjectKeyIdentifier=hash" \
    -out "$tls_dir/ca.crt"
fi

if [[ ! -s "$tls_dir/server.key" || ! -s "$tls_dir/server.crt" ]] ||
  ! openssl x509 -checkend $((7 * 86400)) -noout -in "$tls_dir/server.crt" >/dev/null ||
  ! openssl verify -CAfile "$tls_dir/ca.crt" "$tls_dir/server.crt" >/dev/null 2>&1; then
  echo "==> creating a server certificate for localhost in $tls_dir/" >&2
  rm -f "$tls_dir/server.key" "$tls_dir/server.crt"
  new_key "$tls_dir/server.key"
  ext="$(mktemp)"
  trap 'rm -f "$ext"' EXIT
  cat >"$ext" <<'EOF'
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = serverAuth
subjectAltName = DNS:localhost, IP:127.0.0.1, IP:::1
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
EOF
  openssl req -new -key "$tls_dir/server.key" -subj "/O=SecureBase development/CN=localhost" |
    openssl x509 -req -CA "$tls_dir/ca.crt" -CAkey "$tls_dir/ca.key" \
      -set_serial "0x$(openssl rand -hex 16)" -sha256 -days 397 \
      -extfile "$ext" -out "$tls_dir/server.crt"
  rm -f "$ext"
  trap - EXIT
fi
chmod 600 "$tls_dir/ca.key" "$tls_dir/server.key"
chmod 644 "$tls_dir/ca.crt" "$tls_dir/server.crt"

echo "==> starting securebase-server (clients trust $tls_dir/ca.crt; Ctrl-C stops it)" >&2
exec "$build_dir/$server_path" \
  --data-dir ./data \
  --listen 127.0.0.1:50051 \
  --therapist-registration=open \
  --tls-cert "$tls_dir/server.crt" \
  --tls-key "$tls_dir/server.key" \
  "$@"
