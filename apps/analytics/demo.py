"""Demo events for ``manage.py seed_demo``: a year of realistic traffic on the demo notes.

``--events N`` (default 5,000; 10,000,000 for benchmarks) rows are generated day by day in time
order (what the BRIN index on occurred_at relies on) and written with COPY, never as ORM
objects. The mix follows a real funnel (impressions far above views, views above likes...),
activity and popularity follow long tails, traffic grows over the year with weekend peaks, and
every event carries its author and the viewer's snapshot as the API would have stored it.
Follow events replay real follow edges. Live and product events wait for rooms and products.

Idempotent: every seeded event has a ``seed-<N>-<i>`` client id and the last one belongs to the
demo user, so one index lookup tells whether this size was seeded already; if not, earlier seeded
events (another size, or an interrupted run) are deleted and the stream written afresh.
"""

import json
import math
import random
import time
from collections import defaultdict
from datetime import datetime, timedelta
from itertools import accumulate
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.management.base import CommandParser
from django.db import connection, models, transaction
from django.utils import timezone
from tqdm import tqdm

from apps.accounts.models import Follow, Profile
from apps.analytics.kinds import EventKind, EventSource, age_band_for
from apps.analytics.models import Event
from apps.analytics.selectors import note_model
from apps.core.seeding import DemoContext

DEFAULT_EVENTS = 5_000
DAYS = 365
CHUNK = 50_000  # rows per COPY / insert
# From this size on, btree indexes are dropped and built once after the load: a sorted build is
# several times faster than maintaining them row by row (the BRIN index stays; it costs nothing).
BULK_LOAD_MIN = 1_000_000
# Share of each kind in the stream, roughly a note community's funnel.
KIND_WEIGHTS: list[tuple[str, float]] = [
    (EventKind.IMPRESSION, 70.0),
    (EventKind.VIEW, 15.0),
    (EventKind.VIDEO_WATCH, 5.0),
    (EventKind.LIKE, 4.0),
    (EventKind.COLLECT, 1.6),
    (EventKind.PROFILE_VISIT, 1.6),
    (EventKind.COMMENT, 0.8),
    (EventKind.SHARE, 0.6),
    (EventKind.UNLIKE, 0.25),
    (EventKind.UNCOLLECT, 0.15),
]
SOURCE_WEIGHTS: list[tuple[str, float]] = [
    (EventSource.FEED, 58.0),
    (EventSource.FOLLOW_FEED, 14.0),
    (EventSource.SEARCH, 15.0),
    (EventSource.PROFILE, 6.0),
    (EventSource.TOPIC, 3.0),
    (EventSource.PROMOTION, 4.0),
]
FOLLOW_SHARE = 0.01  # at most this share of the stream replays follow edges
SHARE_CHANNELS = ["wechat", "moments", "weibo", "qq", "link"]

COPY_COLUMNS = (
    "occurred_at",
    "received_at",
    "actor_id",
    "note_id",
    "author_id",
    "target_user_id",
    "source_id",
    "completion",
    "dwell_ms",
    "watch_ms",
    "kind",
    "source",
    "client_event_id",
    "gender",
    "age_band",
    "region",
    "interests",
    "properties",
)


def add_arguments(parser: CommandParser) -> None:
    parser.add_argument(
        "--events",
        type=int,
        default=DEFAULT_EVENTS,
        help=f"analytics events over the past year (default {DEFAULT_EVENTS:,}; 10,000,000 "
        "for benchmarks)",
    )


def seed(ctx: DemoContext) -> None:
    total = max(int(ctx.options.get("events") or 0), 0)
    if total == 0:
        return
    _restore_indexes()  # an interrupted bulk load may have left them dropped
    marker = f"seed-{total}-{total - 1}"
    if Event.objects.filter(actor_id=ctx.demo_user_id, client_event_id=marker).exists():
        return
    started = time.monotonic()
    _clear_seeded()
    bulk = connection.vendor == "postgresql" and total >= BULK_LOAD_MIN
    if bulk:
        _drop_indexes()
    try:
        written = _write(_stream(ctx, total), total=total, progress=ctx.progress)
    finally:
        if bulk:
            _restore_indexes()
    ctx.stdout.write(
        f"analytics: {written:,} events in {time.monotonic() - started:.1f}s", ending="\n"
    )


def _clear_seeded() -> None:
    """Remove earlier seeded events; TRUNCATE when there is nothing else (no dead rows left)."""
    seeded = Event.objects.filter(client_event_id__startswith="seed-")
    if connection.vendor != "postgresql" or not seeded.exists():
        seeded.delete()
        return
    if Event.objects.exclude(client_event_id__startswith="seed-").exists():
        seeded.delete()
        return
    with connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE {Event._meta.db_table}")


def _secondary_indexes() -> list[Any]:
    """The btree indexes and unique constraints a bulk load rebuilds rather than maintains."""
    btrees = [index for index in Event._meta.indexes if type(index) is models.Index]
    return btrees + list(Event._meta.constraints)


def _existing_index_names() -> set[str]:
    with connection.cursor() as cursor:
        return set(connection.introspection.get_constraints(cursor, Event._meta.db_table))


