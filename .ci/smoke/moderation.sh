#!/usr/bin/env bash
# Keyword screening benchmark at small sizes: the automaton and one regex alternation must find
# identical hits, and the automaton must stay clearly ahead. Embedded mode (temporary SQLite).
set -euo pipefail
cd "$(dirname "$0")/../.."
env -u DATABASE_URL -u REDIS_URL .venv/bin/python bench/moderation_screening.py \
  --texts 20000 --rules 2000 --regex-sample 1000 --compare-sample 2000 --min-speedup 3
