"""Creator center: nightly rollup cost and endpoint latency on a big seeded database.

One run, on PostgreSQL (a dedicated database: it adds a million users):

1. seeds the demo data with ``--events`` analytics events (``seed_demo``; idempotent, skipped
   when already there) and gives the creator with the most traffic ``--fans`` fans: every
   seeded user plus synthetic users, written with ``INSERT ... SELECT generate_series``;
2. times one day's rollup step by step: its first roll (the day's rows absent, as at 02:00)
   as yesterday (with the fan-demographics snapshot) and as an older day (without it), and
   yesterday rolled up again (its rows present: merged); beside the per-note step, in the same
   rounds, the hand-written ``SELECT ... GROUP BY`` computing the same per-note figures for the
   same day and writing them server-side as the step does (into a temporary table, under the
   rollup transaction's own settings), and prints the ratio for the first roll and the re-roll;
3. times a backfill of ``--backfill-days`` days (their rows removed first), then rolls up the
   rest of ``--history-days`` (the creator's year of history) unless it is already there;
4. times the overview, fans and notes endpoints (and one note's page) for that creator through
   Django's test client in process, with a JWT like a mobile client, and prints p50 / p95.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/cp_bench REDIS_URL=redis://127.0.0.1:6379/0 \\
        .venv/bin/python bench/creator_center.py [--events 10000000] [--users 100000] \\
        [--fans 1000000] [--history-days 365] [--backfill-days 30] [--requests 200]

``--max-p95-ms`` and ``--max-ratio`` turn goals into a failing exit status (CI smoke run).
"""

import argparse
import os
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

FAN_PREFIX = "bench_fan_%"
# The per-note figures of one day as one would write them by hand: one GROUP BY over the day's
# events, each event probing the follow graph for the fans / non-fans split. The rollup's own
# statement must give the same rows (checked below). Its columns are note_daily's
# (NOTE_DAILY_COLUMNS, the day aside), in that order.
HAND_WRITTEN_GROUP_BY = """
    SELECT e.note_id, e.author_id,
        count(*) FILTER (WHERE e.kind = 'impression'),
        count(*) FILTER (WHERE e.kind = 'view'),
        count(DISTINCT e.actor_id) FILTER (WHERE e.kind = 'view'),
        count(*) FILTER (WHERE e.kind = 'like'),
        count(*) FILTER (WHERE e.kind = 'collect'),
        count(*) FILTER (WHERE e.kind = 'comment'),
        count(*) FILTER (WHERE e.kind = 'share'),
        count(*) FILTER (WHERE e.kind = 'follow'),
        count(*) FILTER (WHERE e.kind = 'profile_visit'),
        coalesce(sum(e.dwell_ms) FILTER (WHERE e.kind = 'view'), 0),
        count(*) FILTER (WHERE e.kind = 'video_watch'),
        coalesce(sum(e.watch_ms) FILTER (WHERE e.kind = 'video_watch'), 0),
        coalesce(sum(e.completion) FILTER (WHERE e.kind = 'video_watch'), 0),
        count(*) FILTER (WHERE e.kind = 'video_watch' AND e.completion >= 0.9),
        count(*) FILTER (WHERE e.kind = 'impression' AND f.follower_id IS NOT NULL),
        count(*) FILTER (WHERE e.kind = 'view' AND f.follower_id IS NOT NULL)
    FROM analytics_event e
    LEFT JOIN accounts_follow f
        ON e.kind IN ('impression', 'view')
        AND f.follower_id = e.actor_id AND f.followee_id = e.author_id
        AND f.created_at <= e.occurred_at
    WHERE e.occurred_at >= %(start)s AND e.occurred_at < %(end)s
        AND e.note_id IS NOT NULL AND e.author_id IS NOT NULL
    GROUP BY e.note_id, e.author_id
"""
REFERENCE_TABLE = "bench_note_daily_reference"
REPEAT = 5  # runs of yesterday's rollup, first roll and again; the median is printed
OLDER_REPEAT = 3  # runs of the older day's first roll
REFERENCE_PER_RUN = 2  # runs of the hand-written reference after each of yesterday's rollups


