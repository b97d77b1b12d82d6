"""Ledger throughput: wallet-to-wallet transfers per second, then a reconciliation.

Runs the real posting path (``services.wallet_transfer``: user and block checks, account row
locks in pk order, insufficient-funds check, transaction + two entries + two balance updates,
the deferred balance trigger at commit) in three scenarios:

1. two wallets, one process: the floor cost of one transfer;
2. two wallets, ``--processes`` client processes: every transfer queues on the same two row
   locks;
3. ``--wallets`` wallets, ``--processes`` client processes, random pairs: contention is rare.

Then ``reconciliation_run()`` checks every cached balance against its entries and that the book
sums to zero; the script exits non-zero if it does not.

It works in a throwaway database (``<NAME>_bench_ledger``, created and dropped here), so it never
touches real data:

    DATABASE_URL=postgres://... .venv/bin/python bench/ledger_transfers.py \
        [--transfers 5000] [--wallets 1000] [--processes 4]
"""

import argparse
import multiprocessing
import os
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

FUNDING_FEN = 10_000_000  # 100,000 yuan per wallet: no bench transfer is refused for funds


def _setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()


def _create_database() -> str:
    from django.db import connection

    connection.settings_dict.setdefault("TEST", {})
    base = connection.settings_dict["NAME"]
    if connection.vendor == "postgresql":
        connection.settings_dict["TEST"]["NAME"] = f"{base}_bench_ledger"
    else:
        connection.settings_dict["TEST"]["NAME"] = "/tmp/cp_bench_ledger.sqlite3"
    return connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)


def _seed(wallets: int) -> list:
    """Users with funded wallets, funded by sandbox-style top-ups (provider clearing -> wallet)."""
    from apps.accounts.models import User
    from apps.ledger import services
    from apps.ledger.models import AccountKind, TransactionKind

    User.objects.bulk_create(
        [User(username=f"bench_ledger_{i:05d}", password="!") for i in range(wallets)]
    )
    users = list(User.objects.filter(username__startswith="bench_ledger_").order_by("pk"))
    clearing = services.system_account(AccountKind.PROVIDER_CLEARING)
    for user in users:
        services.transaction_post(
            kind=TransactionKind.TOPUP,
            legs=[(clearing, -FUNDING_FEN), (services.user_wallet(user.pk), FUNDING_FEN)],
            description="bench funding",
        )
    return users


def _worker(users: list, count: int, seed: int, barrier, results) -> None:
    """One client process: its own connection, like one of many ASGI or worker processes."""
    from django.db import connection

    from apps.ledger import services

    rng = random.Random(seed)
    latencies = []
    try:
        barrier.wait()
        for _ in range(count):
            sender, recipient = rng.sample(users, 2)
            started = time.perf_counter()
            services.wallet_transfer(
                sender=sender, recipient_id=recipient.pk, amount=rng.randint(1, 500)
            )
            latencies.append(time.perf_counter() - started)
        results.put(("ok", latencies))
    except BaseException as exc:  # reported by the parent
        results.put(("error", repr(exc)))
    finally:
        connection.close()


def _run(users: list, transfers: int, processes: int, seed: int) -> dict:
    """``transfers`` random transfers among ``users`` from ``processes`` client processes.

    Processes, not threads: a thread holding a row lock would also wait for the GIL, which
    production's separate processes never do.
    """
    from django.db import connections

    connections.close_all()  # children must not share the parent's socket
    context = multiprocessing.get_context("fork")
    barrier = context.Barrier(processes + 1)
    results = context.Queue()
    pool = [
        context.Process(
            target=_worker, args=(users, transfers // processes, seed + i, barrier, results)
        )
        for i in range(processes)
    ]
    for process in pool:
        process.start()
    barrier.wait()
    started = time.perf_counter()
    outcomes = [results.get() for _ in pool]
    elapsed = time.perf_counter() - started
    for process in pool:
        process.join()
    errors = [detail for status, detail in outcomes if status == "error"]
    if errors:
        raise RuntimeError(errors[0])
    flat = sorted(t for _, latencies in outcomes for t in latencies)
    return {
        "transfers": len(flat),
        "seconds": elapsed,
        "per_second": len(flat) / elapsed,
        "p50_ms": statistics.median(flat) * 1000,
        "p95_ms": flat[int(len(flat) * 0.95) - 1] * 1000,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--transfers", type=int, default=5_000, help="per scenario")
    parser.add_argument("--wallets", type=int, default=1_000)
    parser.add_argument("--processes", type=int, default=4)
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args()

    _setup_django()
    from django.db import connection

    from apps.ledger import services
    from apps.ledger.models import Entry, Transaction

    name = _create_database()
    processes = args.processes if connection.vendor == "postgresql" else 1
    try:
        print(f"ledger bench on {connection.vendor} ({name}), {processes} client processes")
        users = _seed(max(args.wallets, 2))
        scenarios = [
            ("2 wallets, 1 process", users[:2], 1),
            (f"2 wallets, {processes} processes", users[:2], processes),
            (f"{len(users)} wallets, {processes} processes", users, processes),
        ]
        for label, pool, count in scenarios:
            figures = _run(pool, args.transfers, count, args.seed)
            print(
                f"  {label:<24} {figures['transfers']:>7} transfers in {figures['seconds']:6.2f} s"
                f" = {figures['per_second']:7.0f} transfers/s"
                f"  (p50 {figures['p50_ms']:.1f} ms, p95 {figures['p95_ms']:.1f} ms)"
            )
        started = time.perf_counter()
        report = services.reconciliation_run()
        took = time.perf_counter() - started
        print(
            f"  reconciliation: {report.accounts_checked} accounts, "
            f"{Transaction.objects.count()} transactions, {Entry.objects.count()} entries "
            f"in {took:.2f} s: {'clean' if report.is_clean else 'DIFFERENCES'} "
            f"(ledger total {report.ledger_total})"
        )
        return 0 if report.is_clean else 1
    finally:
        connection.creation.destroy_test_db(name, verbosity=0)


if __name__ == "__main__":
    sys.exit(main())
