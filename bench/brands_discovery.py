"""Brands discovery: discovery pages and a data card on 100,000 creator profiles.

One run, on PostgreSQL (a dedicated database: it adds ``--creators`` users):

1. seeds, once, ``--creators`` creators with cooperation profiles, two categories each, and
   their discovery rows, written server-side with ``INSERT ... SELECT
   generate_series`` (fans log-uniform from 1,000 to ~10 million, so about four in five are
   eligible; rates, categories, region and gender shares, engagement and scores drawn per row,
   the fit score by its formula);
   one of them gets a real history for its data card (30 notes with 90 days of ``note_daily``,
   30 days of ``creator_daily``, a fan demographics snapshot), then ``ANALYZE``;
2. times discovery through Django's test client in process (a member of a verified brand), with
   no filter, three filters and every filter, first page of 20, and the data card; beside each,
   the bare indexed query for the same page (the discovery queryset's own SQL for 21 ids, run on
   a cursor) and, for the card, the bare reads a hand-written card would make (the row by key and
   the recent notes' sums), printing p50 / p95, the ratio of p95s and the load average;
3. counts each endpoint's SQL queries at page sizes 20 and 100 (and for the card, for a creator
   with history and one without): they must be equal.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/cp_bench_brands \\
        .venv/bin/python bench/brands_discovery.py [--creators 100000] [--requests 200]

``--max-p95-ms`` and ``--max-ratio`` turn goals into a failing exit status (CI smoke run).
"""

import argparse
import os
import statistics
import sys
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

PREFIX = "bench_disc_"
SCENARIOS: dict[str, dict[str, Any]] = {
    "no filter": {},
    "3 filters": {"category": "beauty", "fans_min": 20_000, "availability": "available"},
    "all filters": {
        "category": "beauty,food,travel",
        "fans_min": 10_000,
        "fans_max": 5_000_000,
        "deliverable": "video_note",
        "price_min": 50_000,
        "price_max": 50_000_000,
        "female_share_min": 0.5,
        "male_share_min": 0.1,
        "region": "shanghai",
        "region_share_min": 0.05,
        "engagement_min": 0.01,
        "engagement_max": 0.2,
        "availability": "available",
    },
    "all filters, by price": {},  # filled below: all filters sorted by price
}
SCENARIOS["all filters, by price"] = {**SCENARIOS["all filters"], "sort": "price"}

