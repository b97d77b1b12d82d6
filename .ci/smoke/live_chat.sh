#!/usr/bin/env bash
# Live chat bench at a tiny size (well under a minute): 50 sockets, 10 msg/s for 5 s, one
# uvicorn on the Redis layer beside the bare websockets limit. Needs PostgreSQL and Redis:
# skipped in embedded mode.
set -euo pipefail
cd "$(dirname "$0")/../.."
if [ -z "${DATABASE_URL:-}" ] || [ -z "${REDIS_URL:-}" ]; then
  echo "live chat smoke: skipped (needs DATABASE_URL and REDIS_URL)"
  exit 0
fi
.venv/bin/python bench/live_chat.py --sockets 50 --rate 10 --duration 5 --writers 10
