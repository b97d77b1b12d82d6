"""The metrics module's public reads against figures worked out by hand from rows written here."""

import uuid
from datetime import date, timedelta

import pytest
from django.db import connection
from django.utils import timezone

from apps.analytics import metrics
from apps.analytics.days import local_yesterday
from apps.analytics.models import (
    CREATOR_DAILY_STATES,
    CREATOR_DAILY_SUMMABLE,
    NOTE_DAILY_COLUMNS,
    NOTE_DAILY_FIGURES,
    NOTE_DAILY_KEY,
    CreatorDaily,
    Event,
    FanActivityHourly,
    FanDemographicDaily,
    FanSourceDaily,
    NoteAudienceDaily,
    NoteDaily,
    NoteRetentionDaily,
    NoteSourceDaily,
)
from apps.analytics.periods import Period, period_ending

pytestmark = pytest.mark.django_db

END = date(2026, 3, 10)
WEEK = period_ending(end=END, days=7)  # 4 March to 10 March
AUTHOR, MENTIONED, NOTE_A, NOTE_B = 7, 8, 101, 102


def _note_day(day: date, note_id: int, author_id: int = AUTHOR, **figures: float) -> NoteDaily:
    return NoteDaily(day=day, note_id=note_id, author_id=author_id, **figures)


def test_column_lists_are_the_models_fields() -> None:
    assert list(NOTE_DAILY_COLUMNS) == [f.attname for f in NoteDaily._meta.concrete_fields]
    assert set(NOTE_DAILY_KEY) | set(NOTE_DAILY_FIGURES) == set(NOTE_DAILY_COLUMNS)
    creator = {f.attname for f in CreatorDaily._meta.concrete_fields} - {"id", "day", "creator_id"}
    assert set(CREATOR_DAILY_SUMMABLE) | set(CREATOR_DAILY_STATES) == creator


def test_periods() -> None:
    assert (WEEK.start, WEEK.days) == (date(2026, 3, 4), 7)
    assert WEEK.previous() == Period(date(2026, 2, 25), date(2026, 3, 3))
    assert WEEK.dates()[0] == WEEK.start and WEEK.dates()[-1] == END


def _note_rows() -> None:
    NoteDaily.objects.bulk_create(
        [
            _note_day(END, NOTE_A, views=10, impressions=40, follows=2, completion_sum=0.5),
            _note_day(END - timedelta(days=2), NOTE_A, views=5, impressions=20, follows=1),
            # outside the week: never counted
            _note_day(END - timedelta(days=7), NOTE_A, views=1000, impressions=1000),
            _note_day(END, NOTE_B, views=3, impressions=9, completion_sum=0.25),
            # note A sent a fan to a user it mentions: a row under that user
            _note_day(END, NOTE_A, author_id=MENTIONED, follows=4, profile_visits=6),
        ]
    )


def test_note_totals_add_up_the_period_by_note() -> None:
    _note_rows()
    totals = metrics.note_totals(note_ids=[NOTE_A, NOTE_B, 999], period=WEEK)
    assert set(totals) == {NOTE_A, NOTE_B}  # 999 has no rows
    assert totals[NOTE_A]["views"] == 15 and totals[NOTE_A]["impressions"] == 60
    # Every user the note is credited to, unless one is named:
    assert totals[NOTE_A]["follows"] == 2 + 1 + 4 and totals[NOTE_A]["profile_visits"] == 6
    own = metrics.note_totals(note_ids=[NOTE_A], period=WEEK, author_id=AUTHOR)
    assert own[NOTE_A]["follows"] == 3 and own[NOTE_A]["profile_visits"] == 0
    assert own[NOTE_A]["completion_sum"] == pytest.approx(0.5)
    some = metrics.note_totals(note_ids=[NOTE_B], period=WEEK, figures=["views"])
    assert some == {NOTE_B: {"views": 3}}
    assert metrics.note_totals(note_ids=[], period=WEEK) == {}
    with pytest.raises(ValueError, match="title"):
        metrics.note_totals(note_ids=[NOTE_A], period=WEEK, figures=["title"])