SEED_SQL = [
    "SELECT setseed(0.42)",
    """
    INSERT INTO accounts_user (password, is_superuser, username, first_name, last_name, email,
        is_staff, is_active, date_joined)
    SELECT '!', false, %(prefix)s || g, '', '', '', false, true, now()
    FROM generate_series(1, %(n)s) g
    ON CONFLICT (username) DO NOTHING
    """,
    """
    INSERT INTO accounts_profile (user_id, display_name, avatar, bio, gender, region,
        hide_fans_list, hide_following_list, fans_count, following_count, notes_count,
        likes_received_count, collects_received_count, created_at, updated_at, pending_bio,
        pending_display_name)
    SELECT u.id, 'creator ' || u.id, '', '', 'undisclosed', '', false, false,
        floor(1000 * exp(random() * 9.2))::bigint, 0, 0, 0, 0, now(), now(), '', ''
    FROM accounts_user u WHERE u.username LIKE %(like)s
    ON CONFLICT (user_id) DO UPDATE SET fans_count = EXCLUDED.fans_count
    """,
    """
    INSERT INTO brands_cooperationprofile (creator_id, rate_image_note, rate_video_note,
        rate_live_mention, availability, busy_until, pitch, pending_pitch, created_at, updated_at)
    SELECT s.user_id,
        10000 + (s.fans_count * (5 + s.r1 * 10))::bigint,
        CASE WHEN s.r2 < 0.6 THEN 20000 + (s.fans_count * (10 + s.r1 * 20))::bigint END,
        CASE WHEN s.r2 > 0.7 THEN 5000 + (s.fans_count * (2 + s.r1 * 4))::bigint END,
        CASE WHEN s.r3 < 0.7 THEN 'available' WHEN s.r3 < 0.9 THEN 'busy'
             ELSE 'not_taking_work' END,
        CASE WHEN s.r3 >= 0.7 AND s.r3 < 0.9 THEN current_date + (s.r1 * 60)::int - 20 END,
        '', '', now(), now()
    FROM (
        SELECT p.user_id, p.fans_count, random() AS r1, random() AS r2, random() AS r3
        FROM accounts_profile p JOIN accounts_user u ON u.id = p.user_id
        WHERE u.username LIKE %(like)s
    ) s
    ON CONFLICT (creator_id) DO NOTHING
    """,
    """
    WITH cats AS (
        SELECT id, row_number() OVER (ORDER BY id) - 1 AS idx, count(*) OVER () AS k
        FROM accounts_category
    )
    INSERT INTO brands_cooperationprofilecategory (profile_id, category_id)
    SELECT cp.creator_id, c.id
    FROM brands_cooperationprofile cp
    JOIN accounts_user u ON u.id = cp.creator_id AND u.username LIKE %(like)s
    JOIN cats c ON c.idx = cp.creator_id %% c.k OR c.idx = (cp.creator_id * 7 + 3) %% c.k
    ON CONFLICT DO NOTHING
    """,
    """
    INSERT INTO brands_creatordiscoveryrow (creator_id, eligible, fans, recent_notes,
        posting_restricted, rate_image_note, rate_video_note, rate_live_mention, availability,
        busy_until, category_ids, region_shares, region_ids, female_share, male_share,
        engagement_rate, engagement_notes, engagement_reads, engagement_total,
        authenticity_score, active_fans_share,
        never_active_share, follows_30d, burst_hours, burst_follows, burst_detail, fit_score,
        demographics_as_of, refreshed_at)
    SELECT s.creator_id, s.fans >= 5000 AND s.notes >= 10, s.fans, s.notes, false,
        s.rate_image_note, s.rate_video_note, s.rate_live_mention, s.availability, s.busy_until,
        ARRAY(SELECT c.category_id FROM brands_cooperationprofilecategory c
              WHERE c.profile_id = s.creator_id ORDER BY 1)::integer[],
        jsonb_build_object(
            (%(regions)s::text[])[1 + s.creator_id %% %(k)s],
            round((0.35 * (0.5 + s.r4))::numeric, 4),
            (%(regions)s::text[])[1 + (s.creator_id * 3 + 5) %% %(k)s],
            round((0.18 * (0.5 + s.r5))::numeric, 4),
            (%(regions)s::text[])[1 + (s.creator_id * 7 + 11) %% %(k)s],
            round((0.08 * (0.5 + s.r6))::numeric, 4)
        ),
        ARRAY(SELECT DISTINCT p FROM unnest(ARRAY[
            1 + s.creator_id %% %(k)s,
            1 + (s.creator_id * 3 + 5) %% %(k)s,
            1 + (s.creator_id * 7 + 11) %% %(k)s]) AS p ORDER BY 1)::integer[],
        round(s.female::numeric, 4), round((0.9 - s.female)::numeric, 4),
        round(s.engagement::numeric, 4), 30, 1000, (1000 * s.engagement)::bigint,
        s.authenticity, 0.5, 0.05, 100, 0, 0, '[]',
        round((100 * (0.45 * least(1, s.engagement / 0.1) + 0.35 * s.authenticity / 100.0
            + 0.2 * least(1, log(s.fans) / 6)))::numeric, 2),
        current_date - 1, now()
    FROM (
        SELECT cp.*, p.fans_count AS fans, 5 + (random() * 40)::int AS notes,
            0.1 + random() * 0.8 AS female, power(random(), 2) * 0.15 AS engagement,
            (40 + random() * 60)::int AS authenticity, random() AS r4, random() AS r5,
            random() AS r6
        FROM brands_cooperationprofile cp
        JOIN accounts_profile p ON p.user_id = cp.creator_id
        JOIN accounts_user u ON u.id = cp.creator_id AND u.username LIKE %(like)s
    ) s
    ON CONFLICT (creator_id) DO NOTHING
    """,
]


COLUMNS = [
    ("p50 ms", 9),
    ("p95 ms", 9),
    ("ref p50", 9),
    ("ref p95", 9),
    ("p95/ref", 9),
    ("rows", 6),
    ("queries", 10),
]


def _line(name: str, *figures: Any) -> str:
    """One row of the table: ms to two places, the ratio to one, the rest as given."""
    p50, p95, r50, r95, rows, queries = figures
    ratio = p95 / r95 if r95 else float("inf")
    return (
        f"{name:<24}{p50:>9.2f}{p95:>9.2f}{r50:>9.2f}{r95:>9.2f}{ratio:>9.1f}{rows:>6}{queries:>10}"
    )


