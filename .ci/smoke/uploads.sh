#!/usr/bin/env bash
# Uploads: peak server memory for the worst allowed image (small pixel cap for speed) and the time
# to refuse a decompression bomb. Embedded mode with its own SQLite file and media folder (the
# bench makes both in a temp dir); fails when a peak reaches 300 MB.
set -euo pipefail
cd "$(dirname "$0")/../.."
env -u DATABASE_URL -u REDIS_URL .venv/bin/python bench/uploads.py --pixels 4000000 \
  --avatar-side 1024 --max-peak-mb 300
