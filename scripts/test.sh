#!/usr/bin/env bash
# Run the test suite against PostgreSQL and Redis (the machine's own, unless overridden).
# Runs on TEST_WORKERS xdist workers (default 2, one test database each); TEST_WORKERS=0, or
# "-n 0" in the arguments, runs serially. pyproject's addopts add the per-test timeout and the
# ten slowest tests.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/bootstrap.sh dev
# Without DATABASE_URL the name carries a hash of this checkout's path, so two checkouts on one
# machine never share (and drop) each other's test_… database.
checkout_id=$(pwd -P | cksum | cut -d' ' -f1)
export DATABASE_URL="${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/creator_platform_$checkout_id}"
export REDIS_URL="${REDIS_URL:-redis://127.0.0.1:6379/0}"
# Keys of concurrent runs on one Redis must not collide (tests/conftest.py adds the worker).
export CACHE_KEY_PREFIX="${CACHE_KEY_PREFIX:-cp-test-$$}"
workers=("-n" "${TEST_WORKERS:-2}" "--dist" "worksteal")
# Without the xdist plugin there is no -n option to give.
[[ " $* " == *" no:xdist "* || " $* " == *" -pno:xdist "* ]] && workers=()
exec .venv/bin/pytest "${workers[@]}" "$@"