def test_note_totals_subquery_composes_into_a_statement() -> None:
    _note_rows()
    sql, params = metrics.note_totals_subquery(
        author_id=AUTHOR, period=WEEK, figures={"reads": "views", "fans_gained": "follows"}
    )
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT t.note_id, t.reads, t.fans_gained FROM ({sql}) t "
            "WHERE t.reads > %(at_least)s ORDER BY t.note_id",
            {**params, "at_least": 0},
        )
        assert cursor.fetchall() == [(NOTE_A, 15, 3), (NOTE_B, 3, 0)]


def test_note_daily_series_is_dense_and_totals_are_its_sums() -> None:
    _note_rows()
    series = metrics.note_daily_series(note_id=NOTE_A, author_id=AUTHOR, period=WEEK)
    assert [entry["day"] for entry in series.days] == WEEK.dates()
    assert [entry["views"] for entry in series.days] == [0, 0, 0, 0, 5, 0, 10]
    assert series.totals["views"] == 15 and series.totals["follows"] == 3
    assert series.totals["completion_sum"] == pytest.approx(0.5)
    assert set(series.totals) == set(NOTE_DAILY_FIGURES)
    empty = metrics.note_daily_series(note_id=NOTE_B, author_id=MENTIONED, period=WEEK)
    assert all(value == 0 for value in empty.totals.values())


def test_top_notes_by_fans_only_counts_the_authors_rows() -> None:
    _note_rows()
    NoteDaily.objects.create(day=END, note_id=103, author_id=AUTHOR, follows=9)
    top = metrics.top_notes_by_fans(author_id=AUTHOR, period=WEEK, limit=2)
    assert top == [{"note_id": 103, "fans_gained": 9}, {"note_id": NOTE_A, "fans_gained": 3}]
    assert metrics.top_notes_by_fans(author_id=MENTIONED, period=WEEK, limit=5) == [
        {"note_id": NOTE_A, "fans_gained": 4}
    ]


def test_note_side_tables() -> None:
    day, before = END, END - timedelta(days=20)
    NoteSourceDaily.objects.bulk_create(
        [
            NoteSourceDaily(day=day, note_id=NOTE_A, author_id=AUTHOR, source="feed", views=4),
            NoteSourceDaily(
                day=day - timedelta(days=1),
                note_id=NOTE_A,
                author_id=AUTHOR,
                source="feed",
                impressions=7,
                views=3,
            ),
            NoteSourceDaily(day=day, note_id=NOTE_A, author_id=AUTHOR, source="search", views=9),
            NoteSourceDaily(day=before, note_id=NOTE_A, author_id=AUTHOR, source="live", views=99),
        ]
    )
    assert metrics.note_sources(note_id=NOTE_A, author_id=AUTHOR, period=WEEK) == [
        {"source": "search", "impressions": 0, "views": 9},
        {"source": "feed", "impressions": 7, "views": 7},
    ]
    NoteAudienceDaily.objects.bulk_create(
        [
            NoteAudienceDaily(
                day=day - timedelta(days=offset),
                note_id=NOTE_A,
                author_id=AUTHOR,
                dimension="gender",
                bucket="female",
                viewers=viewers,
            )
            for offset, viewers in ((0, 30), (1, 45), (2, 10))
        ]
    )
    # 85 reader-days, but at most 45 different people proven by a single day.
    assert metrics.note_audience(note_id=NOTE_A, author_id=AUTHOR, period=WEEK) == [
        ("gender", "female", 85, 45)
    ]
    NoteRetentionDaily.objects.bulk_create(
        [
            NoteRetentionDaily(day=day, note_id=NOTE_A, author_id=AUTHOR, decile=3, watches=2),
            NoteRetentionDaily(
                day=day - timedelta(days=3), note_id=NOTE_A, author_id=AUTHOR, decile=3, watches=5
            ),
            NoteRetentionDaily(day=day, note_id=NOTE_A, author_id=AUTHOR, decile=10, watches=1),
        ]
    )
    assert metrics.note_retention(note_id=NOTE_A, author_id=AUTHOR, period=WEEK) == {3: 7, 10: 1}
    assert metrics.note_retention(note_id=NOTE_B, author_id=AUTHOR, period=WEEK) == {}


