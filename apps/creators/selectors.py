"""Creator-center reads: served from the rollup tables, plus today's own events live.

Each function makes a fixed number of queries whatever the period, the number of notes or the
page size, and touches only small tables through their leading index columns: one creator's
rows of ``creator_daily`` (``creator_id, day``), ``note_daily`` (``day, author_id``: the
period's days are listed, one index descent each) and the per-note tables
(``note_id, author_id, day``). The follow graph and the event table are never
scanned at request time; the only event read is "today so far", an index range on the
creator's own events since Shanghai midnight, cached briefly.

A creator sees only rows credited to themself: every query is filtered by their id, and a note
is found only among their own notes (anything else is 404).
"""

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.db.models import Count, Max, Q, Subquery, Sum
from django.utils import timezone

from apps.accounts.models import Category, Gender, Profile
from apps.accounts.regions import REGION_CHOICES
from apps.analytics.days import day_start, local_today, local_yesterday
from apps.analytics.kinds import AgeBand, EventKind, EventSource
from apps.analytics.models import (
    AudienceDimension,
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
from apps.analytics.rollups import ACTIVITY_WINDOW_DAYS
from apps.core.errors import NotFound
from apps.creators.periods import Period, period_ending
from apps.creators.privacy import MIN_BUCKET_PEOPLE, Bucket, withhold
from apps.notes.models import Note, NoteKind, NoteStatus

MAX_ID = 2**63 - 1
UNKNOWN = "Unknown"
FAN_COUNTS = ("new_fans", "lost_fans", "net_fans")
CREATOR_COUNTS = (
    "impressions",
    "reads",
    "likes",
    "collects",
    "comments",
    "shares",
    "engagements",
    "profile_visits",
    *FAN_COUNTS,
)
# API name -> creator_daily column ("reads" are view events: the note was opened).
CREATOR_COLUMNS = {name: "views" if name == "reads" else name for name in CREATOR_COUNTS}
TOP_LIMIT = 10
BEST_TIMES = 3
OBJECT_SOURCES = ("note", "live", "promotion")


def ratio(numerator: float, denominator: float) -> float | None:
    """``numerator / denominator`` to 4 places; None when there is nothing to divide by."""
    return round(numerator / denominator, 4) if denominator else None


def change(value: float | None, previous: float | None) -> float | None:
    """Relative change against the previous period; None when the previous value is 0."""
    if value is None or not previous:
        return None
    return round((value - previous) / previous, 4)


def _with_rates(counts: dict[str, Any]) -> dict[str, Any]:
    """Click-through rate = reads / impressions; engagement rate = engagements / reads."""
    counts["ctr"] = ratio(counts["reads"], counts["impressions"])
    counts["engagement_rate"] = ratio(counts["engagements"], counts["reads"])
    return counts


# --- today, live ----------------------------------------------------------------------------


def creator_today(*, creator_id: int, now: datetime | None = None) -> dict[str, Any]:
    """Today's figures so far, from the creator's own events since Shanghai midnight.

    One index range scan on (author_id, occurred_at); cached for
    CREATOR_CENTER_TODAY_CACHE_SECONDS so a busy dashboard costs one query a minute.
    """
    now = now or timezone.now()
    today = local_today(now)
    key = f"creator-center:today:{creator_id}:{today.isoformat()}"
    found = cache.get(key)
    if found is not None:
        return found
    kinds = {
        "impressions": EventKind.IMPRESSION,
        "reads": EventKind.VIEW,
        "likes": EventKind.LIKE,
        "collects": EventKind.COLLECT,
        "comments": EventKind.COMMENT,
        "shares": EventKind.SHARE,
        "profile_visits": EventKind.PROFILE_VISIT,
        "new_fans": EventKind.FOLLOW,
        "lost_fans": EventKind.UNFOLLOW,
    }
    counts = Event.objects.filter(
        author_id=creator_id, occurred_at__gte=day_start(today)
    ).aggregate(**{name: Count("id", filter=Q(kind=kind)) for name, kind in kinds.items()})
    counts["engagements"] = sum(
        counts[name] for name in ("likes", "collects", "comments", "shares")
    )
    counts["net_fans"] = counts["new_fans"] - counts["lost_fans"]
    result = {"day": today, "as_of": now, **_with_rates(counts)}
    cache.set(key, result, settings.CREATOR_CENTER_TODAY_CACHE_SECONDS)
    return result


# --- creator series -------------------------------------------------------------------------


def _fans_now(creator_id: int) -> int:
    return (
        Profile.objects.filter(user_id=creator_id).values_list("fans_count", flat=True).first() or 0
    )


def _creator_rows(creator_id: int, period: Period) -> list[dict[str, Any]]:
    """The creator's rows up to the period's end, newest first: the whole period plus, when
    some days have no row, the newest row before it (fans total carried into the period)."""
    columns = ["day", "fans_total", "active_fans_7d", "active_fans_30d", *CREATOR_COLUMNS.values()]
    return list(
        CreatorDaily.objects.filter(creator_id=creator_id, day__lte=period.end)
        .order_by("-day")
        .values(*columns)[: period.days + 1]
    )


def _dense_series(
    rows: list[dict[str, Any]], period: Period, fans_fallback: int
) -> list[dict[str, Any]]:
    """One entry per day of the period; a day without a row had no events: zeros, and the
    fans total of the day before (a creator's fans change only through follow events)."""
    by_day = {row["day"]: row for row in rows if row["day"] >= period.start}
    before = [row for row in rows if row["day"] < period.start]
    if before:
        fans = before[0]["fans_total"]
    elif by_day:
        first = by_day[min(by_day)]
        fans = first["fans_total"] - first["net_fans"]
    else:
        fans = fans_fallback
    series = []
    for day in period.dates():
        row = by_day.get(day)
        if row is not None:
            fans = row["fans_total"]
            entry = {name: row[column] for name, column in CREATOR_COLUMNS.items()}
        else:
            entry = dict.fromkeys(CREATOR_COUNTS, 0)
        series.append({"day": day, "fans_total": fans, **entry})
    return series


def creator_overview(
    *, creator_id: int, period: Period, now: datetime | None = None
) -> dict[str, Any]:
    """Totals of the period against the previous one, the daily series, and today so far."""
    previous = period.previous()
    sums = {}
    for name, column in CREATOR_COLUMNS.items():
        sums[f"current_{name}"] = Sum(column, filter=Q(day__gte=period.start), default=0)
        sums[f"previous_{name}"] = Sum(column, filter=Q(day__lt=period.start), default=0)
    totals = CreatorDaily.objects.filter(
        creator_id=creator_id, day__gte=previous.start, day__lte=period.end
    ).aggregate(**sums)
    current = _with_rates({name: totals[f"current_{name}"] for name in CREATOR_COUNTS})
    before = _with_rates({name: totals[f"previous_{name}"] for name in CREATOR_COUNTS})
    metrics = {
        name: {
            "value": current[name],
            "previous": before[name],
            "change": change(current[name], before[name]),
        }
        for name in current
    }
    fans_now = _fans_now(creator_id)
    return {
        "period": period.as_dict(),
        "previous_period": previous.as_dict(),
        "fans_total": fans_now,
        "metrics": metrics,
        "series": _dense_series(_creator_rows(creator_id, period), period, fans_now),
        "today": creator_today(creator_id=creator_id, now=now),
    }


# --- fans -----------------------------------------------------------------------------------


def _dimension_labels(dimension: str, categories: dict[str, str]) -> dict[str, str]:
    if dimension == AudienceDimension.GENDER:
        return {value: str(label) for value, label in Gender.choices}
    if dimension == AudienceDimension.AGE_BAND:
        return {value: str(label) if value else UNKNOWN for value, label in AgeBand.choices}
    if dimension == AudienceDimension.REGION:
        return {**dict(REGION_CHOICES), "": UNKNOWN}
    return categories


def _category_labels() -> dict[str, str]:
    return {str(pk): name for pk, name in Category.objects.values_list("pk", "name")}


def _audience(
    rows: list[tuple[str, str, int, int]], categories: dict[str, str]
) -> dict[str, list[dict[str, Any]]]:
    """(dimension, bucket, value, people) rows -> every dimension's buckets, small ones withheld."""
    grouped: dict[str, list[Bucket]] = {dimension: [] for dimension in AudienceDimension.values}
    for dimension, bucket, value, people in rows:
        grouped[dimension].append(Bucket(key=bucket, value=value, people=people))
    out = {}
    for dimension, buckets in grouped.items():
        labels = _dimension_labels(dimension, categories)
        for bucket in buckets:
            labels.setdefault(bucket.key, bucket.key or UNKNOWN)
        out[dimension] = withhold(buckets, labels=labels)
    return out


def fan_demographics(*, creator_id: int, day: date) -> dict[str, Any]:
    """The newest fan snapshot on or before ``day``, small buckets withheld."""
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
    audience = _audience([(d, b, n, n) for _, d, b, n in rows], _category_labels())
    return {"as_of": as_of, "min_bucket_size": MIN_BUCKET_PEOPLE, **audience}


def _note_titles(creator_id: int, note_ids: set[int]) -> dict[int, str]:
    """Titles of the creator's own notes among ``note_ids`` (one query)."""
    if not note_ids:
        return {}
    return dict(
        Note.objects.filter(author_id=creator_id, pk__in=note_ids).values_list("pk", "title")
    )


def fan_sources(*, creator_id: int, period: Period) -> dict[str, Any]:
    """Fans gained and lost by surface, and the notes, live rooms and promotions that brought
    the most (titles only for the creator's own notes)."""
    rows = FanSourceDaily.objects.filter(
        creator_id=creator_id, day__gte=period.start, day__lte=period.end
    )
    by_source = list(
        rows.values("source")
        .annotate(new_fans=Sum("new_fans"), lost_fans=Sum("lost_fans"))
        .order_by("-new_fans", "source")
    )
    top_objects = list(
        rows.filter(source__in=OBJECT_SOURCES, source_id__gt=0)
        .values("source", "source_id")
        .annotate(new_fans=Sum("new_fans"), lost_fans=Sum("lost_fans"))
        .order_by("-new_fans", "source", "source_id")[:TOP_LIMIT]
    )
    top_notes = list(
        NoteDaily.objects.filter(author_id=creator_id, day__in=period.dates())
        .values("note_id")
        .annotate(fans_gained=Sum("follows"))
        .filter(fans_gained__gt=0)
        .order_by("-fans_gained", "note_id")[:TOP_LIMIT]
    )
    note_ids = {row["note_id"] for row in top_notes} | {
        row["source_id"] for row in top_objects if row["source"] == "note"
    }
    titles = _note_titles(creator_id, note_ids)
    for row in by_source:
        row["net_fans"] = row["new_fans"] - row["lost_fans"]
    for row in top_objects:
        row["net_fans"] = row["new_fans"] - row["lost_fans"]
        row["title"] = titles.get(row["source_id"]) if row["source"] == "note" else None
    for row in top_notes:
        row["title"] = titles.get(row["note_id"])
    return {"by_source": by_source, "top_sources": top_objects, "top_notes": top_notes}


def fan_active_hours(*, creator_id: int, now: datetime | None = None) -> dict[str, Any]:
    """Fans active by hour of the week over the last 30 days, and the best times to post.

    The best times are the three busiest hours of the week; the suggested posting time is the
    hour before each, so a new note is in fans' feeds when they arrive.
    """
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
    hours = [
        {"weekday": weekday, "hour": hour, "active_fans": found.get((weekday, hour), 0)}
        for weekday in range(7)
        for hour in range(24)
    ]
    busiest = sorted(
        (slot for slot in hours if slot["active_fans"] > 0),
        key=lambda slot: (-slot["active_fans"], slot["weekday"], slot["hour"]),
    )[:BEST_TIMES]
    best = []
    for slot in busiest:
        post = (slot["weekday"] * 24 + slot["hour"] - 1) % (7 * 24)
        best.append({**slot, "post_weekday": post // 24, "post_hour": post % 24})
    return {"window": window.as_dict(), "hours": hours, "best_times": best}


def fan_analytics(
    *, creator_id: int, period: Period, now: datetime | None = None
) -> dict[str, Any]:
    """The fans screen: trend, gained and lost, active fans, demographics, sources, hours."""
    rows = _creator_rows(creator_id, period)
    fans_now = _fans_now(creator_id)
    series = _dense_series(rows, period, fans_now)
    latest = rows[0] if rows else None
    new_fans = sum(entry["new_fans"] for entry in series)
    lost_fans = sum(entry["lost_fans"] for entry in series)
    return {
        "period": period.as_dict(),
        "fans_total": fans_now,
        "new_fans": new_fans,
        "lost_fans": lost_fans,
        "net_fans": new_fans - lost_fans,
        "trend": [
            {"day": e["day"], "fans_total": e["fans_total"], **{n: e[n] for n in FAN_COUNTS}}
            for e in series
        ],
        "active_fans": {
            "as_of": latest["day"] if latest else None,
            "last_7_days": latest["active_fans_7d"] if latest else 0,
            "last_30_days": latest["active_fans_30d"] if latest else 0,
        },
        "demographics": fan_demographics(creator_id=creator_id, day=period.end),
        **fan_sources(creator_id=creator_id, period=period),
        "active_hours": fan_active_hours(creator_id=creator_id, now=now),
    }


# --- notes ----------------------------------------------------------------------------------

NOTE_SORTS = {
    "published_at": "n.published_at",
    "impressions": "impressions",
    "reads": "reads",
    "ctr": "ctr_sort",
    "engagement_rate": "engagement_rate_sort",
    "likes": "likes",
    "collects": "collects",
    "comments": "comments",
    "shares": "shares",
    "fans_gained": "fans_gained",
}
NOTE_SUMS = {
    "impressions": "impressions",
    "reads": "views",
    "likes": "likes",
    "collects": "collects",
    "comments": "comments",
    "shares": "shares",
    "fans_gained": "follows",
    "profile_visits": "profile_visits",
    "dwell_ms_sum": "dwell_ms_sum",
    "fan_impressions": "fan_impressions",
    "fan_reads": "fan_views",
}
# One creator's published notes joined to their summed daily rows: the author's notes come from
# note_owner_idx (author, status, ...), their rows from note_daily's key (day, author, note), one
# descent per day of the period (the days are named: {days} is a list of placeholders); sorting
# and paging happen on that one creator's set.
NOTES_SQL = """
    SELECT n.id, n.title, n.kind, n.published_at, {columns},
        CASE WHEN COALESCE(a.impressions, 0) > 0
            THEN CAST(a.reads AS FLOAT) / a.impressions ELSE -1 END AS ctr_sort,
        CASE WHEN COALESCE(a.reads, 0) > 0
            THEN CAST(a.likes + a.collects + a.comments + a.shares AS FLOAT) / a.reads
            ELSE -1 END AS engagement_rate_sort
    FROM {note} n
    LEFT JOIN (
        SELECT d.note_id, {sums}
        FROM {note_daily} d
        WHERE d.author_id = %(creator)s AND d.day IN ({days})
        GROUP BY d.note_id
    ) a ON a.note_id = n.id
    WHERE n.author_id = %(creator)s AND n.status = %(status)s {filters}
    ORDER BY {order} {direction}, n.id {direction}
"""


def _note_metrics(row: dict[str, Any]) -> dict[str, Any]:
    """Derived figures of a note row: rates, averages, the fan / non-fan split."""
    row["engagements"] = row["likes"] + row["collects"] + row["comments"] + row["shares"]
    _with_rates(row)
    row["avg_dwell_ms"] = round(row.pop("dwell_ms_sum") / row["reads"]) if row["reads"] else None
    row["non_fan_impressions"] = row["impressions"] - row["fan_impressions"]
    row["non_fan_reads"] = row["reads"] - row["fan_reads"]
    return row


def _note_filters(
    *, kind: str | None, published_after: date | None, published_before: date | None
) -> tuple[Q, str, dict[str, Any]]:
    """The list's filters, as an ORM condition (for the count) and as SQL (for the rows)."""
    condition, sql, params = Q(), [], {}
    if kind:
        condition &= Q(kind=kind)
        sql.append("AND n.kind = %(kind)s")
        params["kind"] = kind
    if published_after:
        after = day_start(published_after)
        condition &= Q(published_at__gte=after)
        sql.append("AND n.published_at >= %(after)s")
        params["after"] = connection.ops.adapt_datetimefield_value(after)
    if published_before:
        before = day_start(published_before + timedelta(days=1))
        condition &= Q(published_at__lt=before)
        sql.append("AND n.published_at < %(before)s")
        params["before"] = connection.ops.adapt_datetimefield_value(before)
    return condition, " ".join(sql), params


def _note_rows(
    *,
    creator_id: int,
    period: Period,
    sort: str,
    filters: tuple[Q, str, dict[str, Any]],
    limit: int | None = None,
    offset: int = 0,
) -> Iterator[dict[str, Any]]:
    field = sort.lstrip("-")
    sql = NOTES_SQL.format(
        note=Note._meta.db_table,
        note_daily=NoteDaily._meta.db_table,
        columns=", ".join(f"COALESCE(a.{name}, 0) AS {name}" for name in NOTE_SUMS),
        sums=", ".join(f"SUM(d.{column}) AS {name}" for name, column in NOTE_SUMS.items()),
        filters=filters[1],
        days=", ".join(f"%(day_{index})s" for index in range(period.days)),
        order=NOTE_SORTS[field],
        direction="DESC" if sort.startswith("-") else "ASC",
    )
    params = {
        "creator": creator_id,
        **{f"day_{index}": day for index, day in enumerate(period.dates())},
        "status": NoteStatus.PUBLISHED,
        **filters[2],
    }
    if limit is not None:
        sql += " LIMIT %(limit)s OFFSET %(offset)s"
        params.update(limit=limit, offset=offset)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        names = [column[0] for column in cursor.description]
        for values in cursor.fetchall():
            row = dict(zip(names, values, strict=True))
            row.pop("ctr_sort")
            row.pop("engagement_rate_sort")
            row["note_id"] = row.pop("id")
            row["published_at"] = _aware(row["published_at"])
            yield _note_metrics(row)


def _aware(value: datetime | str | None) -> datetime | None:
    """Raw SQL on SQLite returns naive UTC datetimes (or text); PostgreSQL aware ones."""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    if value is not None and timezone.is_naive(value):
        value = value.replace(tzinfo=UTC)
    return value


def note_analytics_list(
    *,
    creator_id: int,
    period: Period,
    sort: str = "-published_at",
    kind: str | None = None,
    published_after: date | None = None,
    published_before: date | None = None,
    page: int = 1,
    page_size: int = 20,
) -> dict[str, Any]:
    """One page of the creator's published notes with their figures over the period."""
    filters = _note_filters(
        kind=kind, published_after=published_after, published_before=published_before
    )
    count = Note.objects.filter(
        filters[0], author_id=creator_id, status=NoteStatus.PUBLISHED
    ).count()
    results = list(
        _note_rows(
            creator_id=creator_id,
            period=period,
            sort=sort,
            filters=filters,
            limit=page_size,
            offset=(page - 1) * page_size,
        )
    )
    return {
        "period": period.as_dict(),
        "count": count,
        "page": page,
        "page_size": page_size,
        "results": results,
    }


def note_analytics_export(
    *,
    creator_id: int,
    period: Period,
    sort: str = "-published_at",
    kind: str | None = None,
    published_after: date | None = None,
    published_before: date | None = None,
) -> Iterator[dict[str, Any]]:
    """Every row of the notes table (same filters and order), for CSV export: one query."""
    filters = _note_filters(
        kind=kind, published_after=published_after, published_before=published_before
    )
    return _note_rows(creator_id=creator_id, period=period, sort=sort, filters=filters)


def get_note_for_creator(*, creator_id: int, note_id: int) -> Note:
    """The creator's own note, or 404 (another creator's note is not found, not forbidden)."""
    note = None
    if 0 < note_id <= MAX_ID:
        note = (
            Note.objects.filter(pk=note_id, author_id=creator_id)
            .only("pk", "author_id", "title", "kind", "status", "published_at")
            .first()
        )
    if note is None:
        raise NotFound("No such note among yours.", code="note.not_found")
    return note


NOTE_DAILY_FIELDS = {
    **NOTE_SUMS,
    "unique_viewers": "unique_viewers",
    "video_watches": "video_watches",
    "watch_ms_sum": "watch_ms_sum",
    "completion_sum": "completion_sum",
    "completed_watches": "completed_watches",
}


def _video_metrics(row: dict[str, Any]) -> dict[str, Any]:
    """Average watch time, average completion, and completion rate (watches of 90% or more)."""
    watches = row["video_watches"]
    row["avg_watch_ms"] = round(row.pop("watch_ms_sum") / watches) if watches else None
    completion = row.pop("completion_sum")
    row["avg_completion"] = round(completion / watches, 4) if watches else None
    row["completion_rate"] = ratio(row.pop("completed_watches"), watches)
    return _note_metrics(row)


def note_analytics_detail(*, note: Note, period: Period) -> dict[str, Any]:
    """One note: totals, daily series, traffic sources, audience (withheld), video retention."""
    # The period's rows (at most one a day) give both the series and the totals: one query.
    names = list(NOTE_DAILY_FIELDS)
    by_day = {
        row[0]: row[1:]
        for row in NoteDaily.objects.filter(
            note_id=note.pk, author_id=note.author_id, day__in=period.dates()
        ).values_list("day", *NOTE_DAILY_FIELDS.values())
    }
    none = (0,) * len(names)
    columns = zip(none, *by_day.values(), strict=True)
    totals = dict(zip(names, (sum(column) for column in columns), strict=True))
    totals["completion_sum"] = float(totals["completion_sum"])
    daily = [
        {"day": day, **_video_metrics(dict(zip(names, by_day.get(day, none), strict=True)))}
        for day in period.dates()
    ]
    return {
        "note": {
            "note_id": note.pk,
            "title": note.title,
            "kind": note.kind,
            "status": note.status,
            "published_at": note.published_at,
        },
        "period": period.as_dict(),
        "totals": _video_metrics(totals),
        "daily": daily,
        "sources": _note_sources(note, period),
        "audience": _note_audience(note, period),
        "retention": _note_retention(note, period) if note.kind == NoteKind.VIDEO else [],
    }


def _note_sources(note: Note, period: Period) -> list[dict[str, Any]]:
    rows = list(
        NoteSourceDaily.objects.filter(
            note_id=note.pk, author_id=note.author_id, day__gte=period.start, day__lte=period.end
        )
        .values("source")
        .annotate(impressions=Sum("impressions"), reads=Sum("views"))
        .order_by("-reads", "-impressions", "source")
    )
    total_reads = sum(row["reads"] for row in rows)
    labels = dict(EventSource.choices)
    for row in rows:
        row["label"] = str(labels.get(row["source"], row["source"] or "Other"))
        row["share_of_reads"] = ratio(row["reads"], total_reads)
    return rows


def _note_audience(note: Note, period: Period) -> dict[str, Any]:
    """Readers per bucket over the period: daily distinct readers summed. A bucket is shown only
    when its busiest day alone had 50 distinct readers, which proves 50 different people."""
    rows = list(
        NoteAudienceDaily.objects.filter(
            note_id=note.pk, author_id=note.author_id, day__gte=period.start, day__lte=period.end
        )
        .values("dimension", "bucket")
        .annotate(value=Sum("viewers"), people=Max("viewers"))
        .values_list("dimension", "bucket", "value", "people")
        .order_by()
    )
    return {"min_bucket_size": MIN_BUCKET_PEOPLE, **_audience(rows, _category_labels())}


def _note_retention(note: Note, period: Period) -> list[dict[str, Any]]:
    """Share of watches still playing at 0%, 10%, ... 100% of the video."""
    by_decile = dict(
        NoteRetentionDaily.objects.filter(
            note_id=note.pk, author_id=note.author_id, day__gte=period.start, day__lte=period.end
        )
        .values("decile")
        .annotate(watches=Sum("watches"))
        .values_list("decile", "watches")
        .order_by()
    )
    total = sum(by_decile.values())
    if not total:
        return []
    points, remaining = [], total
    for decile in range(11):
        points.append(
            {"reached": decile / 10, "watches": remaining, "share": ratio(remaining, total)}
        )
        remaining -= by_decile.get(decile, 0)
    return points
