"""Fries: a full day of one ¥200 order on a virtual clock, and the feed with 1,000 orders.

Part 1 (pacing and the cap). One order of ¥200 over 24 hours; a virtual clock walks the day
minute by minute. Each virtual minute, feed requests from a day-shaped demand curve (busiest at
21:00, quietest at 05:00, always above what the budget can buy) are served by ``--threads``
concurrent threads, each reserving through the same counters the feed uses (Redis with
REDIS_URL: the atomic script; otherwise the in-process fallback); then the minute tick bills,
paces and, at the end, completes the order. Printed: spend per hour, hours with spend, the
largest hour over the mean, overspend in fen, and charged + refunded against paid.
Goals: 0 fen overspent; spend in >= 20 of 24 hours; no hour above 2x the mean.

Part 2 (the feed's cost). ``GET /api/v1/feed/discover`` through Django's whole stack for
``--viewers`` viewers, with 0 and with ``--orders`` active orders that all target the viewers,
alternating in blocks of one request per viewer (each side has its own counters namespace);
printed: p50 and p99 of each and the difference (goal: p99 at most 2 ms higher with ads).
Absolute times depend on the machine's load (printed); the comparison is within one run.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/cp_bench_promotion \\
    REDIS_URL=redis://127.0.0.1:6379/6 .venv/bin/python bench/promotion.py \\
        [--threads 32] [--step-minutes 1] [--orders 1000] [--requests 5000]

The database named by DATABASE_URL is created if missing and migrated.
"""

import argparse
import math
import os
import random
import statistics
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.feed_and_events import _ensure_database, _setup_django  # noqa: E402

BUDGET = 20_000
VIEWER_BASE = 10**12  # synthetic viewer ids for part 1 (serving needs no user row)


def demand(hour: float, base: int) -> int:
    """Feed requests in a minute at ``hour`` (0-24, local): peak 21:00, trough 05:00."""
    shape = 0.3 + 0.7 * (1 + math.cos(2 * math.pi * (hour - 21) / 24)) / 2
    return max(1, round(base * shape))


def _order_for_the_day():
    from django.test import TestCase

    from apps.accounts.models import User
    from apps.ledger import services as ledger
    from apps.notes.models import Note
    from apps.promotion import services
    from apps.promotion.quotes import QuoteRequest

    stamp = time.time_ns()
    creator = User.objects.create_user(username=f"bp{stamp % 10**9}c", password=None)
    intent = ledger.payment_intent_create(user=creator, amount=BUDGET, provider="sandbox")
    ledger.sandbox_payment_complete(intent=intent, succeed=True)
    note = _notes(creator, 1, rank=0)[0]
    request = QuoteRequest(
        note_id=note.pk,
        objective="reads",
        budget=BUDGET,
        duration_hours=24,
        targeting_mode="custom",
        targeting={"genders": ["female", "male", "undisclosed"]},
    )
    with TestCase.captureOnCommitCallbacks(execute=True):
        order = services.promotion_order_create(creator=creator, request=request)
    assert isinstance(note, Note)
    return creator, order


def _notes(author, n: int, *, rank: int, category=None) -> list:
    from django.utils import timezone

    from apps.notes.models import Note

    return Note.objects.bulk_create(
        [
            Note(
                author=author,
                title=f"bench {i}",
                category=category,
                status="published",
                published_at=timezone.now(),
                rank=rank - i,
            )
            for i in range(n)
        ]
    )


