#!/usr/bin/env bash
# Programs bench at a tiny size: the agency dashboard and the nightly eligibility job.
set -euo pipefail
cd "$(dirname "$0")/../.."
.venv/bin/python bench/programs.py --creators 2000 --signed 50 --requests 20 \
    --max-p95-ms 2000 --max-job-seconds 60
