"""Ledger throughput: transfers and gifts per second beside the pure-SQL limit, then reconciliation.

One run, ``--processes`` client processes (each its own connection, like ASGI or worker
processes), ``--transfers`` operations per scenario:

1. two wallets, random direction (``services.wallet_transfer``: recipient and block checks,
   wallet lookup, then ``transaction_post``);
2. ``--wallets`` wallets, random pairs (the same path), and the same pairs through the ledger
   alone (``user_wallets`` lookup + ``transaction_post``: no accounts-app checks);
3. ``--wallets`` senders gifting one host (``services.gift`` with a 30 % fee: the host's wallet
   and platform revenue are hot, sharded accounts; every gift keyed);
4. the same gifts through ``services.gift_batch`` (``--batch`` gifts per transaction);
5. the limit: psycopg, no ORM, no Django, the same SQL for one transfer (lock both accounts in
   id order, insert the transaction and two entries, update two balances, commit), for random
   pairs (interleaved with every scenario) and for every transfer crediting one row
   (the single-row design's ceiling).

Each figure is printed with its ratio to the random-pairs limit measured in the same run,
interleaved with it (``--slices`` alternations of scenario and limit, so both see the same
load: the machine is shared and its load moves by the minute), with the load average and a
reconciliation (``reconciliation_run()``: every cached balance, rows and shards, against its
entries, and the book summing to zero) after every scenario; the goals are checked at the end,
and the script exits non-zero if any reconciliation is not clean. ``--profile`` adds a cProfile
of one client process per scenario and ``ledger_profile``'s costs of one operation (statements,
client CPU, time waiting on the server, the server's own time in ``ledger_post`` and the
balance trigger).
Django runs with DEBUG off, as in production, unless ``DJANGO_DEBUG`` says otherwise.

It works in a throwaway database (``<NAME>_bench_ledger``, created and dropped here):

    DATABASE_URL=postgres://... .venv/bin/python bench/ledger_transfers.py \
        [--transfers 5000] [--wallets 1000] [--processes 4] [--batch 20] [--slices 5] [--profile]
"""

import argparse
import cProfile
import io
import multiprocessing
import os
import pstats
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
    # As in production: DEBUG keeps a log entry per query, which is not a cost of the ledger.
    # DJANGO_DEBUG=true measures with it; the key and hosts are placeholders (no HTTP here).
    if os.environ.setdefault("DJANGO_DEBUG", "false").lower() in {"false", "0", "no", "off"}:
        os.environ.setdefault("SECRET_KEY", "bench-only-" + "x" * 40)
        os.environ.setdefault("ALLOWED_HOSTS", "localhost")
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


def _seed(wallets: int) -> tuple[list, object]:
    """Users with funded wallets (provider clearing -> wallet) and one host with a hot wallet."""
    from apps.accounts.models import User
    from apps.ledger import services
    from apps.ledger.models import AccountKind, TransactionKind

    User.objects.bulk_create(
        [User(username=f"bench_ledger_{i:05d}", password="!") for i in range(wallets + 1)]
    )
    users = list(User.objects.filter(username__startswith="bench_ledger_").order_by("pk"))
    host, users = users[-1], users[:-1]
    clearing = services.system_account(AccountKind.PROVIDER_CLEARING)
    postings = [
        services.Posting(
            kind=TransactionKind.TOPUP,
            legs=[(clearing, -FUNDING_FEN), (services.user_wallet(user.pk), FUNDING_FEN)],
            description="bench funding",
        )
        for user in users
    ]
    services.transactions_post_batch(postings=postings)
    services.account_make_hot(account=services.user_wallet(host.pk))
    services.system_account(AccountKind.PLATFORM_REVENUE)
    return users, host


def _sql_limit_op(cursor, source: int, destination: int, amount: int) -> None:
    """The textbook transfer in plain SQL: what the ORM-free ceiling is measured with."""
    cursor.execute("BEGIN")
    cursor.execute(
        "SELECT id, balance FROM ledger_account WHERE id = ANY(%s) ORDER BY id FOR UPDATE",
        [sorted((source, destination))],
    )
    cursor.fetchall()
    cursor.execute(
        "INSERT INTO ledger_transaction (kind, description, created_at) "
        "VALUES ('transfer', 'bench sql', now()) RETURNING id"
    )
    tx_id = cursor.fetchone()[0]
    cursor.execute(
        "INSERT INTO ledger_entry (transaction_id, account_id, amount, balance_after, created_at) "
        "VALUES (%s, %s, %s, 0, now()), (%s, %s, %s, 0, now())",
        [tx_id, source, -amount, tx_id, destination, amount],
    )
    cursor.execute(
        "UPDATE ledger_account SET balance = balance - %s WHERE id = %s", [amount, source]
    )
    cursor.execute(
        "UPDATE ledger_account SET balance = balance + %s WHERE id = %s", [amount, destination]
    )
    cursor.execute("COMMIT")


