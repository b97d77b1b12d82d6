#!/usr/bin/env bash
# Run the platform: embedded mode unless DATABASE_URL / REDIS_URL are set, with demo data.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/bootstrap.sh
# The demo community has 300 users, so no creator reaches the production gate of 5,000 fans:
# here creators with 30 fans are listed to brands (set BRANDS_MIN_FANS to change it).
export BRANDS_MIN_FANS="${BRANDS_MIN_FANS:-30}"
.venv/bin/python manage.py migrate --no-input
.venv/bin/python manage.py seed_demo
host="${HOST:-127.0.0.1}"
port="${PORT:-8000}"
cat <<MSG

Creator Platform is starting on http://$host:$port/
  API docs:  http://$host:$port/api/docs/
  Admin:     http://$host:$port/admin/   (admin / ${SEED_DEMO_PASSWORD:-demo-pass-2026})
  Demo user: demo / ${SEED_DEMO_PASSWORD:-demo-pass-2026}
MSG
exec .venv/bin/python manage.py runserver "$host:$port"
