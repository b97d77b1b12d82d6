"""One chat message's server cost, without sockets: ``chat_message_post`` in a loop, in one process.

Prints the statements of one allowed message (after a first one, as a writer's later messages
run), the wall and CPU time per message for the post alone and with its analytics event
(``chat_message_record``), and a cProfile of the post by cumulative time. Works in a throwaway
database (``<NAME>_bench_live``, created and dropped here); needs PostgreSQL and Redis:

    DATABASE_URL=postgres://... REDIS_URL=redis://... .venv/bin/python bench/live_chat_message.py \
        [--messages 500] [--top 25]
"""

import argparse
import cProfile
import os
import pstats
import sys
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--messages", type=int, default=500)
    parser.add_argument("--top", type=int, default=25, help="profile lines printed")
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from bench.live_chat import _create_database

    if connection.vendor != "postgresql" or not settings.REDIS_URL:
        raise SystemExit("needs DATABASE_URL (PostgreSQL) and REDIS_URL")
    database = _create_database()
    try:
        _run(args, connection, CaptureQueriesContext)
    finally:
        connection.creation.destroy_test_db(database, verbosity=0)


def _run(args, connection, capture) -> None:
    from django.conf import settings

    from apps.accounts.models import User
    from apps.live import services

    settings.LIVE_CHAT_RATE = 10**9  # the loop measures the path, not the per-user limit
    host = User.objects.create_user(username=f"bench-host-{uuid.uuid4().hex[:6]}")
    writers = [User.objects.create_user(username=f"bench-writer-{n}") for n in range(20)]
    room = services.room_create(host=host, title="Bench", category="chat", scheduled_at=None)
    services.room_start(room_id=room.pk)

    def post(n: int):
        posted = services.chat_message_post(
            room_id=room.pk, user=writers[n % len(writers)], text=f"hello number {n}"
        )
        services.message_event(posted.message)
        return posted

    for n in range(len(writers)):
        post(n)  # every writer's first message, and the screening automaton's compile
    with capture(connection) as queries:
        post(0)
    print(f"statements per allowed message: {len(queries.captured_queries)}")
    for query in queries.captured_queries:
        print(f"  {query['sql'][:120]}")
    with capture(connection) as queries:
        services.chat_message_record(message=post(1).message, host_id=host.pk)
    print(f"with its analytics event: {len(queries.captured_queries)}")

    for label, record in (("post", False), ("post + record", True)):
        wall, cpu = time.perf_counter(), time.process_time()
        for n in range(args.messages):
            posted = post(n)
            if record:
                services.chat_message_record(message=posted.message, host_id=host.pk)
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        print(
            f"{label}: {wall / args.messages * 1000:.2f} ms wall, "
            f"{cpu / args.messages * 1000:.2f} ms CPU per message"
        )
    print(f"load average {os.getloadavg()[0]:.2f}")
    profile = cProfile.Profile()
    profile.enable()
    for n in range(args.messages):
        post(n)
    profile.disable()
    pstats.Stats(profile).sort_stats("cumulative").print_stats(args.top)


if __name__ == "__main__":
    main()