def _drop_indexes() -> None:
    existing = _existing_index_names()
    with connection.schema_editor() as editor:
        for index in _secondary_indexes():
            if index.name not in existing:
                continue
            if isinstance(index, models.Index):
                editor.remove_index(Event, index)
            else:
                editor.remove_constraint(Event, index)


def _restore_indexes() -> None:
    missing = [i for i in _secondary_indexes() if i.name not in _existing_index_names()]
    if not missing:
        return
    with connection.schema_editor() as editor:
        if connection.vendor == "postgresql":
            editor.execute("SET LOCAL maintenance_work_mem = '512MB'")
        for index in missing:
            if isinstance(index, models.Index):
                editor.add_index(Event, index)
            else:
                editor.add_constraint(Event, index)


# --- generation ---------------------------------------------------------------------------


class _Population:
    """Who acts and on what, with long-tailed weights, read once with values_list."""

    def __init__(self, ctx: DemoContext, total: int) -> None:
        self.rng = random.Random(f"analytics-{ctx.options.get('seed', 0)}-{total}")
        self.user_ids = list(ctx.user_ids)
        self.demo_user_id = ctx.demo_user_id
        # A few heavy users do most of the browsing.
        order = list(self.user_ids)
        self.rng.shuffle(order)
        self.actors = order
        self.actor_cum = list(accumulate(1.0 / (rank + 1) ** 0.6 for rank in range(len(order))))
        self.profiles = self._profiles()
        self._snapshots: dict[tuple[int, int], tuple[str, str, str, str]] = {}
        model = note_model()
        notes: list[tuple[int, int, bool]] = []
        if model is not None:
            names = {f.name for f in model._meta.get_fields()}
            fields = ["pk", "author_id"] + (["kind"] if "kind" in names else [])
            for row in model._default_manager.order_by("pk").values_list(*fields):
                notes.append((row[0], row[1], len(row) > 2 and row[2] == "video"))
        self.rng.shuffle(notes)
        self.notes = notes
        self.note_cum = list(accumulate(1.0 / (rank + 1) ** 0.8 for rank in range(len(notes))))

    def _profiles(self) -> dict[int, tuple[str, int | None, str, str]]:
        interests: dict[int, list[int]] = defaultdict(list)
        through = Profile.interests.through
        for profile_id, category_id in through.objects.filter(
            profile_id__in=self.user_ids
        ).values_list("profile_id", "category_id"):
            interests[profile_id].append(category_id)
        return {
            user_id: (
                gender or "",
                birth_year,
                region or "",
                "{" + ",".join(str(c) for c in sorted(interests.get(user_id, ()))) + "}",
            )
            for user_id, gender, birth_year, region in Profile.objects.filter(
                user_id__in=self.user_ids
            ).values_list("user_id", "gender", "birth_year", "region")
        }

    def snapshot(self, actor_id: int, year: int) -> tuple[str, str, str, str]:
        key = (actor_id, year)
        found = self._snapshots.get(key)
        if found is None:
            gender, birth_year, region, interests = self.profiles.get(
                actor_id, ("", None, "", "{}")
            )
            found = self._snapshots[key] = (
                gender,
                age_band_for(birth_year, year),
                region,
                interests,
            )
        return found


def _day_counts(rng: random.Random, total: int) -> list[int]:
    """Events per day over the year: growth, weekend peaks, some noise; sums to ``total``."""
    weights = []
    for day in range(DAYS):
        growth = 0.5 + day / DAYS
        weekend = 1.25 if day % 7 in (5, 6) else 1.0
        weights.append(growth * weekend * rng.uniform(0.85, 1.15))
    scale = total / sum(weights)
    counts = [int(w * scale) for w in weights]
    counts[-1] += total - sum(counts)
    if counts[-1] == 0:  # the last day holds the completion marker
        busiest = counts.index(max(counts))
        counts[busiest] -= 1
        counts[-1] = 1
    return counts