def full_day(*, threads: int, step_minutes: int, base: int) -> bool:
    """Part 1; returns whether the goals were met."""
    from apps.analytics.days import local_today
    from apps.ledger.selectors import user_wallet_balance
    from apps.promotion import services
    from apps.promotion.counters import counters
    from apps.promotion.models import PromotionOrder

    creator, order = _order_for_the_day()
    hot = counters()
    rng = random.Random(7)
    viewers = [VIEWER_BASE + i for i in range(20_000)]
    per_hour = [0] * 24
    served_total = 0
    start = order.starts_at
    local_start_hour = (start.hour + 8) % 24  # Asia/Shanghai

    def request(viewer_id: int, now_ms: int, day: str) -> int:
        return len(
            hot.reserve(
                viewer_id=viewer_id,
                candidates=[order.pk],
                want=1,
                now_ms=now_ms,
                day=day,
                draws=[random.random()],
            )
        )

    began = time.perf_counter()
    with ThreadPoolExecutor(max_workers=threads) as pool:
        for minute in range(0, 24 * 60, step_minutes):
            moment = start + timedelta(minutes=minute, seconds=30)
            hour_index = minute // 60
            wanted = demand((local_start_hour + minute / 60) % 24, base) * step_minutes
            now_ms = int(moment.timestamp() * 1000)
            day = local_today(moment).isoformat()
            jobs = [pool.submit(request, rng.choice(viewers), now_ms, day) for _ in range(wanted)]
            served_total += sum(job.result() for job in jobs)
            tick = services.promotion_tick(now=start + timedelta(minutes=minute + step_minutes))
            per_hour[hour_index] += tick.billed_fen
        final = services.promotion_tick(now=order.ends_at + timedelta(seconds=1))
    order = PromotionOrder.objects.get(pk=order.pk)
    per_hour[-1] += final.billed_fen
    seconds = time.perf_counter() - began
    mean = sum(per_hour) / 24
    hours_with_spend = sum(1 for fen in per_hour if fen > 0)
    largest = max(per_hour) / mean if mean else 0.0
    overspend = max(0, order.spent - order.budget)
    wallet = user_wallet_balance(user=creator).available
    print(f"\n# Part 1: one ¥200 order over a virtual day, {threads} serving threads")
    print(f"virtual minutes per step: {step_minutes}; wall time {seconds:.1f} s")
    print("spend per hour (fen):", " ".join(str(fen) for fen in per_hour))
    print(f"impressions served: {served_total}; billed: {order.impressions_billed};")
    print(f"  cap: {order.max_impressions}; status: {order.status}")
    print(f"hours with spend: {hours_with_spend} of 24")
    print(f"largest hour over the mean: {largest:.2f}x")
    print(f"overspend: {overspend} fen")
    print(
        f"charged + refunded = {order.spent} + {order.refunded} = "
        f"{order.spent + order.refunded} (paid {order.budget}); wallet now {wallet}"
    )
    return (
        overspend == 0
        and hours_with_spend >= 20
        and largest <= 2.0
        and order.spent + order.refunded == order.budget
        and wallet == order.refunded
    )


def _active_orders(n: int, category) -> None:
    from django.utils import timezone

    from apps.accounts.models import User
    from apps.promotion import billing
    from apps.promotion.models import PromotionOrder

    author = User.objects.create_user(username=f"bp{time.time_ns() % 10**9}o")
    notes = _notes(author, n, rank=-(10**12), category=category)
    start = timezone.now() - timedelta(minutes=1)
    orders = PromotionOrder.objects.bulk_create(
        [
            PromotionOrder(
                creator=author,
                note=note,
                objective="reads",
                budget=750_000,
                duration_hours=168,
                targeting_mode="smart",
                targeting={"interests": [category.pk]},
                cpm=3_000,
                max_impressions=250_000,
                status="active",
                starts_at=start,
                ends_at=start + timedelta(hours=168),
            )
            for note in notes
        ]
    )
    for order in orders:
        billing.order_republish(order)
    return orders


def _remove_fake_orders() -> None:
    """Part 2's orders have no escrow (they only measure serving): never leave them active for
    a later tick to bill."""
    from apps.promotion.models import PromotionOrder

    PromotionOrder.objects.filter(
        creator__username__startswith="bp", creator__username__endswith="o"
    ).delete()


def _provider_cost(specs: dict, *, viewer) -> dict[str, float]:
    """The feed-slot provider called directly, with no orders and with them (ms, median)."""
    from apps.notes.hooks import FeedSlotRequest
    from apps.promotion.counters import counters
    from apps.promotion.delivery import promoted_slots

    request = FeedSlotRequest(viewer=viewer, page_note_ids=tuple(range(1, 21)), position=None)
    found = {}
    for label, active in (("none", {}), ("ads", specs)):
        counters().specs_replace(active)
        promoted_slots(request)
        times = []
        for _ in range(200):
            began = time.perf_counter()
            promoted_slots(request)
            times.append((time.perf_counter() - began) * 1000)
        found[label] = statistics.median(times)
    return found


