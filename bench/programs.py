"""Programs: the agency dashboard for an agency with many signed creators, and the nightly
eligibility job over many creators.

One run, in a throwaway database (``<NAME>_bench_programs`` on PostgreSQL, a temporary SQLite
file otherwise), created and dropped here:

1. seeds ``--creators`` creators (users and profiles with fans), a fifth of them with three
   public notes in the last 30 days and seven days of ``creator_daily`` figures, and the four
   growth programs;
2. times the nightly job (``programs_invite_eligible``: one ``INSERT ... SELECT`` per program)
   on its first run (every eligible creator invited and notified) and its second (nothing
   new), beside a reference measured in the same run: one full ``SELECT count(*)`` over the
   profiles joined to users (the least any set-based pass over the creators costs);
3. signs ``--signed`` creators to one agency (data shared), gives each a gift (split through
   the ledger) and times ``--requests`` dashboard requests (JSON, then CSV) through Django's
   test client, p50 / p95 and the query count, beside the p50 of a trivial authenticated
   endpoint (``GET /api/v1/programs``) in the same run.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/cp_programs \\
        .venv/bin/python bench/programs.py [--creators 100000] [--signed 1000] [--requests 200]

Absolute times depend on the machine's load (printed before and after); the ratios to the
references measured in the same run are what compares across runs. ``--max-p95-ms`` and
``--max-job-seconds`` turn the goals into a failing exit status (the CI smoke run).
"""

import argparse
import os
import statistics
import sys
import time
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

BATCH = 5_000


def _setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()


def _create_database() -> str:
    from django.db import connection

    connection.settings_dict.setdefault("TEST", {})
    base = connection.settings_dict["NAME"]
    if connection.vendor == "postgresql":
        connection.settings_dict["TEST"]["NAME"] = f"{base}_bench_programs"
    else:
        connection.settings_dict["TEST"]["NAME"] = "/tmp/cp_bench_programs.sqlite3"
    return connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)


