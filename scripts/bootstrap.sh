#!/usr/bin/env bash
# Create .venv with a Python >= 3.12 and install the project (with dev tools when "dev" is given).
# Re-running is cheap: nothing is reinstalled unless pyproject.toml changed.
set -euo pipefail
cd "$(dirname "$0")/.."

extras=""
[ "${1:-}" = "dev" ] && extras="[dev]"

if [ -x .venv/bin/python ] && ! .venv/bin/python -c 'import sys; sys.exit(sys.version_info < (3, 12))'; then
  echo "Existing .venv uses a Python older than 3.12; recreating it." >&2
  rm -rf .venv
fi
if [ ! -x .venv/bin/python ]; then
  python=$(scripts/find-python.sh)
  echo "Creating .venv with $python ($("$python" --version))" >&2
  "$python" -m venv .venv
fi

stamp=".venv/.installed${extras}"
if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ]; then
  .venv/bin/python -m pip install --quiet --upgrade pip
  .venv/bin/python -m pip install --quiet -e ".${extras}"
  touch "$stamp"
fi
