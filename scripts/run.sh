#!/usr/bin/env bash
# Run the platform: embedded mode unless DATABASE_URL / REDIS_URL are set, with demo data.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/bootstrap.sh
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
