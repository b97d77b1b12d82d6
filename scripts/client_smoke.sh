#!/usr/bin/env bash
# Generate a Python client from the live schema and drive the platform through it.
#
# Starts its own embedded server (SQLite in a temp dir, Celery eager) on a free port, fetches
# /api/schema/, validates it with openapi-spec-validator, generates a client with
# openapi-python-client (any generator warning fails), imports every generated module and runs
# scripts/client_smoke.py through the generated functions. A schema regression fails here.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
py="$root/.venv/bin/python"
export PATH="$root/.venv/bin:$PATH"  # the generator formats its output with the venv's ruff

workdir=$(mktemp -d -t cp-client-smoke.XXXXXX)
server=""
cleanup() {
  [ -n "$server" ] && kill "$server" 2>/dev/null || true
  rm -rf "$workdir"
}
trap cleanup EXIT

# The embedded platform, in its own files: nothing here touches the checkout's db.sqlite3.
export SQLITE_PATH="$workdir/db.sqlite3" MEDIA_ROOT="$workdir/media"
unset DATABASE_URL REDIS_URL
export THROTTLE_AUTH=100000/min THROTTLE_WRITE=100000/min THROTTLE_EVENTS=100000/min
$py manage.py migrate --no-input -v0
port=$($py -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
base="http://127.0.0.1:$port"
$py -m uvicorn config.asgi:application --host 127.0.0.1 --port "$port" --log-level warning \
  >"$workdir/server.log" 2>&1 &
server=$!
for _ in $(seq 120); do curl -fs "$base/healthz" >/dev/null 2>&1 && break; sleep 0.5; done
curl -fs "$base/healthz" >/dev/null || { echo "server did not start"; cat "$workdir/server.log"; exit 1; }

echo "--- schema from $base/api/schema/"
curl -fs "$base/api/schema/?format=json" -o "$workdir/schema.json"
openapi-spec-validator "$workdir/schema.json"

echo "--- openapi-python-client generate"
(cd "$workdir" && openapi-python-client generate --path schema.json --meta none \
  --output-path "$workdir/creator_platform_client" 2>&1) | tee "$workdir/generate.log"
if grep -qiE "warning|error|unable|skipping" "$workdir/generate.log"; then
  echo "the generator reported problems (above): some operations or models are missing"
  exit 1
fi

echo "--- smoke through the generated client"
$py scripts/client_smoke.py "$base" "$workdir" creator_platform_client \
  || { echo "--- server log"; tail -n 60 "$workdir/server.log"; exit 1; }
