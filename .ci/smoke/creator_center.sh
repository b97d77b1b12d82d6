#!/usr/bin/env bash
# Creator-center smoke on PostgreSQL, in a database of its own: the benchmark at a tiny size
# (a small seeded stream, a creator with a few thousand fans, 40 days of rollups). It fails if
# an endpoint errors, if an endpoint's p95 passes a floor far above the goal, or if the per-note
# rollup step costs several times the hand-written GROUP BY written server-side like it, on the
# first roll or on the re-roll (a row-by-row regression would); both ratios are printed.
set -euo pipefail
cd "$(dirname "$0")/../.."
py=.venv/bin/python
: "${DATABASE_URL:?the creator-center smoke runs on PostgreSQL: set DATABASE_URL}"
# Drops (and with "create", recreates) the smoke database; prints its URL.
smoke_db() {
  $py - "$1" <<'PY'
import os
import sys
from urllib.parse import urlsplit, urlunsplit

import psycopg

url = urlsplit(os.environ["DATABASE_URL"])
name = "cp_smoke_creators"
with psycopg.connect(urlunsplit(url._replace(path="/postgres")), autocommit=True) as conn:
    conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
    if sys.argv[1] == "create":
        conn.execute(f"CREATE DATABASE {name}")
print(urlunsplit(url._replace(path=f"/{name}")))
PY
}
smoke_url=$(smoke_db create)
trap 'smoke_db drop >/dev/null' EXIT
export DATABASE_URL="$smoke_url" CACHE_KEY_PREFIX="cp-smoke-creators-$$"
$py manage.py migrate --no-input -v0
$py bench/creator_center.py --users 300 --events 30000 --fans 3000 --history-days 40 \
  --backfill-days 7 --requests 30 --max-p95-ms 250 --max-ratio 5