def _worker(scenario: dict, count: int, seed: int, barrier, results) -> None:
    """One client process: its own connection, like one of many ASGI or worker processes."""
    from django.db import connection

    from apps.ledger import services
    from apps.ledger.services import Owner

    rng = random.Random(seed)
    users, host, kind = scenario["users"], scenario["host"], scenario["kind"]
    latencies: list[float] = []
    first_process = seed == scenario["seed"]
    profiler = cProfile.Profile() if scenario.get("profile") and first_process else None
    raw = None
    try:
        if kind.startswith("sql"):
            import psycopg

            settings = connection.settings_dict
            raw = psycopg.connect(
                dbname=settings["NAME"],
                user=settings["USER"],
                password=settings["PASSWORD"] or None,
                host=settings["HOST"],
                port=settings["PORT"] or 5432,
                autocommit=True,
            )
            cursor = raw.cursor()
            wallets = scenario["wallet_ids"]
        barrier.wait()
        cpu = time.process_time()
        if profiler:
            profiler.enable()
        done = 0
        while done < count:
            started = time.perf_counter()
            if kind == "transfer":
                sender, recipient = rng.sample(users, 2)
                services.wallet_transfer(
                    sender=sender, recipient_id=recipient.pk, amount=rng.randint(1, 500)
                )
                done += 1
            elif kind == "post":
                sender, recipient = rng.sample(users, 2)
                wallets = services.user_wallets(sender.pk, recipient.pk)
                amount = rng.randint(1, 500)
                services.transaction_post(
                    kind="transfer",
                    legs=[(wallets[sender.pk], -amount), (wallets[recipient.pk], amount)],
                    description="bench",
                )
                done += 1
            elif kind == "gift":
                services.gift(
                    sender=Owner.user(rng.choice(users).pk),
                    recipient=Owner.user(host.pk),
                    amount=rng.randint(1, 500),
                    fee_rate="0.3",
                    key=f"bench-{seed}-{done}",
                )
                done += 1
            elif kind == "gift_batch":
                size = min(scenario["batch"], count - done)
                services.gift_batch(
                    gifts=[
                        services.Gift(
                            Owner.user(rng.choice(users).pk),
                            Owner.user(host.pk),
                            rng.randint(1, 500),
                            "0.3",
                            f"bench-batch-{seed}-{done + i}",
                        )
                        for i in range(size)
                    ]
                )
                done += size
            elif kind == "sql_pairs":
                source, destination = rng.sample(wallets, 2)
                _sql_limit_op(cursor, source, destination, rng.randint(1, 500))
                done += 1
            elif kind == "sql_hot":
                _sql_limit_op(cursor, rng.choice(wallets), scenario["host_wallet"], 1)
                done += 1
            latencies.append(time.perf_counter() - started)
        if profiler:
            profiler.disable()
        cpu = time.process_time() - cpu
        profile_text = ""
        if profiler:
            out = io.StringIO()
            pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(18)
            profile_text = out.getvalue()
        results.put(("ok", (latencies, done, cpu, profile_text)))
    except BaseException as exc:  # reported by the parent
        results.put(("error", repr(exc)))
    finally:
        if raw is not None:
            raw.close()
        connection.close()


