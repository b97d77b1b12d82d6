"""The nightly rollups against a plain Python computation over the same events.

A known world is built: two creators, notes, seventy viewers with profiles, a follow history
(edges made before, during and after the day, some ended by unfollows) and a few hundred events
around one Shanghai day, including events right at midnight. Every rollup row is then compared
with what the functions below compute from the same rows in Python.
"""

import math
import random
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db.models import Model

from apps.accounts.models import Category, Follow, Profile
from apps.analytics.kinds import age_band_for
from apps.analytics.models import (
    NOTE_DAILY_COLUMNS,
    CreatorDaily,
    DailyActiveUser,
    Event,
    FanActivityHourly,
    FanDemographicDaily,
    FanSourceDaily,
    NoteAudienceDaily,
    NoteDaily,
    NoteRetentionDaily,
    NoteSourceDaily,
)
from apps.analytics.rollups import rollup_backfill
from tests.analytics.factories import make_note
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")
DAY = date(2026, 3, 9)  # a Monday
NOW = datetime(2026, 3, 10, 2, 0, tzinfo=SHANGHAI)  # the nightly run: DAY is yesterday
GENDERS = ["female", "male", "undisclosed"]
REGIONS = ["shanghai", "beijing", "guangdong", ""]
SOURCES = ["feed", "search", "follow_feed", "profile"]


def local(day: date, hour: int = 0, minute: int = 0, second: int = 0, micro: int = 0):
    return datetime(day.year, day.month, day.day, hour, minute, second, micro, tzinfo=SHANGHAI)


def local_day(moment: datetime) -> date:
    return moment.astimezone(SHANGHAI).date()


@dataclass
class World:
    creator_a: int
    creator_b: int
    notes: dict[str, int]
    events: list[Event]
    profiles: dict[int, tuple[str, int | None, str, list[int]]]
    # follower, followee, created_at, ended_at (None: the edge exists now)
    follows: list[tuple[int, int, datetime, datetime | None]]