def _setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django
    from django.apps import apps

    if not apps.ready:
        django.setup()


def _say(message: str) -> None:
    print(message, flush=True)


# --- data -----------------------------------------------------------------------------------


def seed(*, users: int, events: int) -> None:
    from django.core.management import call_command

    started = time.monotonic()
    call_command("seed_demo", users=users, events=events, rollup_days=0, quiet=True)
    _say(f"seed_demo: {time.monotonic() - started:.0f}s")


def busiest_creator() -> int:
    """The author the most events count for (the notes the seed made most popular)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT author_id FROM analytics_event WHERE author_id IS NOT NULL "
            "GROUP BY author_id ORDER BY count(*) DESC, author_id LIMIT 1"
        )
        return cursor.fetchone()[0]


def give_fans(creator_id: int, fans: int) -> None:
    """Every seeded user follows the creator, and synthetic users make up ``fans`` in all."""
    from django.db import connection, transaction

    from apps.accounts.models import Follow

    have = Follow.objects.filter(followee_id=creator_id).count()
    if have >= fans:
        _say(f"creator {creator_id}: {have:,} fans already")
        return
    started = time.monotonic()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT setseed(0.2026)")
        cursor.execute(
            """
            INSERT INTO accounts_follow (follower_id, followee_id, source, source_id, created_at)
            SELECT u.id, %(creator)s,
                (ARRAY['note', 'note', 'note', 'profile', 'search', 'live', 'promotion'])
                    [1 + floor(random() * 7)::int],
                NULL, now() - random() * interval '365 days'
            FROM accounts_user u WHERE u.id <> %(creator)s
            ON CONFLICT DO NOTHING
            """,
            {"creator": creator_id},
        )
        missing = fans - Follow.objects.filter(followee_id=creator_id).count()
        if missing > 0:
            cursor.execute(
                """
                INSERT INTO accounts_user (password, last_login, is_superuser, username,
                    first_name, last_name, email, is_staff, is_active, date_joined, phone)
                SELECT '!', NULL, false, 'bench_fan_' || g, '', '', '', false, true,
                    now() - interval '400 days', NULL
                FROM generate_series(1, %(n)s) g
                ON CONFLICT DO NOTHING
                """,
                {"n": missing},
            )
            cursor.execute(
                """
                INSERT INTO accounts_profile (user_id, display_name, avatar, bio, gender,
                    birth_year, region, hide_fans_list, hide_following_list, fans_count,
                    following_count, notes_count, likes_received_count,
                    collects_received_count, created_at, updated_at, pending_bio,
                    pending_display_name)
                SELECT u.id, u.username, '', '',
                    (ARRAY['female', 'female', 'female', 'male', 'undisclosed'])
                        [1 + floor(random() * 5)::int],
                    CASE WHEN random() < 0.1 THEN NULL ELSE 1965 + floor(random() * 45)::int END,
                    (ARRAY['shanghai', 'beijing', 'guangdong', 'zhejiang', 'jiangsu', 'sichuan',
                        'hubei', 'fujian', ''])[1 + floor(random() * 9)::int],
                    false, false, 0, 1, 0, 0, 0, now(), now(), '', ''
                FROM accounts_user u
                WHERE u.username LIKE %(prefix)s
                ON CONFLICT DO NOTHING
                """,
                {"prefix": FAN_PREFIX},
            )
            cursor.execute(
                """
                INSERT INTO accounts_profile_interests (profile_id, category_id)
                SELECT DISTINCT u.id, c.id
                FROM accounts_user u
                CROSS JOIN LATERAL (
                    SELECT id FROM accounts_category
                    ORDER BY random() + u.id * 0 LIMIT 1 + mod(u.id, 3)
                ) c
                WHERE u.username LIKE %(prefix)s
                ON CONFLICT DO NOTHING
                """,
                {"prefix": FAN_PREFIX},
            )
            cursor.execute(
                """
                INSERT INTO accounts_follow
                    (follower_id, followee_id, source, source_id, created_at)
                SELECT u.id, %(creator)s,
                    (ARRAY['note', 'note', 'note', 'profile', 'search', 'live', 'promotion'])
                        [1 + floor(random() * 7)::int],
                    NULL, now() - random() * interval '365 days'
                FROM accounts_user u WHERE u.username LIKE %(prefix)s
                ON CONFLICT DO NOTHING
                """,
                {"creator": creator_id, "prefix": FAN_PREFIX},
            )
        cursor.execute(
            "UPDATE accounts_profile SET fans_count = (SELECT count(*) FROM accounts_follow "
            "WHERE followee_id = %(creator)s) WHERE user_id = %(creator)s",
            {"creator": creator_id},
        )
    with connection.cursor() as cursor:
        for table in (
            "accounts_user",
            "accounts_profile",
            "accounts_profile_interests",
            "accounts_follow",
        ):
            cursor.execute(f"VACUUM ANALYZE {table}")
    total = Follow.objects.filter(followee_id=creator_id).count()
    _say(f"creator {creator_id}: {total:,} fans in {time.monotonic() - started:.0f}s")


# --- rollups --------------------------------------------------------------------------------


def _rounded(row: tuple) -> tuple:
    return tuple(round(value, 6) if isinstance(value, float) else value for value in row)


def _dates(first: Any, last: Any) -> list[Any]:
    return [first + timedelta(days=offset) for offset in range((last - first).days + 1)]


def _median_seconds(action: Any, repeat: int = REPEAT) -> float:
    runs = []
    for _ in range(repeat):
        started = time.perf_counter()
        action()
        runs.append(time.perf_counter() - started)
    return statistics.median(runs)


def time_rollups(*, backfill_days: int) -> dict[str, float]:
    from django.conf import settings
    from django.db import connection, transaction

    from apps.analytics.days import day_bounds, local_yesterday
    from apps.analytics.models import NOTE_DAILY_COLUMNS, Event, NoteDaily
    from apps.analytics.rollups import (
        ROLLUP_TABLES,
        TABLES,
        rollup_backfill,
        rollup_run,
        rollup_transaction_settings,
    )

    yesterday = local_yesterday()
    older = yesterday - timedelta(days=1)
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE analytics_event")
    day_start, day_end = day_bounds(yesterday)
    figures: dict[str, float] = {
        "events_yesterday": Event.objects.filter(
            occurred_at__gte=day_start, occurred_at__lt=day_end
        ).count()
    }

    # The warm-up: active users of the 29 days before (what active fans read), then the day.
    rollup_backfill(first=older, last=yesterday)

    def vacuum() -> None:
        # This server runs with autovacuum off; between two nights autovacuum would have
        # cleared the previous run's dead rows, so each timed run starts from that state.
        with connection.cursor() as cursor:
            for table in ROLLUP_TABLES:
                cursor.execute(f"VACUUM ANALYZE {TABLES[table]}")

    def forget(day: Any) -> None:
        # The state at 02:00: the day has no rollup rows yet (an older day keeps its fan
        # snapshot, which only the nightly run takes).
        with transaction.atomic(), connection.cursor() as cursor:
            for table in ROLLUP_TABLES:
                if table != "fan_demographic" or day == yesterday:
                    cursor.execute(f"DELETE FROM {TABLES[table]} WHERE day = %s", [day])

    params = {"start": day_start, "end": day_end}
    note_fields = [column for column in NOTE_DAILY_COLUMNS if column != "day"]

    def hand_written(*, parallel: bool = True) -> float:
        """The hand-written GROUP BY writing its rows server-side, as the step does: into a
        temporary table with CREATE TEMPORARY TABLE ... AS (which PostgreSQL runs with parallel
        workers; INSERT ... SELECT it never does), dropped after, in a transaction with the
        rollup's own settings (work_mem; JIT off, as config/settings.py sets for every
        connection). Timed like the step: its statements, not the transaction around them."""
        with transaction.atomic(), connection.cursor() as cursor:
            rollup_transaction_settings()
            if not parallel:
                cursor.execute("SET LOCAL max_parallel_workers_per_gather = 0")
            started = time.perf_counter()
            cursor.execute(
                f"CREATE TEMPORARY TABLE {REFERENCE_TABLE} ({', '.join(note_fields)}) AS "
                + HAND_WRITTEN_GROUP_BY,
                params,
            )
            cursor.execute(f"DROP TABLE {REFERENCE_TABLE}")
            return time.perf_counter() - started

    def timed(
        day: Any, *, first_roll: bool, repeat: int, reference: list[float] | None = None
    ) -> tuple[float, dict[str, float]]:
        runs: list[float] = []
        steps: dict[str, list[float]] = {}
        for _ in range(repeat):
            if first_roll:
                forget(day)
            vacuum()
            timings: dict[str, float] = {}
            started = time.perf_counter()
            rollup_run(day=day, timings=timings)
            runs.append(time.perf_counter() - started)
            for name, seconds in timings.items():
                steps.setdefault(name, []).append(seconds)
            # The reference in the same rounds as the step: the machine's speed drifts, so a
            # ratio compares runs taken at the same time.
            if reference is not None:
                reference.extend(hand_written() for _ in range(REFERENCE_PER_RUN))
        medians = {name: statistics.median(values) for name, values in steps.items()}
        return statistics.median(runs), medians

    reference_first: list[float] = []
    reference_again: list[float] = []
    figures["rollup_yesterday"], yesterday_steps = timed(
        yesterday, first_roll=True, repeat=REPEAT, reference=reference_first
    )
    figures["rollup_older_day"], older_steps = timed(older, first_roll=True, repeat=OLDER_REPEAT)
    figures["rollup_again"], again_steps = timed(
        yesterday, first_roll=False, repeat=REPEAT, reference=reference_again
    )
    figures["group_by"] = statistics.median(reference_first)
    figures["group_by_again"] = statistics.median(reference_again)
    figures["group_by_serial"] = _median_seconds(
        lambda: hand_written(parallel=False), REFERENCE_PER_RUN * 2
    )

    with connection.cursor() as cursor:
        cursor.execute(HAND_WRITTEN_GROUP_BY, params)
        expected = sorted(_rounded(row) for row in cursor.fetchall())
    stored = sorted(
        _rounded(row) for row in NoteDaily.objects.filter(day=yesterday).values_list(*note_fields)
    )
    assert stored == expected, "the rollup and the hand-written GROUP BY disagree"
    figures["notes_yesterday"] = len(expected)
    figures["note_step"] = yesterday_steps["note_daily"]
    figures["note_step_again"] = again_steps["note_daily"]

    _say("")
    _say(
        f"Rollup of one Shanghai day ({yesterday}: {figures['events_yesterday']:,} events, "
        f"{figures['notes_yesterday']:,} notes), median of {REPEAT} "
        f"(the older day: of {OLDER_REPEAT}):"
    )
    columns = (("yesterday", yesterday_steps), ("older day", older_steps), ("again", again_steps))
    _say(
        "  first roll of the day (its rows absent, as at 02:00) as yesterday and as an older "
        "day; then yesterday rolled up again (its rows present)"
    )
    _say(f"  {'step':<24}" + "".join(f"{label:>12}" for label, _ in columns))
    for name in yesterday_steps:
        cells = []
        for _, steps in columns:
            value = steps.get(name)
            cells.append(f"{value * 1000:.1f} ms" if value else "-")
        _say(f"  {name:<24}" + "".join(f"{cell:>12}" for cell in cells))
    whole = [figures[key] * 1000 for key in ("rollup_yesterday", "rollup_older_day")]
    whole.append(figures["rollup_again"] * 1000)
    _say(f"  {'whole day':<24}" + "".join(f"{value:9.1f} ms" for value in whole))
    figures["note_ratio"] = figures["note_step"] / figures["group_by"]
    figures["note_ratio_again"] = figures["note_step_again"] / figures["group_by_again"]
    _say(
        "Per-note step against the hand-written SELECT ... GROUP BY (same rows) written "
        "server-side like the step (CREATE TEMPORARY TABLE ... AS, then DROP; work_mem "
        f"{settings.ANALYTICS_ROLLUP_WORK_MEM}, JIT off), {REFERENCE_PER_RUN} runs after each "
        f"rollup, median of {REFERENCE_PER_RUN * REPEAT}:"
    )
    _say(
        f"  first roll (rows absent): step {figures['note_step'] * 1000:.1f} ms, reference "
        f"{figures['group_by'] * 1000:.1f} ms: ratio {figures['note_ratio']:.2f}x"
    )
    _say(
        f"  re-roll (rows present):   step {figures['note_step_again'] * 1000:.1f} ms, "
        f"reference {figures['group_by_again'] * 1000:.1f} ms: "
        f"ratio {figures['note_ratio_again']:.2f}x"
    )
    _say(
        f"  the reference without parallel workers: {figures['group_by_serial'] * 1000:.1f} ms; "
        f"whole day (9 tables) against the reference: "
        f"{figures['rollup_older_day'] / figures['group_by']:.2f}x (older day), "
        f"{figures['rollup_yesterday'] / figures['group_by']:.2f}x (yesterday, with the fan "
        "snapshot)"
    )

    for day in _dates(yesterday - timedelta(days=backfill_days - 1), yesterday):
        forget(day)
    vacuum()
    started = time.perf_counter()
    rollup_backfill(first=yesterday - timedelta(days=backfill_days - 1), last=yesterday)
    figures["backfill"] = time.perf_counter() - started
    _say(
        f"Backfill of {backfill_days} days (active users of {backfill_days + 29} days, then "
        f"the days newest first): {figures['backfill']:.1f} s "
        f"({figures['backfill'] / backfill_days * 1000:.0f} ms a day)"
    )
    return figures


def roll_up_history(*, history_days: int, backfill_days: int) -> None:
    from apps.analytics.days import local_yesterday
    from apps.analytics.models import RollupRun
    from apps.analytics.rollups import rollup_backfill

    yesterday = local_yesterday()
    first = yesterday - timedelta(days=history_days - 1)
    last = yesterday - timedelta(days=backfill_days)
    if last < first:
        return
    if RollupRun.objects.filter(day__gte=first, day__lte=last).count() == (last - first).days + 1:
        _say(f"History {first} to {last}: rolled up already")
        return
    started = time.perf_counter()
    rollup_backfill(first=first, last=last, progress=sys.stderr.isatty())
    _say(f"History {first} to {last} rolled up in {time.perf_counter() - started:.0f} s")


# --- endpoints ------------------------------------------------------------------------------


def time_endpoints(creator_id: int, requests: int) -> dict[str, float]:
    from django.test import Client
    from rest_framework_simplejwt.tokens import AccessToken

    from apps.accounts.models import User
    from apps.analytics.days import local_yesterday
    from apps.analytics.models import CreatorDaily, NoteDaily

    creator = User.objects.get(pk=creator_id)
    client = Client(HTTP_AUTHORIZATION=f"Bearer {AccessToken.for_user(creator)}")
    yesterday = local_yesterday()
    top_note = (
        NoteDaily.objects.filter(
            author_id=creator_id,
            day__in=[yesterday - timedelta(days=offset) for offset in range(90)],
        )
        .values("note_id")
        .order_by("-views")
        .values_list("note_id", flat=True)
        .first()
    )
    days = CreatorDaily.objects.filter(creator_id=creator_id).count()
    base = "/api/v1/creator/analytics"
    cases = [
        ("overview 7 days", f"{base}/overview?period=7"),
        ("overview 90 days", f"{base}/overview?period=90"),
        ("fans 7 days", f"{base}/fans?period=7"),
        ("fans 90 days", f"{base}/fans?period=90"),
        ("notes 30 days, by reads", f"{base}/notes?period=30&sort=-reads&page_size=50"),
        ("one note 90 days", f"{base}/notes/{top_note}?period=90"),
        ("notes CSV 90 days", f"{base}/notes/export?period=90"),
    ]
    _say("")
    _say(
        f"Endpoints for creator {creator_id} ({creator.profile.fans_count:,} fans, {days} days "
        f"of rollups), {requests} requests each, JWT, in process:"
    )
    _say(f"  {'endpoint':<28}{'p50':>10}{'p95':>10}{'max':>10}")
    figures: dict[str, float] = {}
    for name, url in cases:
        for _ in range(5):
            assert client.get(url).status_code == 200, url
        samples = []
        for _ in range(requests):
            started = time.perf_counter()
            response = client.get(url)
            if response.streaming:
                b"".join(response.streaming_content)
            samples.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200, (url, response.status_code)
        samples.sort()
        p50 = samples[len(samples) // 2]
        p95 = samples[min(len(samples) - 1, int(len(samples) * 0.95))]
        figures[name] = p95
        _say(f"  {name:<28}{p50:8.1f}ms{p95:8.1f}ms{samples[-1]:8.1f}ms")
    today = []
    for _ in range(max(requests // 4, 10)):
        started = time.perf_counter()
        _today_uncached(creator_id)
        today.append((time.perf_counter() - started) * 1000)
    today.sort()
    _say(
        f"  today so far, uncached: p50 {today[len(today) // 2]:.1f} ms, "
        f"p95 {today[int(len(today) * 0.95)]:.1f} ms (overview caches it 60 s)"
    )
    return figures


def _today_uncached(creator_id: int) -> None:
    from django.core.cache import cache

    from apps.analytics.days import local_today
    from apps.creators.selectors import creator_today

    cache.delete(f"creator-center:today:{creator_id}:{local_today().isoformat()}")
    creator_today(creator_id=creator_id)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=100_000)
    parser.add_argument("--events", type=int, default=10_000_000)
    parser.add_argument("--fans", type=int, default=1_000_000)
    parser.add_argument("--history-days", type=int, default=365)
    parser.add_argument("--backfill-days", type=int, default=30)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument(
        "--no-seed", action="store_true", help="the database is seeded already: skip seed_demo"
    )
    parser.add_argument("--max-p95-ms", type=float, default=None)
    parser.add_argument("--max-ratio", type=float, default=None)
    args = parser.parse_args()

    _setup_django()
    from django.db import connection

    if connection.vendor != "postgresql":
        _say("This benchmark needs PostgreSQL: set DATABASE_URL.")
        return 2
    if not args.no_seed:
        seed(users=args.users, events=args.events)
    creator_id = busiest_creator()
    give_fans(creator_id, args.fans)
    figures = time_rollups(backfill_days=args.backfill_days)
    roll_up_history(history_days=args.history_days, backfill_days=args.backfill_days)
    latencies = time_endpoints(creator_id, args.requests)

    failed = False
    if args.max_ratio is not None:
        for label, key in (("first roll", "note_ratio"), ("re-roll", "note_ratio_again")):
            if figures[key] > args.max_ratio:
                _say(f"FAIL: per-note step, {label}: {figures[key]:.2f}x > {args.max_ratio}x")
                failed = True
    if args.max_p95_ms is not None:
        for name, p95 in latencies.items():
            if p95 > args.max_p95_ms:
                _say(f"FAIL: {name} p95 {p95:.1f} ms > {args.max_p95_ms} ms")
                failed = True
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
