#!/usr/bin/env bash
# Commerce bench at a tiny size in embedded mode (SQLite, its own throwaway file): checkout on a
# hot product sells exactly its stock, random products, link redirects, a clean reconciliation,
# and the recommender beating popularity (the script exits non-zero otherwise).
set -euo pipefail
cd "$(dirname "$0")/../.."
env -u DATABASE_URL -u REDIS_URL .venv/bin/python bench/commerce.py --orders 150 --buyers 50 \
  --processes 1 --redirects 40 --history-buyers 300 --products 60