def build_world() -> World:
    rng = random.Random(20260309)
    categories = [
        Category.objects.get_or_create(slug=f"rollup-{i}", defaults={"name": f"C{i}"})[0].pk
        for i in range(4)
    ]
    a, b = UserFactory(), UserFactory()
    notes = {
        "a_image": make_note(a).pk,
        "a_video": make_note(a, kind="video").pk,
        "a_edge": make_note(a).pk,  # only midnight-boundary events
        "b_image": make_note(b).pk,
    }
    viewers = [UserFactory() for _ in range(70)]
    profiles: dict[int, tuple[str, int | None, str, list[int]]] = {}
    interests = Profile.interests.through
    for index, viewer in enumerate(viewers):
        gender = GENDERS[index % 3]
        birth_year = None if index % 11 == 0 else 1960 + index % 45
        region = REGIONS[index % 4]
        chosen = sorted(rng.sample(categories, index % 3))
        Profile.objects.filter(user=viewer).update(
            gender=gender, birth_year=birth_year, region=region
        )
        interests.objects.bulk_create(
            [interests(profile_id=viewer.pk, category_id=c) for c in chosen]
        )
        profiles[viewer.pk] = (gender, birth_year, region, chosen)

    long_ago = local(DAY - timedelta(days=40), 9)
    follows: list[tuple[int, int, datetime, datetime | None]] = []
    for index, viewer in enumerate(viewers[:62]):
        if index < 45:
            made = long_ago + timedelta(hours=index)  # before the event history: no event
        elif index < 55:
            made = local(DAY, 1 + index - 45, 15)  # during the day
        else:
            made = local(DAY + timedelta(days=1), 0, 30 + index - 55)  # today, after the day
        ended = None
        if index in (3, 47):
            ended = local(DAY, 20)  # unfollowed during the day
        elif index in (5, 50):
            ended = local(DAY + timedelta(days=1), 1)  # unfollowed today
        follows.append((viewer.pk, a.pk, made, ended))
    for viewer in viewers[60:68]:
        follows.append((viewer.pk, b.pk, long_ago, None))

    events: list[Event] = []

    def event(kind: str, moment: datetime, actor: int | None, **fields) -> None:
        snapshot = profiles.get(actor, ("", None, "", []))
        events.append(
            Event(
                occurred_at=moment,
                received_at=moment,
                actor_id=actor,
                kind=kind,
                source=fields.pop("source", "feed"),
                gender=snapshot[0],
                age_band=age_band_for(snapshot[1], local_day(moment).year),
                region=snapshot[2],
                interests=snapshot[3],
                **fields,
            )
        )

    for follower, followee, made, ended in follows:
        source, source_id, note_id = "profile", None, None
        if follower % 2 and followee == a.pk:
            source, source_id, note_id = "note", notes["a_image"], notes["a_image"]
        if made >= local(DAY - timedelta(days=2)):
            event(
                "follow",
                made,
                follower,
                author_id=followee,
                target_user_id=followee,
                note_id=note_id,
                source=source,
                source_id=source_id,
            )
        if ended is not None:
            event(
                "unfollow",
                ended,
                follower,
                author_id=followee,
                target_user_id=followee,
                source=source,
                source_id=source_id,
            )

    authors = {
        notes["a_image"]: a.pk,
        notes["a_video"]: a.pk,
        notes["a_edge"]: a.pk,
        notes["b_image"]: b.pk,
    }
    content_notes = [notes["a_image"], notes["a_video"], notes["b_image"]]
    start = local(DAY - timedelta(days=1), 12)
    for _ in range(900):
        moment = start + timedelta(seconds=rng.randrange(0, 42 * 3600))
        actor = rng.choice([v.pk for v in viewers] + [None])
        note = rng.choice(content_notes)
        kind = rng.choices(
            [
                "impression",
                "view",
                "video_watch",
                "like",
                "collect",
                "comment",
                "share",
                "profile_visit",
            ],
            [50, 20, 8, 6, 3, 3, 2, 4],
        )[0]
        fields: dict = {"source": rng.choice(SOURCES), "note_id": note, "author_id": authors[note]}
        if kind == "view":
            fields["dwell_ms"] = rng.randrange(500, 60_000)
        elif kind == "video_watch":
            if note != notes["a_video"]:
                kind, fields["dwell_ms"] = "view", rng.randrange(500, 60_000)
            else:
                fields["completion"] = rng.choice([0.0, 0.05, 0.3, 0.45, 0.9, 0.95, 1.0])
                fields["watch_ms"] = int(fields["completion"] * 40_000)
        elif kind == "profile_visit":
            fields["target_user_id"] = fields["author_id"]
            if rng.random() < 0.2:  # a visit to A from B's note (A was mentioned there)
                fields.update(note_id=notes["b_image"], author_id=a.pk, target_user_id=a.pk)
        event(kind, moment, actor, **fields)

    # Right at the day's edges, on a note that has nothing else.
    edge = {"note_id": notes["a_edge"], "author_id": a.pk}
    event("impression", local(DAY - timedelta(days=1), 23, 59, 59, 999_999), viewers[0].pk, **edge)
    event("impression", local(DAY), viewers[1].pk, **edge)
    event("impression", local(DAY, 0, 0, 0, 1), viewers[2].pk, **edge)
    event("view", local(DAY, 23, 59, 59, 999_999), viewers[3].pk, dwell_ms=1000, **edge)
    event("impression", local(DAY + timedelta(days=1)), viewers[4].pk, **edge)

    Event.objects.bulk_create(events)
    Follow.objects.bulk_create(
        [
            Follow(follower_id=f, followee_id=e, created_at=made)
            for f, e, made, ended in follows
            if ended is None
        ]
    )
    for user_id in (a.pk, b.pk):
        Profile.objects.filter(user_id=user_id).update(
            fans_count=Follow.objects.filter(followee_id=user_id).count()
        )
    return World(a.pk, b.pk, notes, events, profiles, follows)


@pytest.fixture
def world() -> World:
    return build_world()


# --- the plain Python computation -----------------------------------------------------------


def _day_events(world: World, day: date) -> list[Event]:
    return [e for e in world.events if local_day(e.occurred_at) == day]


def _edges_now(world: World) -> list[tuple[int, int, datetime]]:
    return [(f, e, made) for f, e, made, ended in world.follows if ended is None]


def _is_fan(world: World, actor: int | None, author: int, moment: datetime) -> bool:
    return any(f == actor and e == author and made <= moment for f, e, made in _edges_now(world))


def _audience_creators(world: World) -> set[int]:
    counts = Counter(e for _, e, _ in _edges_now(world))
    return {creator for creator, n in counts.items() if n >= 50}


def expected_note_daily(world: World, day: date) -> set[tuple]:
    groups: dict[tuple[int, int], list[Event]] = defaultdict(list)
    for e in _day_events(world, day):
        if e.note_id is not None and e.author_id is not None:
            groups[(e.note_id, e.author_id)].append(e)
    rows = set()
    for (note, author), events in groups.items():
        kinds = Counter(e.kind for e in events)
        views = [e for e in events if e.kind == "view"]
        watches = [e for e in events if e.kind == "video_watch"]
        rows.add(
            (
                day,
                note,
                author,
                kinds["impression"],
                kinds["view"],
                len({e.actor_id for e in views if e.actor_id is not None}),
                kinds["like"],
                kinds["collect"],
                kinds["comment"],
                kinds["share"],
                kinds["follow"],
                kinds["profile_visit"],
                sum(e.dwell_ms for e in views),
                len(watches),
                sum(e.watch_ms for e in watches),
                round(sum(e.completion for e in watches), 6),
                sum(1 for e in watches if e.completion >= 0.9),
                sum(
                    1
                    for e in events
                    if e.kind == "impression" and _is_fan(world, e.actor_id, author, e.occurred_at)
                ),
                sum(1 for e in views if _is_fan(world, e.actor_id, author, e.occurred_at)),
            )
        )
    return rows


