#!/usr/bin/env bash
# Analytics smoke on PostgreSQL, in a database of its own: seed_demo writes a small event stream
# with COPY, then the ingestion benchmark posts batches of 500 through POST /api/v1/events and
# must clear a floor far below its goal (a per-event query would fall through it).
set -euo pipefail
cd "$(dirname "$0")/../.."
py=.venv/bin/python
: "${DATABASE_URL:?the analytics smoke runs on PostgreSQL: set DATABASE_URL}"
# Drops (and with "create", recreates) the smoke database; prints its URL.
smoke_db() {
  $py - "$1" <<'PY'
import os
import sys
from urllib.parse import urlsplit, urlunsplit

import psycopg

url = urlsplit(os.environ["DATABASE_URL"])
name = url.path.lstrip("/") + "_smoke_analytics"  # beside the run's own database
with psycopg.connect(urlunsplit(url._replace(path="/postgres")), autocommit=True) as conn:
    conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
    if sys.argv[1] == "create":
        conn.execute(f"CREATE DATABASE {name}")
print(urlunsplit(url._replace(path=f"/{name}")))
PY
}
smoke_url=$(smoke_db create)
trap 'smoke_db drop >/dev/null' EXIT
export DATABASE_URL="$smoke_url" CACHE_KEY_PREFIX="cp-smoke-analytics-$$"
$py manage.py migrate --no-input -v0
$py manage.py seed_demo --users 300 --events 100000 --quiet
$py bench/events_ingest.py --events 20000 --min-rate 5000