def _run(scenario: dict, transfers: int, processes: int, seed: int) -> dict:
    """``transfers`` operations of one scenario from ``processes`` client processes.

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
            target=_worker,
            args=(scenario, transfers // processes, seed + i * 100, barrier, results),
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
    return {
        "transfers": sum(o[1] for _, o in outcomes),
        "seconds": elapsed,
        "latencies": [t for _, o in outcomes for t in o[0]],
        "cpu": sum(o[2] for _, o in outcomes),
        "profile": "".join(o[3] for _, o in outcomes),
    }


def _figures(runs: list[dict]) -> dict:
    """The slices of one scenario (or of its limit) as one figure: operations over time."""
    done = sum(run["transfers"] for run in runs)
    seconds = sum(run["seconds"] for run in runs)
    flat = sorted(t for run in runs for t in run["latencies"])
    return {
        "transfers": done,
        "seconds": seconds,
        "per_second": done / seconds,
        "p50_ms": statistics.median(flat) * 1000,
        "p95_ms": flat[max(int(len(flat) * 0.95) - 1, 0)] * 1000,
        "cpu_ms": sum(run["cpu"] for run in runs) / done * 1000,
        "profile": "".join(run["profile"] for run in runs),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--transfers", type=int, default=5_000, help="per scenario")
    parser.add_argument("--wallets", type=int, default=1_000)
    parser.add_argument("--processes", type=int, default=4)
    parser.add_argument("--batch", type=int, default=20)
    parser.add_argument(
        "--slices", type=int, default=5, help="alternations of each scenario with the limit"
    )
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args()

    _setup_django()
    from django.db import connection

    from apps.ledger import services
    from apps.ledger.models import Entry, Transaction

    name = _create_database()
    postgres = connection.vendor == "postgresql"
    processes = args.processes if postgres else 1
    slices = max(1, min(args.slices, args.transfers // max(processes * args.batch, 1)))
    try:
        load = os.getloadavg()
        print(
            f"ledger bench on {connection.vendor} ({name}), {processes} client processes, "
            f"{os.cpu_count()} cores, load average {load[0]:.1f} {load[1]:.1f} {load[2]:.1f}"
        )
        users, host = _seed(max(args.wallets, 2))
        if postgres:
            # A fresh database has no statistics until autovacuum gets to it (late on a loaded
            # machine): without them the planner looked two wallets up by (owner_type, kind)
            # and filtered every wallet by owner_id. Production tables have statistics.
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        wallet_ids = [services.user_wallet(user.pk).pk for user in users]
        common = {"users": users, "host": host, "wallet_ids": wallet_ids, "batch": args.batch}
        common["host_wallet"] = services.user_wallet(host.pk).pk
        scenarios = [
            ("2 wallets (wallet_transfer)", "transfer", users[:2]),
            (f"{len(users)} wallets, random pairs", "transfer", users),
            (f"{len(users)} wallets, pairs, ledger only", "post", users),
            (f"{len(users)} senders gift 1 hot host", "gift", users),
            (f"same, gift_batch of {args.batch}", "gift_batch", users),
        ]
        if postgres:
            scenarios.append(("pure SQL, every transfer to 1 row", "sql_hot", users))
        limits = []
        goals: dict[str, tuple[float, float]] = {}
        unclean = 0
        for label, kind, pool in scenarios:
            # The machine is shared and its load moves by the minute: the scenario and the
            # limit run in alternating slices, so both see the same load, and the ratio is to
            # that interleaved limit. Every slice has its own seed (gift keys stay unique).
            limit_runs, runs = [], []
            for piece in range(slices):
                seed = args.seed + piece * 1_000
                if postgres:
                    limit_run = dict(common, users=users, kind="sql_pairs", seed=seed)
                    limit_runs.append(_run(limit_run, args.transfers // slices, processes, seed))
                profiled = args.profile and piece == 0
                scenario = dict(common, users=pool, kind=kind, profile=profiled, seed=seed)
                runs.append(_run(scenario, args.transfers // slices, processes, seed))
            figures = _figures(runs)
            limit = _figures(limit_runs)["per_second"] if postgres else None
            if limit:
                limits.append(limit)
            ratio = f"{figures['per_second'] / limit:5.2f} of limit {limit:5.0f}/s" if limit else ""
            # Reconciliation after every scenario: each one leaves the book exact.
            clean = services.reconciliation_run().is_clean
            unclean += not clean
            print(
                f"  {label:<36} {figures['transfers']:>6} in {figures['seconds']:6.2f} s"
                f" = {figures['per_second']:6.0f}/s {ratio}"
                f"  (p50 {figures['p50_ms']:.1f} ms, p95 {figures['p95_ms']:.1f} ms,"
                f" client CPU {figures['cpu_ms']:.2f} ms/op, load {os.getloadavg()[0]:.1f},"
                f" reconciliation {'clean' if clean else 'DIFFERENCES'})"
            )
            if kind in {"transfer", "gift"} and len(pool) > 2:
                goals[kind] = (figures["per_second"], figures["per_second"] / (limit or 1))
            if figures["profile"]:
                print(figures["profile"])
        if limits:
            print(
                "  limit (pure SQL, random pairs, psycopg, no ORM) interleaved with each scenario: "
                + ", ".join(f"{limit:.0f}" for limit in limits)
                + "/s"
            )
        if postgres and goals:
            pairs, pairs_ratio = goals["transfer"]
            gifts, _ = goals["gift"]

            def verdict(ok: bool) -> str:
                return "met" if ok else "missed"

            print(
                f"  goals: random pairs >= 1,000/s: {pairs:.0f}/s ({verdict(pairs >= 1_000)}),"
                f" >= 0.45 of the limit: {pairs_ratio:.2f} ({verdict(pairs_ratio >= 0.45)});"
                f" one hot host >= 1,000 gifts/s: {gifts:.0f}/s ({verdict(gifts >= 1_000)})"
            )
        if args.profile:
            from bench.ledger_profile import profile_operations

            profile_operations(users, host, wallet_ids, _sql_limit_op, count=300)
        load = os.getloadavg()
        print(f"  load average after: {load[0]:.1f} {load[1]:.1f} {load[2]:.1f}")
        started = time.perf_counter()
        report = services.reconciliation_run()
        took = time.perf_counter() - started
        print(
            f"  reconciliation: {report.accounts_checked} accounts, "
            f"{Transaction.objects.count()} transactions, {Entry.objects.count()} entries "
            f"in {took:.2f} s: {'clean' if report.is_clean else 'DIFFERENCES'} "
            f"(ledger total {report.ledger_total})"
        )
        return 0 if report.is_clean and not unclean else 1
    finally:
        connection.close()
        connection.creation.destroy_test_db(name, verbosity=0)


if __name__ == "__main__":
    sys.exit(main())