def expected_note_sources(world: World, day: date) -> set[tuple]:
    counts: Counter = Counter()
    for e in _day_events(world, day):
        if e.kind in ("impression", "view") and e.note_id and e.author_id:
            counts[(e.note_id, e.author_id, e.source, e.kind)] += 1
    keys = {k[:3] for k in counts}
    return {
        (day, n, a, s, counts[(n, a, s, "impression")], counts[(n, a, s, "view")])
        for n, a, s in keys
    }


def expected_note_audience(world: World, day: date) -> set[tuple]:
    people: dict[tuple, set[int]] = defaultdict(set)
    for e in _day_events(world, day):
        if e.kind != "view" or e.actor_id is None or e.note_id is None:
            continue
        key = (e.note_id, e.author_id)
        people[(*key, "gender", e.gender)].add(e.actor_id)
        people[(*key, "age_band", e.age_band)].add(e.actor_id)
        people[(*key, "region", e.region)].add(e.actor_id)
        for interest in e.interests:
            people[(*key, "interest", str(interest))].add(e.actor_id)
    return {(day, *key, len(actors)) for key, actors in people.items()}


def expected_retention(world: World, day: date) -> set[tuple]:
    counts = Counter(
        (e.note_id, e.author_id, math.floor(e.completion * 10))
        for e in _day_events(world, day)
        if e.kind == "video_watch"
    )
    return {(day, *key, n) for key, n in counts.items()}


def expected_active_users(world: World, day: date) -> set[tuple]:
    return {(day, e.actor_id) for e in _day_events(world, day) if e.actor_id is not None}


def _fans_at(world: World, creator: int, moment: datetime) -> int:
    """Fans at ``moment`` from the follow history itself (not the rollup's formula)."""
    return sum(
        1
        for _, e, made, ended in world.follows
        if e == creator and made < moment and (ended is None or ended >= moment)
    )


def expected_creator_daily(world: World, day: date) -> set[tuple]:
    end = local(day + timedelta(days=1))
    by_creator: dict[int, Counter] = defaultdict(Counter)
    for e in _day_events(world, day):
        if e.author_id is not None:
            by_creator[e.author_id][e.kind] += 1
    population = set(by_creator) | _audience_creators(world)
    active = {
        offset: {
            e.actor_id
            for e in world.events
            if e.actor_id is not None and local_day(e.occurred_at) == day - timedelta(days=offset)
        }
        for offset in range(30)
    }
    rows = set()
    for creator in population:
        k = by_creator[creator]
        fans = {f for f, e, made in _edges_now(world) if e == creator and made < end}
        week = set().union(*(active[o] for o in range(7)))
        month = set().union(*active.values())
        engagements = k["like"] + k["collect"] + k["comment"] + k["share"]
        rows.add(
            (
                day,
                creator,
                _fans_at(world, creator, end),
                k["follow"],
                k["unfollow"],
                k["follow"] - k["unfollow"],
                k["profile_visit"],
                k["impression"],
                k["view"],
                k["like"],
                k["collect"],
                k["comment"],
                k["share"],
                engagements,
                len(fans & week),
                len(fans & month),
            )
        )
    return rows


def expected_fan_sources(world: World, day: date) -> set[tuple]:
    counts: Counter = Counter()
    for e in _day_events(world, day):
        if e.kind in ("follow", "unfollow"):
            counts[(e.author_id, e.source, e.source_id or 0, e.kind)] += 1
    keys = {k[:3] for k in counts}
    return {
        (day, c, s, i, counts[(c, s, i, "follow")], counts[(c, s, i, "unfollow")])
        for c, s, i in keys
    }


def expected_fan_activity(world: World, day: date) -> set[tuple]:
    end = local(day + timedelta(days=1))
    audience = _audience_creators(world)
    pairs = {
        (e.actor_id, e.occurred_at.astimezone(SHANGHAI).hour)
        for e in _day_events(world, day)
        if e.actor_id is not None
    }
    counts: Counter = Counter()
    for actor, hour in pairs:
        for f, creator, made in _edges_now(world):
            if f == actor and creator in audience and made < end:
                counts[(creator, hour)] += 1
    return {(day, c, day.weekday(), h, n) for (c, h), n in counts.items()}