def _creator_day(day: date, **figures: int) -> CreatorDaily:
    return CreatorDaily(day=day, creator_id=AUTHOR, **figures)


def test_creator_totals_against_the_previous_period() -> None:
    CreatorDaily.objects.bulk_create(
        [
            _creator_day(END, views=10, impressions=100, new_fans=3, net_fans=3),
            _creator_day(END - timedelta(days=6), views=5, likes=2),
            _creator_day(END - timedelta(days=7), views=4, likes=1),  # previous week
            _creator_day(END - timedelta(days=13), views=6),  # previous week's first day
            _creator_day(END - timedelta(days=14), views=1000),  # neither
            CreatorDaily(day=END, creator_id=AUTHOR + 1, views=500),  # someone else
        ]
    )
    current, previous = metrics.creator_totals_with_previous(creator_id=AUTHOR, period=WEEK)
    assert (current["views"], current["impressions"], current["likes"]) == (15, 100, 2)
    assert (previous["views"], previous["likes"], previous["impressions"]) == (10, 1, 0)
    assert current["net_fans"] == 3 and set(current) == set(CREATOR_DAILY_SUMMABLE)


def test_creator_daily_series_carries_the_fans_total_over_gaps() -> None:
    CreatorDaily.objects.bulk_create(
        [
            _creator_day(END - timedelta(days=9), fans_total=90),  # before the period
            _creator_day(END - timedelta(days=4), fans_total=95, new_fans=6, lost_fans=1),
            _creator_day(END - timedelta(days=1), fans_total=97, active_fans_7d=40, views=8),
        ]
    )
    series = metrics.creator_daily_series(creator_id=AUTHOR, period=WEEK, fans_now=500)
    assert [entry["fans_total"] for entry in series.days] == [90, 90, 95, 95, 95, 97, 97]
    assert [entry["views"] for entry in series.days] == [0, 0, 0, 0, 0, 8, 0]
    assert series.days[2]["new_fans"] == 6 and series.days[2]["lost_fans"] == 1
    assert series.latest["day"] == END - timedelta(days=1)
    assert series.latest["active_fans_7d"] == 40
    # No row before the period: the first row's total minus its net fans.
    CreatorDaily.objects.create(
        day=END - timedelta(days=1), creator_id=AUTHOR + 2, fans_total=50, net_fans=5
    )
    first = metrics.creator_daily_series(creator_id=AUTHOR + 2, period=WEEK, fans_now=500)
    assert [entry["fans_total"] for entry in first.days] == [45] * 5 + [50, 50]
    # No rows at all: today's fans throughout.
    none = metrics.creator_daily_series(creator_id=AUTHOR + 1, period=WEEK, fans_now=12)
    assert {entry["fans_total"] for entry in none.days} == {12} and none.latest is None


