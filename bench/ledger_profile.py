"""Where the time of one posting goes: statements, client CPU, time waiting on PostgreSQL.

Used by ``ledger_transfers.py --profile``: one process, operations one after another (no
contention), so the figures are costs, not throughput. For each operation it prints the
statements one call sends, then over ``count`` calls: round trips, client CPU (the process's
CPU time: Django, psycopg, the service's Python), the wall time spent inside ``execute`` (the
server's work, the commit's WAL flush and the loopback round trip) and the rest of the wall
time. On PostgreSQL it also reads the server's own accounting of ``ledger_post`` and of the
balance trigger (``track_functions = 'pl'``, superusers only; skipped otherwise).
"""

import random
import time
from collections.abc import Callable

_FUNCTIONS = ("ledger_post", "ledger_check_transaction_balanced")


def _function_times(cursor) -> dict[str, tuple[int, float, float]]:
    """(calls, total ms, self ms) per PL/pgSQL function, as the server counted them."""
    cursor.execute("SELECT pg_stat_force_next_flush()")
    time.sleep(1.1)  # pending function statistics are flushed when the backend goes idle
    cursor.execute("SELECT 1")
    cursor.execute(
        "SELECT funcname, calls, total_time, self_time FROM pg_stat_user_functions "
        "WHERE funcname = ANY(%s)",
        [list(_FUNCTIONS)],
    )
    return {name: (calls, total, own) for name, calls, total, own in cursor.fetchall()}


def _measure(label: str, call: Callable[[int], object], count: int) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        call(-1)
    print(f"  {label}: {len(queries)} statements (= round trips, commit included):")
    for query in queries:
        print(f"    {query['sql'][:120]}")

    waited = [0.0, 0]

    def timed(execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            waited[0] += time.perf_counter() - started
            waited[1] += 1

    postgres = connection.vendor == "postgresql"
    server: dict[str, tuple[int, float, float]] | None = None
    if postgres:
        with connection.cursor() as cursor:
            try:
                cursor.execute("SET track_functions = 'pl'")
                server = _function_times(cursor)
            except Exception:  # not a superuser: the server's own figures are skipped
                server = None
    with connection.execute_wrapper(timed):
        cpu, wall = time.process_time(), time.perf_counter()
        for i in range(count):
            call(i)
        cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    in_execute = waited[0]
    print(
        f"    over {count} calls: {waited[1] / count:.1f} round trips,"
        f" wall {wall / count * 1e3:.2f} ms, client CPU {cpu / count * 1e3:.2f} ms, inside execute"
        f" {in_execute / count * 1e3:.2f} ms (server + commit + loopback)"
    )
    if server is not None:
        with connection.cursor() as cursor:
            after = _function_times(cursor)
        for name in _FUNCTIONS:
            calls = after.get(name, (0, 0.0, 0.0))[0] - server.get(name, (0, 0.0, 0.0))[0]
            total = after.get(name, (0, 0.0, 0.0))[1] - server.get(name, (0, 0.0, 0.0))[1]
            if calls:
                print(
                    f"    server: {name} {calls / count:.1f} calls per op, "
                    f"{total / count:.3f} ms per op"
                )


def _measure_sql_limit(wallet_ids: list[int], count: int, limit_op) -> None:
    """The limit's textbook transfer (7 statements) from psycopg, measured the same way."""
    import psycopg
    from django.db import connection

    settings = connection.settings_dict
    raw = psycopg.connect(
        dbname=settings["NAME"],
        user=settings["USER"],
        password=settings["PASSWORD"] or None,
        host=settings["HOST"],
        port=settings["PORT"] or 5432,
        autocommit=True,
    )
    rng = random.Random(7)
    try:
        cursor = raw.cursor()
        cpu, wall = time.process_time(), time.perf_counter()
        for _ in range(count):
            source, destination = rng.sample(wallet_ids, 2)
            limit_op(cursor, source, destination, 1)
        cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    finally:
        raw.close()
    print(
        f"  limit (psycopg, no ORM): 7 round trips, over {count} calls: wall"
        f" {wall / count * 1e3:.2f} ms, client CPU {cpu / count * 1e3:.2f} ms"
    )


def profile_operations(users: list, host, wallet_ids: list[int], limit_op, count: int) -> None:
    """Print the cost of one transfer, one ledger-only posting and one gift (see the docstring)."""
    from apps.ledger import services
    from apps.ledger.services import Owner

    rng = random.Random(11)
    wallets = services.user_wallets(*(user.pk for user in users[:50]))

    def transfer(_: int) -> None:
        sender, recipient = rng.sample(users, 2)
        services.wallet_transfer(sender=sender, recipient_id=recipient.pk, amount=1)

    def post(_: int) -> None:
        sender, recipient = rng.sample(list(wallets), 2)
        services.transaction_post(
            kind="transfer",
            legs=[(wallets[sender], -1), (wallets[recipient], 1)],
            description="bench profile",
        )

    def gift(i: int) -> None:
        services.gift(
            sender=Owner.user(rng.choice(users).pk),
            recipient=Owner.user(host.pk),
            amount=10,
            fee_rate="0.3",
            key=f"bench-profile-{i}",
        )

    print(f"profile, one process, {count} operations each, one after another:")
    _measure("wallet_transfer", transfer, count)
    _measure("transaction_post (accounts known)", post, count)
    _measure("gift (keyed, hot host and revenue)", gift, count)
    from django.db import connection

    if connection.vendor == "postgresql":
        _measure_sql_limit(wallet_ids, count, limit_op)