def expected_demographics(world: World, day: date) -> set[tuple]:
    end = local(day + timedelta(days=1))
    counts: Counter = Counter()
    for fan, creator, made in _edges_now(world):
        if creator not in _audience_creators(world) or made >= end:
            continue
        gender, birth_year, region, interests = world.profiles[fan]
        counts[(creator, "gender", gender)] += 1
        counts[(creator, "age_band", age_band_for(birth_year, day.year))] += 1
        counts[(creator, "region", region)] += 1
        for interest in interests:
            counts[(creator, "interest", str(interest))] += 1
    return {(day, *key, n) for key, n in counts.items()}


# --- what the rollup wrote ------------------------------------------------------------------

TABLES: dict[str, tuple[type[Model], list[str]]] = {
    "note_daily": (NoteDaily, list(NOTE_DAILY_COLUMNS)),
    "note_sources": (
        NoteSourceDaily,
        ["day", "note_id", "author_id", "source", "impressions", "views"],
    ),
    "note_audience": (
        NoteAudienceDaily,
        ["day", "note_id", "author_id", "dimension", "bucket", "viewers"],
    ),
    "retention": (NoteRetentionDaily, ["day", "note_id", "author_id", "decile", "watches"]),
    "active_users": (DailyActiveUser, ["day", "user_id"]),
    "creator_daily": (
        CreatorDaily,
        [
            "day",
            "creator_id",
            "fans_total",
            "new_fans",
            "lost_fans",
            "net_fans",
            "profile_visits",
            "impressions",
            "views",
            "likes",
            "collects",
            "comments",
            "shares",
            "engagements",
            "active_fans_7d",
            "active_fans_30d",
        ],
    ),
    "fan_sources": (
        FanSourceDaily,
        ["day", "creator_id", "source", "source_id", "new_fans", "lost_fans"],
    ),
    "fan_activity": (FanActivityHourly, ["day", "creator_id", "weekday", "hour", "active_fans"]),
    "demographics": (FanDemographicDaily, ["day", "creator_id", "dimension", "bucket", "fans"]),
}

EXPECTED = {
    "note_daily": expected_note_daily,
    "note_sources": expected_note_sources,
    "note_audience": expected_note_audience,
    "retention": expected_retention,
    "active_users": expected_active_users,
    "creator_daily": expected_creator_daily,
    "fan_sources": expected_fan_sources,
    "fan_activity": expected_fan_activity,
    "demographics": expected_demographics,
}


def stored(table: str, day: date) -> set[tuple]:
    model, fields = TABLES[table]
    rows = set()
    for row in model.objects.filter(day=day).values_list(*fields):
        rows.add(tuple(round(v, 6) if isinstance(v, float) else v for v in row))
    return rows


def snapshot_all() -> dict[str, list[tuple]]:
    """Every rollup row of every table (ids aside), to compare two runs."""
    return {
        name: sorted(model.objects.values_list(*fields)) for name, (model, fields) in TABLES.items()
    }


# --- tests ----------------------------------------------------------------------------------


@pytest.mark.parametrize("table", sorted(TABLES))
def test_every_figure_matches_a_python_computation(world: World, table: str) -> None:
    rollup_backfill(first=DAY - timedelta(days=1), last=DAY, now=NOW)
    assert stored(table, DAY) == EXPECTED[table](world, DAY)
    assert stored(table, DAY), f"{table}: the test world must produce rows for the day"
    if table != "demographics":  # a snapshot of the graph is only taken for yesterday
        assert stored(table, DAY - timedelta(days=1)) == EXPECTED[table](
            world, DAY - timedelta(days=1)
        )


def test_the_world_exercises_what_it_should(world: World) -> None:
    rollup_backfill(first=DAY - timedelta(days=1), last=DAY, now=NOW)
    a = CreatorDaily.objects.get(creator_id=world.creator_a, day=DAY)
    assert a.new_fans == 10 and a.lost_fans == 2
    assert a.fans_total == 53  # 45 old + 10 new - 2 lost during the day
    before = CreatorDaily.objects.get(creator_id=world.creator_a, day=DAY - timedelta(days=1))
    assert before.fans_total == a.fans_total - a.net_fans
    assert 0 < a.active_fans_7d <= a.active_fans_30d <= a.fans_total
    # The mentioned creator's row for the other creator's note.
    assert NoteDaily.objects.filter(note_id=world.notes["b_image"], author_id=world.creator_a)
    fan_split = NoteDaily.objects.get(
        note_id=world.notes["a_image"], author_id=world.creator_a, day=DAY
    )
    assert 0 < fan_split.fan_impressions < fan_split.impressions
    assert FanDemographicDaily.objects.filter(creator_id=world.creator_a, day=DAY).exists()
    assert not FanDemographicDaily.objects.filter(creator_id=world.creator_b).exists()  # 8 fans
