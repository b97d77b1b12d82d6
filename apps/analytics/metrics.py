"""Every figure read from the rollup tables: per note, per creator, per period.

The one place that reads ``note_daily``, ``creator_daily``, the per-note source, audience and
retention tables and the fan tables (plus "today so far" from the creator's own events). The
creator center, brand reports, promotion results, post-live reports and agency dashboards all
take their figures from here, so a figure means the same everywhere; what they add on top
(notes' titles, withholding of small buckets, labels, API names) is theirs.

Figures keep their column names (``views`` are reads, ``follows`` fans gained from a note; see
docs/creator-center.md "Metric definitions"). Every function makes a fixed number of queries
(stated in its docstring) whatever the period or the number of notes, and reads through the
leading columns of a table's key: ``note_daily`` by ``(day, author_id, note_id)`` with the
period's days named (one index descent per day), ``creator_daily`` and the fan tables by
``(creator_id, day)``, the per-note side tables by ``(note_id, author_id, day)``.
"""

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db.models import Count, Max, Q, Subquery, Sum
from django.utils import timezone

from apps.analytics.days import day_start, local_today, local_yesterday
from apps.analytics.kinds import EventKind
from apps.analytics.models import (
    CREATOR_DAILY_STATES,
    CREATOR_DAILY_SUMMABLE,
    NOTE_DAILY_FIGURES,
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
from apps.analytics.rollup_sql import ACTIVITY_WINDOW_DAYS

# Sources of fans that name an object (note, live room, promotion order) in ``source_id``.
OBJECT_SOURCES = ("note", "live", "promotion")
# What "today so far" counts, by creator_daily column.
TODAY_KINDS = {
    "impressions": EventKind.IMPRESSION,
    "views": EventKind.VIEW,
    "likes": EventKind.LIKE,
    "collects": EventKind.COLLECT,
    "comments": EventKind.COMMENT,
    "shares": EventKind.SHARE,
    "profile_visits": EventKind.PROFILE_VISIT,
    "new_fans": EventKind.FOLLOW,
    "lost_fans": EventKind.UNFOLLOW,
}
ENGAGEMENTS = ("likes", "collects", "comments", "shares")


def ratio(numerator: float, denominator: float) -> float | None:
    """``numerator / denominator`` to 4 places; None when there is nothing to divide by."""
    return round(numerator / denominator, 4) if denominator else None


def change(value: float | None, previous: float | None) -> float | None:
    """Relative change against the previous period; None when the previous value is 0."""
    if value is None or not previous:
        return None
    return round((value - previous) / previous, 4)


# --- per creator ----------------------------------------------------------------------------


def creator_totals_with_previous(
    *, creator_id: int, period: Period
) -> tuple[dict[str, int], dict[str, int]]:
    """Sums of ``CREATOR_DAILY_SUMMABLE`` over the period and over the same number of days just
    before it (for "change against the previous period"). One query."""
    previous = period.previous()
    sums = {}
    for column in CREATOR_DAILY_SUMMABLE:
        sums[f"current_{column}"] = Sum(column, filter=Q(day__gte=period.start), default=0)
        sums[f"previous_{column}"] = Sum(column, filter=Q(day__lt=period.start), default=0)
    totals = CreatorDaily.objects.filter(
        creator_id=creator_id, day__gte=previous.start, day__lte=period.end
    ).aggregate(**sums)
    return (
        {column: totals[f"current_{column}"] for column in CREATOR_DAILY_SUMMABLE},
        {column: totals[f"previous_{column}"] for column in CREATOR_DAILY_SUMMABLE},
    )


@dataclass(frozen=True, slots=True)
class CreatorSeries:
    """A creator's days of a period, dense, and their newest row on or before its end."""

    # One entry per day of the period, oldest first: ``day``, ``fans_total`` (fans at the end
    # of the day) and every summable figure (zeros on a day without a row).
    days: list[dict[str, Any]]
    # The newest creator_daily row up to the period's end (active fans are read from it).
    latest: dict[str, Any] | None


def creator_daily_series(*, creator_id: int, period: Period, fans_now: int) -> CreatorSeries:
    """The creator's daily figures over the period. One query.

    A day without a row had no events: zeros, and the fans total of the day before (a
    creator's fans change only through follow events). Before the first row of the period the
    total comes from the newest earlier row, else from the first row minus its net fans, else
    (no rows at all) it is ``fans_now``.
    """
    # The whole period plus, when some days have no row, the newest row before it.
    rows = list(
        CreatorDaily.objects.filter(creator_id=creator_id, day__lte=period.end)
        .order_by("-day")
        .values("day", *CREATOR_DAILY_STATES, *CREATOR_DAILY_SUMMABLE)[: period.days + 1]
    )
    by_day = {row["day"]: row for row in rows if row["day"] >= period.start}
    before = [row for row in rows if row["day"] < period.start]
    if before:
        fans = before[0]["fans_total"]
    elif by_day:
        first = by_day[min(by_day)]
        fans = first["fans_total"] - first["net_fans"]
    else:
        fans = fans_now
    days = []
    for day in period.dates():
        row = by_day.get(day)
        if row is not None:
            fans = row["fans_total"]
            figures = {column: row[column] for column in CREATOR_DAILY_SUMMABLE}
        else:
            figures = dict.fromkeys(CREATOR_DAILY_SUMMABLE, 0)
        days.append({"day": day, "fans_total": fans, **figures})
    return CreatorSeries(days=days, latest=rows[0] if rows else None)


def creator_today(*, creator_id: int, now: datetime | None = None) -> dict[str, Any]:
    """Today's figures so far (``TODAY_KINDS`` counts, ``engagements``, ``net_fans``, ``day``,
    ``as_of``) from the creator's own events since Shanghai midnight.

    One index range scan on (author_id, occurred_at), cached for
    CREATOR_CENTER_TODAY_CACHE_SECONDS so a busy dashboard costs one query a minute.
    """
    now = now or timezone.now()
    today = local_today(now)
    key = f"creator-center:today:{creator_id}:{today.isoformat()}"
    found = cache.get(key)
    if found is not None:
        return found
    counts = Event.objects.filter(
        author_id=creator_id, occurred_at__gte=day_start(today)
    ).aggregate(**{name: Count("id", filter=Q(kind=kind)) for name, kind in TODAY_KINDS.items()})
    counts["engagements"] = sum(counts[name] for name in ENGAGEMENTS)
    counts["net_fans"] = counts["new_fans"] - counts["lost_fans"]
    result = {"day": today, "as_of": now, **counts}
    cache.set(key, result, settings.CREATOR_CENTER_TODAY_CACHE_SECONDS)
    return result


# --- fans -----------------------------------------------------------------------------------


def fan_demographic_snapshot(
    *, creator_id: int, day: date
) -> tuple[date | None, list[tuple[str, str, int]]]:
    """The newest fan snapshot on or before ``day``: its day and ``(dimension, bucket, fans)``
    rows, true counts (None and no rows when there is none). One query."""
    newest = (
        FanDemographicDaily.objects.filter(creator_id=creator_id, day__lte=day)
        .order_by("-day")
        .values("day")[:1]
    )
    rows = list(
        FanDemographicDaily.objects.filter(creator_id=creator_id, day=Subquery(newest)).values_list(
            "day", "dimension", "bucket", "fans"
        )
    )
    as_of = rows[0][0] if rows else None
    return as_of, [(dimension, bucket, fans) for _, dimension, bucket, fans in rows]


def fans_by_source(*, creator_id: int, period: Period) -> list[dict[str, Any]]:
    """Fans gained and lost over the period per surface (``source``, ``new_fans``,
    ``lost_fans``, ``net_fans``), most gained first. One query."""
    rows = list(
        _fan_source_rows(creator_id, period)
        .values("source")
        .annotate(new_fans=Sum("new_fans"), lost_fans=Sum("lost_fans"))
        .order_by("-new_fans", "source")
    )
    for row in rows:
        row["net_fans"] = row["new_fans"] - row["lost_fans"]
    return rows


def top_fan_sources(*, creator_id: int, period: Period, limit: int) -> list[dict[str, Any]]:
    """The notes, live rooms and promotion orders that brought the most fans over the period
    (``source``, ``source_id``, ``new_fans``, ``lost_fans``, ``net_fans``). One query."""
    rows = list(
        _fan_source_rows(creator_id, period)
        .filter(source__in=OBJECT_SOURCES, source_id__gt=0)
        .values("source", "source_id")
        .annotate(new_fans=Sum("new_fans"), lost_fans=Sum("lost_fans"))
        .order_by("-new_fans", "source", "source_id")[:limit]
    )
    for row in rows:
        row["net_fans"] = row["new_fans"] - row["lost_fans"]
    return rows


def _fan_source_rows(creator_id: int, period: Period) -> Any:
    return FanSourceDaily.objects.filter(
        creator_id=creator_id, day__gte=period.start, day__lte=period.end
    )


def top_notes_by_fans(*, author_id: int, period: Period, limit: int) -> list[dict[str, Any]]:
    """The notes credited to ``author_id`` that gained the most fans over the period
    (``note_id``, ``fans_gained``), only those that gained any. One query."""
    return list(
        NoteDaily.objects.filter(author_id=author_id, day__in=period.dates())
        .values("note_id")
        .annotate(fans_gained=Sum("follows"))
        .filter(fans_gained__gt=0)
        .order_by("-fans_gained", "note_id")[:limit]
    )


def fan_activity_by_hour(
    *, creator_id: int, now: datetime | None = None
) -> tuple[Period, dict[tuple[int, int], int]]:
    """Fans active per (weekday, Shanghai hour) summed over the last 30 rolled-up days, and
    that window. Hours without activity are absent. One query."""
    window = period_ending(end=local_yesterday(now), days=ACTIVITY_WINDOW_DAYS)
    found = {
        (row["weekday"], row["hour"]): row["active_fans"]
        for row in FanActivityHourly.objects.filter(
            creator_id=creator_id, day__gte=window.start, day__lte=window.end
        )
        .values("weekday", "hour")
        .annotate(active_fans=Sum("active_fans"))
        .order_by()
    }
    return window, found


# --- per note -------------------------------------------------------------------------------


def _check_figures(columns: Iterable[str]) -> None:
    unknown = set(columns) - set(NOTE_DAILY_FIGURES)
    if unknown:
        raise ValueError(f"Not note_daily figures: {sorted(unknown)}")


def note_totals(
    *,
    note_ids: Iterable[int],
    period: Period,
    author_id: int | None = None,
    figures: Sequence[str] = NOTE_DAILY_FIGURES,
) -> dict[int, dict[str, Any]]:
    """Each note's figures summed over the period, by note id. One query.

    A note's rows under every user they are credited to are added up unless ``author_id``
    names one (a note that sent visits or fans to a user it mentions has rows under that user
    too). Notes without rows in the period are absent. For brand, promotion and live reports.
    """
    _check_figures(figures)
    ids = set(note_ids)
    if not ids:
        return {}
    rows = NoteDaily.objects.filter(day__in=period.dates(), note_id__in=ids)
    if author_id is not None:
        rows = rows.filter(author_id=author_id)
    sums = rows.values("note_id").annotate(**{f"total_{c}": Sum(c) for c in figures}).order_by()
    return {row["note_id"]: {column: row[f"total_{column}"] for column in figures} for row in sums}


def note_totals_subquery(
    *, author_id: int, period: Period, figures: Mapping[str, str]
) -> tuple[str, dict[str, Any]]:
    """SQL selecting ``note_id`` and each figure summed over the period for every note credited
    to ``author_id``, with its parameters, to be joined into a larger statement (the creator
    center's notes table sorts and pages in SQL). ``figures`` maps output name to column.

    The period's days are named (``day IN (...)``) so ``note_daily``'s key is descended once a
    day; parameters are prefixed ``note_totals_`` to stay clear of the caller's.
    """
    _check_figures(figures.values())
    sql = (
        "SELECT d.note_id, {sums} FROM {table} d "
        "WHERE d.author_id = %(note_totals_author)s AND d.day IN ({days}) GROUP BY d.note_id"
    ).format(
        sums=", ".join(f"SUM(d.{column}) AS {name}" for name, column in figures.items()),
        table=NoteDaily._meta.db_table,
        days=", ".join(f"%(note_totals_day_{index})s" for index in range(period.days)),
    )
    params: dict[str, Any] = {"note_totals_author": author_id}
    params.update({f"note_totals_day_{index}": day for index, day in enumerate(period.dates())})
    return sql, params


@dataclass(frozen=True, slots=True)
class NoteSeries:
    """One note's figures per day of a period (zeros on days without a row) and their sums."""

    days: list[dict[str, Any]]  # ``day`` and every figure, oldest first
    totals: dict[str, Any]  # every figure summed over the period


def note_daily_series(*, note_id: int, author_id: int, period: Period) -> NoteSeries:
    """Every ``NOTE_DAILY_FIGURES`` figure of one note, credited to ``author_id``, per day of the
    period and summed over it. One query: the totals are the sums of the rows read."""
    by_day = {
        row[0]: row[1:]
        for row in NoteDaily.objects.filter(
            note_id=note_id, author_id=author_id, day__in=period.dates()
        ).values_list("day", *NOTE_DAILY_FIGURES)
    }
    none = (0,) * len(NOTE_DAILY_FIGURES)
    columns = zip(none, *by_day.values(), strict=True)
    totals = dict(zip(NOTE_DAILY_FIGURES, (sum(column) for column in columns), strict=True))
    totals["completion_sum"] = float(totals["completion_sum"])
    days = [
        {"day": day, **dict(zip(NOTE_DAILY_FIGURES, by_day.get(day, none), strict=True))}
        for day in period.dates()
    ]
    return NoteSeries(days=days, totals=totals)


def _note_side_rows(model: Any, note_id: int, author_id: int, period: Period) -> Any:
    return model.objects.filter(
        note_id=note_id, author_id=author_id, day__gte=period.start, day__lte=period.end
    )


def note_sources(*, note_id: int, author_id: int, period: Period) -> list[dict[str, Any]]:
    """A note's impressions and reads (``views``) per traffic source over the period, most
    read first. One query."""
    return list(
        _note_side_rows(NoteSourceDaily, note_id, author_id, period)
        .values("source")
        .annotate(impressions=Sum("impressions"), views=Sum("views"))
        .order_by("-views", "-impressions", "source")
    )


def note_audience(
    *, note_id: int, author_id: int, period: Period
) -> list[tuple[str, str, int, int]]:
    """A note's readers per (dimension, bucket) over the period: ``(dimension, bucket,
    readers, busiest_day)``. ``readers`` sums each day's distinct readers (one person reading
    on two days counts twice); ``busiest_day`` is the most distinct readers of a single day,
    the number of different people the bucket certainly holds. One query."""
    return list(
        _note_side_rows(NoteAudienceDaily, note_id, author_id, period)
        .values("dimension", "bucket")
        .annotate(value=Sum("viewers"), people=Max("viewers"))
        .values_list("dimension", "bucket", "value", "people")
        .order_by()
    )


def note_retention(*, note_id: int, author_id: int, period: Period) -> dict[int, int]:
    """A video note's watches over the period by the tenth of the video reached (decile 3: 30%
    to under 40%; 10: watched to the end). Deciles without watches are absent. One query."""
    return dict(
        _note_side_rows(NoteRetentionDaily, note_id, author_id, period)
        .values("decile")
        .annotate(watches=Sum("watches"))
        .values_list("decile", "watches")
        .order_by()
    )