def _seed_creators(count: int) -> list[int]:
    """Users with profiles (fans spread 0..99,999), notes and daily figures for a fifth."""
    from django.utils import timezone

    from apps.accounts.models import Category, Profile, User
    from apps.analytics.days import local_today
    from apps.analytics.models import CreatorDaily
    from apps.notes.models import Note

    for start in range(0, count, BATCH):
        users = User.objects.bulk_create(
            [
                User(username=f"bench_creator_{i:06d}", password="!")
                for i in range(start, min(count, start + BATCH))
            ]
        )
        Profile.objects.bulk_create(
            [
                Profile(
                    user=user, display_name=user.username, fans_count=(user.pk * 7919) % 100_000
                )
                for user in users
            ]
        )
    ids = list(
        User.objects.filter(username__startswith="bench_creator_")
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    category, _ = Category.objects.get_or_create(
        slug="beauty", defaults={"name": "Beauty", "name_zh": "美妆"}
    )
    now, yesterday = timezone.now(), local_today() - timedelta(days=1)
    active = ids[::5]
    for start in range(0, len(active), BATCH // 3):
        chunk = active[start : start + BATCH // 3]
        Note.objects.bulk_create(
            [
                Note(
                    author_id=author,
                    kind="image",
                    title="bench",
                    category=category,
                    status="published",
                    published_at=now - timedelta(days=n * 9),
                )
                for author in chunk
                for n in range(3)
            ]
        )
        CreatorDaily.objects.bulk_create(
            [
                CreatorDaily(
                    creator_id=author,
                    day=yesterday - timedelta(days=d),
                    fans_total=1_000,
                    views=1_000,
                    engagements=(author % 100) + d,
                    new_fans=10,
                    net_fans=8,
                    lost_fans=2,
                )
                for author in chunk
                for d in range(7)
            ]
        )
    return ids


def _programs() -> None:
    from apps.programs.models import AgencyRequirement, GrowthProgram

    rules = [
        ("fast-growing", 1_000, 2, "0.03", AgencyRequirement.ANY),
        ("circle-breaking", 10_000, 3, "0.05", AgencyRequirement.ANY),
        ("ip-co-creation", 50_000, 3, "0.04", AgencyRequirement.SIGNED),
        ("star-of-tomorrow", 0, 1, "0.08", AgencyRequirement.UNSIGNED),
    ]
    for key, fans, notes, rate, agency in rules:
        GrowthProgram.objects.create(
            key=key,
            name=key,
            min_fans=fans,
            min_notes_30d=notes,
            min_engagement_rate=Decimal(rate),
            agency_requirement=agency,
        )


def _reference_scan_seconds() -> float:
    from django.db import connection

    with connection.cursor() as cursor:
        started = time.perf_counter()
        cursor.execute(
            "SELECT count(*) FROM accounts_profile p JOIN accounts_user u ON u.id = p.user_id "
            "WHERE u.is_active AND p.fans_count >= 0"
        )
        cursor.fetchone()
        return time.perf_counter() - started


def _job(creators: int) -> float:
    from apps.programs import services
    from apps.programs.models import ProgramApplication

    reference = _reference_scan_seconds()
    started = time.perf_counter()
    invited = services.programs_invite_eligible()
    first = time.perf_counter() - started
    started = time.perf_counter()
    again = services.programs_invite_eligible()
    second = time.perf_counter() - started
    print(f"nightly eligibility job over {creators:,} creators (4 programs):")
    print(f"  first run  {first:7.2f} s  invited {invited}")
    print(f"  second run {second:7.2f} s  invited {again}")
    print(
        f"  reference: full scan of profiles x users {reference * 1000:.1f} ms; "
        f"first run = {first / reference:.0f}x the scan, second = {second / reference:.0f}x"
    )
    print(f"  applications now: {ProgramApplication.objects.count():,}")
    return max(first, second)


def _sign(ids: list[int], signed: int) -> object:
    from django.utils import timezone

    from apps.accounts import organisations
    from apps.accounts.models import Organisation, User
    from apps.ledger import services as ledger
    from apps.ledger.models import AccountKind, TransactionKind
    from apps.programs.models import AgencyContract, ContractStatus

    owner = User.objects.create(username="bench_agency_owner", password="!")
    agency = organisations.organisation_create(
        user=owner,
        kind="mcn",
        name="Bench MCN",
        business_licence_number="91310000MA1BENCH01",
        contact_name="Bench",
        contact_phone="13800000000",
    )
    Organisation.objects.filter(pk=agency.pk).update(verification_status="verified")
    now = timezone.now()
    creators = ids[::5][:signed]  # creators with figures
    AgencyContract.objects.bulk_create(
        [
            AgencyContract(
                agency=agency,
                creator_id=creator,
                requested_by=owner,
                revenue_share=Decimal("0.2"),
                starts_on=now.date(),
                term_months=12,
                data_sharing=True,
                status=ContractStatus.ACTIVE,
                expires_at=now,
                active_from=now - timedelta(days=1),
                active_until=now + timedelta(days=365),
            )
            for creator in creators
        ],
        batch_size=BATCH,
    )
    sender = User.objects.create(username="bench_fan", password="!")
    clearing = ledger.system_account(AccountKind.PROVIDER_CLEARING)
    ledger.transaction_post(
        kind=TransactionKind.TOPUP,
        legs=[
            (clearing, -1_000 * len(creators)),
            (ledger.user_wallet(sender.pk), 1_000 * len(creators)),
        ],
        description="bench funding",
    )
    gifts = [
        ledger.Gift(
            ledger.Owner.user(sender.pk), ledger.Owner.user(creator), 1_000, "0.3", f"b{creator}"
        )
        for creator in creators
    ]
    for start in range(0, len(gifts), 200):
        ledger.gift_batch(gifts=gifts[start : start + 200])
    return owner, agency


def _timed(client, url: str, requests: int) -> tuple[float, float]:
    times = []
    for _ in range(requests):
        started = time.perf_counter()
        response = client.get(url)
        if hasattr(response, "streaming_content"):
            b"".join(response.streaming_content)
        times.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, response.content[:300]
    times.sort()
    return statistics.median(times), times[max(0, int(len(times) * 0.95) - 1)]


def _profile(client, url: str) -> None:
    import cProfile
    import pstats

    profiler = cProfile.Profile()
    profiler.enable()
    client.get(url)
    profiler.disable()
    pstats.Stats(profiler).sort_stats("cumulative").print_stats(25)


def _dashboard(owner, agency, signed: int, requests: int, profile: bool = False) -> float:
    from django.db import connection
    from rest_framework.test import APIClient

    from config.gc_tuning import tune_for_server

    # As a server process does once start-up is done (config/asgi.py, config/wsgi.py): the
    # objects loaded so far, seeding included, are frozen and young collections are rarer.
    tuned = tune_for_server()
    print(f"garbage collector: {'server tuning (config/gc_tuning.py)' if tuned else 'defaults'}")
    client = APIClient()
    client.force_authenticate(owner)
    url = f"/api/v1/organisations/{agency.pk}/dashboard?days=30"
    response = client.get(url)
    rows = len(response.json()["creators"])
    statements: list[tuple[float, str]] = []

    def count(execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            statements.append(((time.perf_counter() - started) * 1000, sql))

    with connection.execute_wrapper(count):
        client.get(url)
    if profile:
        _profile(client, url)
    reference_p50, _ = _timed(client, "/api/v1/programs", requests)
    p50, p95 = _timed(client, url, requests)
    csv_p50, csv_p95 = _timed(client, url.replace("dashboard?", "dashboard/export?"), requests)
    print(f"agency dashboard, {rows:,} signed creators sharing data ({requests} requests each):")
    print(f"  JSON p50 {p50:6.1f} ms  p95 {p95:6.1f} ms  queries {len(statements)}")
    for took, sql in statements:
        print(f"    {took:7.1f} ms  {sql[:110]}")
    print(f"  CSV  p50 {csv_p50:6.1f} ms  p95 {csv_p95:6.1f} ms")
    print(
        f"  reference: GET /api/v1/programs p50 {reference_p50:.1f} ms; "
        f"dashboard p50 = {p50 / reference_p50:.1f}x, p95 = {p95 / reference_p50:.1f}x"
    )
    return p95


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--creators", type=int, default=100_000)
    parser.add_argument("--signed", type=int, default=1_000)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--profile", action="store_true", help="cProfile one dashboard request")
    parser.add_argument("--max-p95-ms", type=float, default=None)
    parser.add_argument("--max-job-seconds", type=float, default=None)
    args = parser.parse_args()
    _setup_django()
    from django.db import connection

    name = _create_database()
    try:
        load = os.getloadavg()
        print(
            f"{connection.vendor}, load average before: {load[0]:.1f} {load[1]:.1f} {load[2]:.1f}"
        )
        started = time.perf_counter()
        ids = _seed_creators(args.creators)
        _programs()
        owner, agency = _sign(ids, args.signed)
        print(f"seeded {len(ids):,} creators in {time.perf_counter() - started:.1f} s")
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        p95 = _dashboard(owner, agency, args.signed, args.requests, args.profile)
        job = _job(args.creators)
        load = os.getloadavg()
        print(f"load average after: {load[0]:.1f} {load[1]:.1f} {load[2]:.1f}")
        failed = (args.max_p95_ms is not None and p95 > args.max_p95_ms) or (
            args.max_job_seconds is not None and job > args.max_job_seconds
        )
        return 1 if failed else 0
    finally:
        connection.close()
        connection.creation.destroy_test_db(name, verbosity=0)


if __name__ == "__main__":
    sys.exit(main())