def _stream(ctx: DemoContext, total: int):
    """Rows in COPY_COLUMNS order, in time order, exactly ``total`` of them."""
    population = _Population(ctx, total)
    rng = population.rng
    local = ZoneInfo(settings.ANALYTICS_TIME_ZONE)
    now = timezone.now()
    start = now - timedelta(days=DAYS)
    counts = _day_counts(rng, total)

    follows_by_day = _follow_edges(population, start, int(total * FOLLOW_SHARE))
    kinds = [k for k, _ in KIND_WEIGHTS]
    kind_cum = list(accumulate(w for _, w in KIND_WEIGHTS))
    if not population.notes:
        kinds, kind_cum = [EventKind.PROFILE_VISIT], [1.0]
    sources = [s for s, _ in SOURCE_WEIGHTS]
    source_cum = list(accumulate(w for _, w in SOURCE_WEIGHTS))
    creators = list(ctx.creator_ids) or population.user_ids

    index = 0
    for day, count in enumerate(counts):
        day_start = start + timedelta(days=day)
        follows = follows_by_day.get(day, [])[:count]
        n = count - len(follows)
        seconds = sorted(rng.random() * 86400 for _ in range(n))
        actors = rng.choices(population.actors, cum_weights=population.actor_cum, k=n)
        picked_kinds = rng.choices(kinds, cum_weights=kind_cum, k=n)
        picked_sources = rng.choices(sources, cum_weights=source_cum, k=n)
        notes = (
            rng.choices(population.notes, cum_weights=population.note_cum, k=n)
            if population.notes
            else [None] * n
        )
        day_rows = []
        for i in range(n):
            moment = day_start + timedelta(seconds=seconds[i])
            if moment > now:
                moment = now
            actor = actors[i]
            kind = picked_kinds[i]
            note = notes[i]
            note_id = author_id = target = completion = dwell = watch = None
            properties = "{}"
            if note is not None:
                note_id, author_id, is_video = note
                if kind == EventKind.VIDEO_WATCH and not is_video:
                    kind = EventKind.VIEW
                if kind == EventKind.VIEW:
                    dwell = int(rng.lognormvariate(9.4, 0.9))  # median about 12 s
                elif kind == EventKind.VIDEO_WATCH:
                    completion = round(min(1.0, rng.betavariate(1.6, 1.4)), 3)
                    watch = int(completion * rng.uniform(15_000, 180_000))
                elif kind == EventKind.PROFILE_VISIT:
                    target = author_id
                elif kind == EventKind.SHARE:
                    properties = json.dumps({"channel": rng.choice(SHARE_CHANNELS)})
            else:
                author_id = target = creators[int(rng.random() ** 2 * len(creators))]
            source = picked_sources[i]
            source_id = None
            if source == EventSource.PROMOTION:
                source_id = rng.randint(1, 500)
            day_rows.append(
                (
                    moment,
                    actor,
                    note_id,
                    author_id,
                    target,
                    source_id,
                    completion,
                    dwell,
                    watch,
                    kind,
                    source,
                    properties,
                )
            )
        for follower, followee, source, source_id, moment in follows:
            note_id = source_id if source == EventSource.NOTE else None
            day_rows.append(
                (
                    moment,
                    follower,
                    note_id,
                    followee,
                    followee,
                    source_id,
                    None,
                    None,
                    None,
                    EventKind.FOLLOW,
                    source,
                    "{}",
                )
            )
        day_rows.sort(key=lambda row: row[0])
        if day == len(counts) - 1 and day_rows:
            # The last event belongs to the demo user: the marker of a complete run.
            last = list(day_rows[-1])
            last[1] = population.demo_user_id
            day_rows[-1] = tuple(last)
        for row in day_rows:
            moment, actor = row[0], row[1]
            gender, age_band, region, interests = population.snapshot(
                actor, moment.astimezone(local).year
            )
            # Received a little after it happened, as a client batch would be.
            received = moment + timedelta(seconds=rng.random() * 30)
            yield (
                moment,
                received,
                actor,
                row[2],
                row[3],
                row[4],
                row[5],
                row[6],
                row[7],
                row[8],
                row[9],
                row[10],
                f"seed-{total}-{index}",
                gender,
                age_band,
                region,
                interests,
                row[11],
            )
            index += 1


def _follow_edges(
    population: _Population, start: datetime, limit: int
) -> dict[int, list[tuple[int, int, str, int | None, datetime]]]:
    """Real follow edges made during the year, by day (a random ``limit`` of them)."""
    edges = list(
        Follow.objects.filter(created_at__gte=start)
        .order_by("pk")
        .values_list("follower_id", "followee_id", "source", "source_id", "created_at")
    )
    if len(edges) > limit:
        edges = population.rng.sample(edges, limit)
    by_day: dict[int, list] = defaultdict(list)
    for edge in edges:
        day = math.floor((edge[4] - start).total_seconds() / 86400)
        if 0 <= day < DAYS:
            by_day[day].append(edge)
    return by_day


# --- writing ------------------------------------------------------------------------------


def _write(rows: Any, *, total: int, progress: bool) -> int:
    bar = tqdm(
        total=total, desc="events", unit="ev", disable=None if progress else True, leave=False
    )
    written = 0
    chunk: list[tuple] = []
    for row in rows:
        chunk.append(row)
        if len(chunk) >= CHUNK:
            written += _write_chunk(chunk)
            bar.update(len(chunk))
            chunk = []
    if chunk:
        written += _write_chunk(chunk)
        bar.update(len(chunk))
    bar.close()
    return written


def _write_chunk(rows: list[tuple]) -> int:
    table = Event._meta.db_table
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            statement = f"COPY {table} ({', '.join(COPY_COLUMNS)}) FROM STDIN"
            with cursor.copy(statement) as copy:
                for row in rows:
                    copy.write_row(row)
            return len(rows)
        Event.objects.bulk_create([_as_model(row) for row in rows], batch_size=2_000)
        return len(rows)


def _as_model(row: tuple) -> Event:
    values = dict(zip(COPY_COLUMNS, row, strict=True))
    values["interests"] = json.loads(values["interests"].replace("{", "[").replace("}", "]"))
    values["properties"] = json.loads(values["properties"])
    return Event(**values)