def feed_cost(*, orders: int, requests: int, viewers: int) -> bool:
    """Part 2; returns whether the p99 goal was met."""
    from django.conf import settings
    from rest_framework.test import APIClient

    from apps.accounts.models import Category, User
    from apps.promotion import billing
    from apps.promotion.counters import counters

    settings.PROMOTION_PACING_LEAD_SECONDS = 10 * 24 * 3600  # measure serving, not pacing
    category = Category.objects.order_by("pk").first()
    stamp = time.time_ns()
    author = User.objects.create_user(username=f"bp{stamp % 10**9}a")
    _notes(author, 200, rank=10**12, category=category)
    clients = []
    for i in range(viewers):
        viewer = User.objects.create_user(username=f"bp{stamp % 10**9}v{i}")
        viewer.profile.interests.add(category)
        client = APIClient()
        client.force_authenticate(viewer)
        clients.append(client)
    active = _active_orders(orders, category)
    specs = {order.pk: billing.spec_of(order) for order in active}
    from config.gc_tuning import tune_for_server

    # As a server process does once start-up is done (config/asgi.py, config/wsgi.py).
    tuned = tune_for_server()
    print(f"garbage collector: {'server tuning (config/gc_tuning.py)' if tuned else 'defaults'}")
    # Each side has its own counters namespace (the keys carry CACHE_KEY_PREFIX), published
    # once; the process keeps a copy of each. The sides then alternate in short blocks (one
    # request per viewer; ads first in every other pair of blocks), so both meet the same
    # moments of the machine. Blocks rather than single requests: the garbage collector runs
    # when the objects alive since the last collection pass a threshold, and with single
    # requests the side whose requests peak higher would trip every collection the other
    # side's garbage brought to the brink.
    base_prefix = settings.CACHE_KEY_PREFIX
    prefixes = {"none": f"{base_prefix}:none", "ads": f"{base_prefix}:ads"}
    for label, prefix in prefixes.items():
        settings.CACHE_KEY_PREFIX = prefix
        if label == "ads":
            for order in active:
                billing.order_republish(order)
        counters().specs_replace(specs if label == "ads" else {})
        clients[0].get("/api/v1/feed/discover?page_size=20")  # load this side's copy once
    timings: dict[str, list[float]] = {"none": [], "ads": []}
    promoted = 0
    block = len(clients)
    for pair in range(max(1, requests // block)):
        for label in ("none", "ads") if pair % 2 == 0 else ("ads", "none"):
            settings.CACHE_KEY_PREFIX = prefixes[label]
            for client in clients:
                began = time.perf_counter()
                response = client.get("/api/v1/feed/discover?page_size=20")
                timings[label].append((time.perf_counter() - began) * 1000)
                assert response.status_code == 200
                # Read both sides' pages alike (the same garbage for the collector either way).
                shown = sum(1 for row in response.json()["results"] if row["promoted"])
                if label == "ads":
                    promoted += shown
                elif shown:
                    raise AssertionError("a promoted note was served with no running order")
    settings.CACHE_KEY_PREFIX = prefixes["ads"]
    provider = _provider_cost(specs, viewer=clients[0].handler._force_user)
    for prefix in prefixes.values():
        settings.CACHE_KEY_PREFIX = prefix
        counters().specs_replace({})
    settings.CACHE_KEY_PREFIX = base_prefix
    _remove_fake_orders()

    def p(values: list[float], q: float) -> float:
        return statistics.quantiles(values, n=100)[q - 1]

    none50, none99 = p(timings["none"], 50), p(timings["none"], 99)
    ads50, ads99 = p(timings["ads"], 50), p(timings["ads"], 99)
    print(f"\n# Part 2: discovery feed, page of 20, {len(timings['ads'])} requests each")
    print(f"load average: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print(f"without orders:        p50 {none50:6.2f} ms   p99 {none99:6.2f} ms")
    print(f"with {orders} orders: p50 {ads50:6.2f} ms   p99 {ads99:6.2f} ms")
    print(f"difference:            p50 {ads50 - none50:+6.2f} ms   p99 {ads99 - none99:+6.2f} ms")
    print(f"promoted notes served with ads: {promoted}")
    print(
        "the provider alone (viewer query, choice, Redis script), median of 200 calls: "
        f"{provider['none']:.2f} ms with no orders, {provider['ads']:.2f} ms with {orders}"
    )
    return ads99 - none99 <= 2.0 and promoted > 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=32)
    parser.add_argument("--step-minutes", type=int, default=1)
    parser.add_argument("--demand", type=int, default=40, help="peak feed requests a minute")
    parser.add_argument("--orders", type=int, default=1000)
    parser.add_argument("--requests", type=int, default=5000, help="feed requests per side")
    parser.add_argument("--viewers", type=int, default=20)
    parser.add_argument("--part", choices=("all", "day", "feed"), default="all")
    args = parser.parse_args()
    _ensure_database()
    _setup_django()
    from django.conf import settings
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    settings.PROMOTION_MIN_AUDIENCE = 0  # part 1's viewers are synthetic ids, not user rows
    # Counters of another database on the same Redis (an earlier run, the smoke database) must
    # never be taken for this one's: order ids repeat across databases.
    settings.CACHE_KEY_PREFIX = f"bench-promotion-{os.getpid()}-{time.time_ns()}"
    _remove_fake_orders()  # left by an interrupted run
    engine = settings.DATABASES["default"]["ENGINE"]
    print(f"counters: {settings.PROMOTION_COUNTERS}; database: {engine}")
    print(f"load average at start: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    day_ok = feed_ok = True
    if args.part in ("all", "day"):
        day_ok = full_day(threads=args.threads, step_minutes=args.step_minutes, base=args.demand)
    if args.part in ("all", "feed"):
        feed_ok = feed_cost(orders=args.orders, requests=args.requests, viewers=args.viewers)
    day = "met" if day_ok else "MISSED"
    feed = "met" if feed_ok else "MISSED"
    print(f"\ngoals: pacing and cap {day}; feed p99 {feed}")
    return 0 if day_ok else 1


if __name__ == "__main__":
    sys.exit(main())