def test_fan_sources_and_snapshot() -> None:
    FanSourceDaily.objects.bulk_create(
        [
            FanSourceDaily(day=END, creator_id=AUTHOR, source="note", source_id=NOTE_A, new_fans=5),
            FanSourceDaily(
                day=END - timedelta(days=1),
                creator_id=AUTHOR,
                source="note",
                source_id=NOTE_B,
                new_fans=2,
                lost_fans=3,
            ),
            FanSourceDaily(day=END, creator_id=AUTHOR, source="search", new_fans=4, lost_fans=1),
            FanSourceDaily(
                day=END - timedelta(days=30), creator_id=AUTHOR, source="live", new_fans=50
            ),
        ]
    )
    assert metrics.fans_by_source(creator_id=AUTHOR, period=WEEK) == [
        {"source": "note", "new_fans": 7, "lost_fans": 3, "net_fans": 4},
        {"source": "search", "new_fans": 4, "lost_fans": 1, "net_fans": 3},
    ]
    top = metrics.top_fan_sources(creator_id=AUTHOR, period=WEEK, limit=1)
    assert top == [
        {"source": "note", "source_id": NOTE_A, "new_fans": 5, "lost_fans": 0, "net_fans": 5}
    ]
    older, newer = END - timedelta(days=5), END - timedelta(days=2)
    FanDemographicDaily.objects.bulk_create(
        [
            FanDemographicDaily(
                day=older, creator_id=AUTHOR, dimension="gender", bucket="male", fans=80
            ),
            FanDemographicDaily(
                day=newer, creator_id=AUTHOR, dimension="gender", bucket="male", fans=85
            ),
            FanDemographicDaily(
                day=newer, creator_id=AUTHOR, dimension="region", bucket="", fans=3
            ),
        ]
    )
    as_of, rows = metrics.fan_demographic_snapshot(creator_id=AUTHOR, day=END)
    assert as_of == newer and sorted(rows) == [("gender", "male", 85), ("region", "", 3)]
    as_of, rows = metrics.fan_demographic_snapshot(creator_id=AUTHOR, day=newer - timedelta(1))
    assert as_of == older and rows == [("gender", "male", 80)]
    assert metrics.fan_demographic_snapshot(creator_id=AUTHOR, day=older - timedelta(1)) == (
        None,
        [],
    )


def test_fan_activity_sums_the_last_thirty_days_by_hour_of_the_week() -> None:
    yesterday = local_yesterday()
    FanActivityHourly.objects.bulk_create(
        [
            FanActivityHourly(
                day=day, creator_id=AUTHOR, weekday=day.weekday(), hour=20, active_fans=fans
            )
            for day, fans in (
                (yesterday, 5),
                (yesterday - timedelta(days=7), 6),
                (yesterday - timedelta(days=29), 7),  # the window's first day
                (yesterday - timedelta(days=30), 1000),  # outside it
            )
        ]
    )
    window, hours = metrics.fan_activity_by_hour(creator_id=AUTHOR)
    assert window == period_ending(end=yesterday, days=30)
    first = (yesterday - timedelta(days=29)).weekday()
    expected = {(yesterday.weekday(), 20): 11}
    expected[(first, 20)] = expected.get((first, 20), 0) + 7
    assert hours == expected


def test_creator_today_counts_todays_events_and_caches_them(settings) -> None:
    # A key prefix of its own on the real cache backend: nothing cached by another run leaks in.
    caches = {name: dict(config) for name, config in settings.CACHES.items()}
    caches["default"]["KEY_PREFIX"] = f"{settings.CACHE_KEY_PREFIX}-metrics-{uuid.uuid4().hex[:8]}"
    settings.CACHES = caches
    now = timezone.now()
    for kind in ("impression", "impression", "view", "like", "collect", "follow", "unfollow"):
        Event.objects.create(occurred_at=now, received_at=now, kind=kind, author_id=AUTHOR)
    Event.objects.create(
        occurred_at=now - timedelta(days=2), received_at=now, kind="view", author_id=AUTHOR
    )
    today = metrics.creator_today(creator_id=AUTHOR, now=now)
    assert (today["impressions"], today["views"], today["engagements"]) == (2, 1, 2)
    assert (today["new_fans"], today["lost_fans"], today["net_fans"]) == (1, 1, 0)
    Event.objects.create(occurred_at=now, received_at=now, kind="view", author_id=AUTHOR)
    assert metrics.creator_today(creator_id=AUTHOR, now=now)["views"] == 1  # cached


def test_ratio_and_change() -> None:
    assert metrics.ratio(1, 3) == 0.3333 and metrics.ratio(5, 0) is None
    assert metrics.change(15, 10) == 0.5 and metrics.change(3, 0) is None
    assert metrics.change(None, 4) is None
