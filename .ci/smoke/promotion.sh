#!/usr/bin/env bash
# Promotion: a virtual day of one ¥200 order (fails on any overspend or uneven pacing), and the
# feed with 200 active orders beside none. Its own database (PostgreSQL when DATABASE_URL is
# set, else an SQLite file); Redis counters when REDIS_URL is set, else the in-process ones.
set -euo pipefail
cd "$(dirname "$0")/../.."
workdir=$(mktemp -d)
trap 'rm -rf "$workdir"' EXIT
export MEDIA_ROOT="$workdir/media"
if [ -n "${DATABASE_URL:-}" ]; then
  export DATABASE_URL="${DATABASE_URL}_smoke_promotion"  # beside the run's own database
else
  export SQLITE_PATH="$workdir/db.sqlite3"
fi
.venv/bin/python bench/promotion.py --step-minutes 10 --orders 200 --requests 100 --viewers 5