def _percentiles(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return statistics.median(ordered) * 1000, p95 * 1000


def _time(action: Callable[[], object], requests: int) -> tuple[float, float]:
    for _ in range(3):  # warm caches and plans
        action()
    samples = []
    for _ in range(requests):
        started = time.perf_counter()
        action()
        samples.append(time.perf_counter() - started)
    return _percentiles(samples)


def seed(creators: int) -> None:
    from django.db import connection

    from apps.accounts.regions import REGIONS

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM brands_creatordiscoveryrow r JOIN accounts_user u "
            "ON u.id = r.creator_id WHERE u.username LIKE %s",
            [PREFIX + "%"],
        )
        if cursor.fetchone()[0] >= creators:
            print(f"seed: {creators:,} bench creators already there")
            return
        started = time.monotonic()
        params = {
            "prefix": PREFIX,
            "like": PREFIX + "%",
            "n": creators,
            "regions": [code for code, _, _ in REGIONS],  # position i+1 is REGION_POSITIONS
            "k": len(REGIONS),
        }
        for statement in SEED_SQL:
            cursor.execute(statement, params)
        for table in (
            "accounts_user",
            "accounts_profile",
            "brands_cooperationprofile",
            "brands_cooperationprofilecategory",
            "brands_creatordiscoveryrow",
        ):
            cursor.execute(f"ANALYZE {table}")
        print(f"seed: {creators:,} creators written in {time.monotonic() - started:.1f}s")


