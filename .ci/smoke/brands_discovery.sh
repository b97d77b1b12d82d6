#!/usr/bin/env bash
# Brands discovery smoke on PostgreSQL, in a database of its own: the benchmark at a tiny size
# (3,000 creator profiles). It fails if an endpoint errors, if a page's query count changes with
# the page size (or the data card's with the creator's history), or if a p95 passes a floor far
# above the goal (50 ms discovery, 80 ms card on a quiet machine; CI machines are shared).
set -euo pipefail
cd "$(dirname "$0")/../.."
py=.venv/bin/python
: "${DATABASE_URL:?the brands discovery smoke runs on PostgreSQL: set DATABASE_URL}"
# Drops (and with "create", recreates) the smoke database; prints its URL.
smoke_db() {
  $py - "$1" <<'PY'
import os
import sys
from urllib.parse import urlsplit, urlunsplit

import psycopg

url = urlsplit(os.environ["DATABASE_URL"])
name = url.path.lstrip("/") + "_smoke_brands_discovery"  # beside the run's own database
with psycopg.connect(urlunsplit(url._replace(path="/postgres")), autocommit=True) as conn:
    conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
    if sys.argv[1] == "create":
        conn.execute(f"CREATE DATABASE {name}")
print(urlunsplit(url._replace(path=f"/{name}")))
PY
}
smoke_url=$(smoke_db create)
trap 'smoke_db drop >/dev/null' EXIT
export DATABASE_URL="$smoke_url" CACHE_KEY_PREFIX="cp-smoke-brands-discovery-$$"
$py manage.py migrate --no-input -v0
$py bench/brands_discovery.py --creators 3000 --requests 30 --max-p95-ms 400
