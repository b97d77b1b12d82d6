#!/usr/bin/env bash
# Notes: the discovery-feed benchmark at a small size, with event ingestion beside it.
# Its own database (PostgreSQL when DATABASE_URL is set, else an SQLite file) and media folder.
set -euo pipefail
cd "$(dirname "$0")/../.."
workdir=$(mktemp -d)
trap 'rm -rf "$workdir"' EXIT
export MEDIA_ROOT="$workdir/media"
if [ -n "${DATABASE_URL:-}" ]; then
  export DATABASE_URL="${DATABASE_URL}_smoke_notes"  # beside the run's own database
else
  export SQLITE_PATH="$workdir/db.sqlite3"
fi
.venv/bin/python bench/feed_and_events.py --users 300 --notes 1500 --requests 300 --events 20000