def card_history(creator_id: int, *, notes: int = 30, days: int = 90) -> list[int]:
    """Published notes with days of figures, 30 days of creator_daily, a fan snapshot."""
    from django.utils import timezone

    from apps.accounts.regions import REGION_CODES
    from apps.analytics.days import local_yesterday
    from apps.analytics.models import CreatorDaily, FanDemographicDaily, NoteDaily
    from apps.notes.models import Note, NoteKind, NoteStatus

    existing = list(Note.objects.filter(author_id=creator_id).values_list("pk", flat=True))
    if existing:
        return existing
    now = timezone.now()
    created = Note.objects.bulk_create(
        [
            Note(
                author_id=creator_id,
                kind=NoteKind.IMAGE,
                title=f"note {index}",
                status=NoteStatus.PUBLISHED,
                published_at=now - timedelta(days=index * 3),
            )
            for index in range(notes)
        ]
    )
    yesterday = local_yesterday()
    day_list = [yesterday - timedelta(days=offset) for offset in range(days)]
    NoteDaily.objects.bulk_create(
        [
            NoteDaily(
                day=day,
                note_id=note.pk,
                author_id=creator_id,
                impressions=5_000,
                views=900 + index,
                likes=60,
                collects=20,
                comments=8,
                shares=3,
            )
            for index, note in enumerate(created)
            for day in day_list
        ],
        batch_size=5_000,
    )
    CreatorDaily.objects.bulk_create(
        [
            CreatorDaily(day=day, creator_id=creator_id, fans_total=100_000, active_fans_30d=40_000)
            for day in day_list[:30]
        ]
    )
    buckets = {
        "gender": {"female": 70_000, "male": 28_000, "undisclosed": 2_000},
        "age_band": {"18-24": 30_000, "25-34": 50_000, "35-44": 20_000},
        "region": {code: 2_800 for code in sorted(REGION_CODES)[:34]} | {"overseas": 20},
    }
    FanDemographicDaily.objects.bulk_create(
        [
            FanDemographicDaily(
                day=yesterday, creator_id=creator_id, dimension=dimension, bucket=bucket, fans=n
            )
            for dimension, values in buckets.items()
            for bucket, n in values.items()
        ]
    )
    return [note.pk for note in created]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--creators", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--max-p95-ms", type=float, default=None)
    parser.add_argument("--max-ratio", type=float, default=None)
    args = parser.parse_args()

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from rest_framework.test import APIClient

    from apps.accounts import organisations
    from apps.accounts.models import Organisation, User
    from apps.analytics.days import local_today, local_yesterday
    from apps.analytics.periods import period_ending
    from apps.brands.discovery import DiscoveryQuery, discovery_rows
    from apps.brands.profile_models import CreatorDiscoveryRow

    if connection.vendor != "postgresql":
        print("brands discovery bench: needs PostgreSQL (set DATABASE_URL)", file=sys.stderr)
        return 2
    seed(args.creators)

    owner, _ = User.objects.get_or_create(username="bench_brand_owner_discovery")
    organisation = Organisation.objects.filter(created_by=owner).first()
    if organisation is None:
        organisation = organisations.organisation_create(
            user=owner,
            kind="brand",
            name="Bench brand",
            business_licence_number="91310000MA1FL8XQ3B",
            contact_name="Bench",
            contact_phone="13800000000",
        )
        Organisation.objects.filter(pk=organisation.pk).update(verification_status="verified")
    client = APIClient()
    client.force_authenticate(owner)
    url = f"/api/v1/organisations/{organisation.pk}/discovery/creators"

    star = (
        CreatorDiscoveryRow.objects.filter(eligible=True, fans__gte=100_000)
        .order_by("creator_id")
        .values_list("creator_id", flat=True)
        .first()
    )
    plain = (
        CreatorDiscoveryRow.objects.filter(eligible=True)
        .exclude(pk=star)
        .order_by("-creator_id")
        .values_list("creator_id", flat=True)
        .first()
    )
    note_ids = card_history(star)
    card_history(plain, notes=1, days=1)

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FILTER (WHERE eligible), count(*) FROM " + "brands_creatordiscoveryrow"
        )
        listed, rows = cursor.fetchone()
    load = os.getloadavg()
    print(f"discovery rows: {rows:,}, listed {listed:,}; requests per figure: {args.requests}")
    print(f"load average before: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f} ({os.cpu_count()} CPUs)")
    print()
    header = f"{'endpoint':<24}" + "".join(f"{title:>{width}}" for title, width in COLUMNS)
    print(header)
    print("-" * len(header))
    failures = []

    def bare_page(params: dict[str, Any]) -> Callable[[], object]:
        filters = {k: v for k, v in params.items() if k != "sort"}
        categories = [c for c in filters.pop("category", "").split(",") if c]
        query = DiscoveryQuery(categories=categories, sort=params.get("sort", "fit"), **filters)
        queryset = (
            discovery_rows(query=query, today=local_today())
            .order_by(*query.ordering())
            .values_list("creator_id")[:21]
        )
        sql, sql_params = queryset.query.sql_with_params()

        def run() -> object:
            with connection.cursor() as cursor:
                cursor.execute(sql, sql_params)
                return cursor.fetchall()

        return run

    def queries(action: Callable[[], object]) -> int:
        with CaptureQueriesContext(connection) as ctx:
            action()
        return len(ctx.captured_queries)

    for name, params in SCENARIOS.items():
        response = client.get(url, {**params, "page_size": 20})
        assert response.status_code == 200, response.content[:300]
        found = len(response.json()["results"])
        p50, p95 = _time(lambda p=params: client.get(url, {**p, "page_size": 20}), args.requests)
        r50, r95 = _time(bare_page(params), args.requests)
        small = queries(lambda p=params: client.get(url, {**p, "page_size": 20}))
        large = queries(lambda p=params: client.get(url, {**p, "page_size": 100}))
        ratio = p95 / r95 if r95 else float("inf")
        print(_line(name, p50, p95, r50, r95, found, f"{small}/{large}"))
        if small != large:
            failures.append(f"{name}: {small} queries at 20, {large} at 100")
        if args.max_p95_ms is not None and p95 > args.max_p95_ms:
            failures.append(f"{name}: p95 {p95:.1f} ms > {args.max_p95_ms}")
        if args.max_ratio is not None and ratio > args.max_ratio:
            failures.append(f"{name}: p95 ratio {ratio:.1f} > {args.max_ratio}")

    card_url = f"{url}/{star}"
    assert client.get(card_url).status_code == 200
    period = period_ending(end=local_yesterday(), days=90)
    day_list = ", ".join(f"'{day.isoformat()}'" for day in period.dates())
    ids = ", ".join(str(note_id) for note_id in note_ids)
    card_sql = [
        ("SELECT * FROM brands_creatordiscoveryrow WHERE creator_id = %s", [star]),
        (
            "SELECT note_id, sum(views), sum(likes + collects + comments + shares) "
            f"FROM analytics_notedaily WHERE day IN ({day_list}) AND author_id = %s "
            f"AND note_id IN ({ids}) GROUP BY note_id",
            [star],
        ),
    ]

    def bare_card() -> object:
        with connection.cursor() as cursor:
            for sql, sql_params in card_sql:
                cursor.execute(sql, sql_params)
                cursor.fetchall()

    p50, p95 = _time(lambda: client.get(card_url), args.requests)
    r50, r95 = _time(bare_card, args.requests)
    with_history = queries(lambda: client.get(card_url))
    without = queries(lambda: client.get(f"{url}/{plain}"))
    ratio = p95 / r95 if r95 else float("inf")
    print(_line("data card", p50, p95, r50, r95, 1, f"{with_history}/{without}"))
    if with_history != without:
        failures.append(f"data card: {with_history} queries with history, {without} without")
    load = os.getloadavg()
    print()
    print(f"load average after: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")
    print("data card queries: 30 notes over 90 days / 1 note over 1 day (must be equal)")
    for failure in failures:
        print(f"FAIL {failure}", file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
