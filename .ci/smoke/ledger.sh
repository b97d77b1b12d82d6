#!/usr/bin/env bash
# Ledger bench at a tiny size: transfers between 2 and 50 wallets, then a clean reconciliation.
set -euo pipefail
cd "$(dirname "$0")/../.."
.venv/bin/python bench/ledger_transfers.py --transfers 200 --wallets 50 --processes 2
