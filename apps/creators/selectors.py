"""Creator-center reads: figures from ``apps.analytics.metrics`` combined with the creator's
notes, privacy buckets and the API's names.

Every figure comes from the metrics module (rollup tables, plus "today so far" from the
creator's own events); this module adds what the creator center shows around them: note titles,
labels, withholding of small buckets, rates, best times to post. Each function makes a fixed
number of queries whatever the period, the number of notes or the page size.

A creator sees only rows credited to themself: every query is filtered by their id, and a note
is found only among their own notes (anything else is 404).
"""

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any

from django.db import connection
from django.db.models import Q
from django.utils import timezone

from apps.accounts.models import Category, Gender, Profile
from apps.accounts.regions import REGION_CHOICES
from apps.analytics import metrics
from apps.analytics.days import day_start
from apps.analytics.kinds import AgeBand, EventSource
from apps.analytics.metrics import change, ratio
from apps.analytics.models import NOTE_DAILY_FIGURES, AudienceDimension
from apps.core.errors import NotFound
from apps.creators.periods import Period
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
# API names of note_daily figures that the API calls otherwise.
NOTE_API_NAMES = {"views": "reads", "follows": "fans_gained", "fan_views": "fan_reads"}
TOP_LIMIT = 10
BEST_TIMES = 3


def _with_rates(counts: dict[str, Any]) -> dict[str, Any]:
    """Click-through rate = reads / impressions; engagement rate = engagements / reads."""
    counts["ctr"] = ratio(counts["reads"], counts["impressions"])
    counts["engagement_rate"] = ratio(counts["engagements"], counts["reads"])
    return counts


# --- today, live ----------------------------------------------------------------------------


def creator_today(*, creator_id: int, now: datetime | None = None) -> dict[str, Any]:
    """Today's figures so far under the API's names, with rates (cached in metrics)."""
    counts = metrics.creator_today(creator_id=creator_id, now=now)
    result = {"day": counts["day"], "as_of": counts["as_of"]}
    result.update({name: counts[column] for name, column in CREATOR_COLUMNS.items()})
    return _with_rates(result)


# --- creator series -------------------------------------------------------------------------


def _fans_now(creator_id: int) -> int:
    return (
        Profile.objects.filter(user_id=creator_id).values_list("fans_count", flat=True).first() or 0
    )


def _series(days: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Metrics' dense daily series under the API's names."""
    return [
        {
            "day": entry["day"],
            "fans_total": entry["fans_total"],
            **{name: entry[column] for name, column in CREATOR_COLUMNS.items()},
        }
        for entry in days
    ]


def creator_overview(
    *, creator_id: int, period: Period, now: datetime | None = None
) -> dict[str, Any]:
    """Totals of the period against the previous one, the daily series, and today so far."""
    previous = period.previous()
    now_sums, before_sums = metrics.creator_totals_with_previous(
        creator_id=creator_id, period=period
    )
    current = _with_rates({name: now_sums[column] for name, column in CREATOR_COLUMNS.items()})
    before = _with_rates({name: before_sums[column] for name, column in CREATOR_COLUMNS.items()})
    figures = {
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
        "metrics": figures,
        "series": _series(
            metrics.creator_daily_series(
                creator_id=creator_id, period=period, fans_now=fans_now
            ).days
        ),
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
    as_of, rows = metrics.fan_demographic_snapshot(creator_id=creator_id, day=day)
    audience = _audience([(d, b, n, n) for d, b, n in rows], _category_labels())
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
    by_source = metrics.fans_by_source(creator_id=creator_id, period=period)
    top_objects = metrics.top_fan_sources(creator_id=creator_id, period=period, limit=TOP_LIMIT)
    top_notes = metrics.top_notes_by_fans(author_id=creator_id, period=period, limit=TOP_LIMIT)
    note_ids = {row["note_id"] for row in top_notes} | {
        row["source_id"] for row in top_objects if row["source"] == "note"
    }
    titles = _note_titles(creator_id, note_ids)
    for row in top_objects:
        row["title"] = titles.get(row["source_id"]) if row["source"] == "note" else None
    for row in top_notes:
        row["title"] = titles.get(row["note_id"])
    return {"by_source": by_source, "top_sources": top_objects, "top_notes": top_notes}


def fan_active_hours(*, creator_id: int, now: datetime | None = None) -> dict[str, Any]:
    """Fans active by hour of the week over the last 30 days, and the best times to post.

    The best times are the three busiest hours of the week; the suggested posting time is the
    hour before each, so a new note is in fans' feeds when they arrive.
    """
    window, found = metrics.fan_activity_by_hour(creator_id=creator_id, now=now)
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
    fans_now = _fans_now(creator_id)
    daily = metrics.creator_daily_series(creator_id=creator_id, period=period, fans_now=fans_now)
    series = _series(daily.days)
    latest = daily.latest
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
# API name -> note_daily column, for every figure the API shows.
NOTE_FIELDS = {NOTE_API_NAMES.get(column, column): column for column in NOTE_DAILY_FIGURES}
# What the notes table sums per note.
NOTE_SUMS = {
    name: NOTE_FIELDS[name]
    for name in (
        "impressions",
        "reads",
        "likes",
        "collects",
        "comments",
        "shares",
        "fans_gained",
        "profile_visits",
        "dwell_ms_sum",
        "fan_impressions",
        "fan_reads",
    )
}
# One creator's published notes joined to their summed daily rows (metrics' note totals,
# {totals}): the author's notes come from note_owner_idx (author, status, ...), their rows from
# note_daily's key (day, author, note), one descent per day of the period; sorting and paging
# happen on that one creator's set.
NOTES_SQL = """
    SELECT n.id, n.title, n.kind, n.published_at, {columns},
        CASE WHEN COALESCE(a.impressions, 0) > 0
            THEN CAST(a.reads AS FLOAT) / a.impressions ELSE -1 END AS ctr_sort,
        CASE WHEN COALESCE(a.reads, 0) > 0
            THEN CAST(a.likes + a.collects + a.comments + a.shares AS FLOAT) / a.reads
            ELSE -1 END AS engagement_rate_sort
    FROM {note} n
    LEFT JOIN ({totals}) a ON a.note_id = n.id
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
    totals, totals_params = metrics.note_totals_subquery(
        author_id=creator_id, period=period, figures=NOTE_SUMS
    )
    sql = NOTES_SQL.format(
        note=Note._meta.db_table,
        columns=", ".join(f"COALESCE(a.{name}, 0) AS {name}" for name in NOTE_SUMS),
        totals=totals,
        filters=filters[1],
        order=NOTE_SORTS[field],
        direction="DESC" if sort.startswith("-") else "ASC",
    )
    params = {
        "creator": creator_id,
        **totals_params,
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


def _note_names(figures: dict[str, Any]) -> dict[str, Any]:
    """note_daily figures under the API's names."""
    return {name: figures[column] for name, column in NOTE_FIELDS.items()}


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
    series = metrics.note_daily_series(note_id=note.pk, author_id=note.author_id, period=period)
    daily = [{"day": entry["day"], **_video_metrics(_note_names(entry))} for entry in series.days]
    return {
        "note": {
            "note_id": note.pk,
            "title": note.title,
            "kind": note.kind,
            "status": note.status,
            "published_at": note.published_at,
        },
        "period": period.as_dict(),
        "totals": _video_metrics(_note_names(series.totals)),
        "daily": daily,
        "sources": _note_sources(note, period),
        "audience": _note_audience(note, period),
        "retention": _note_retention(note, period) if note.kind == NoteKind.VIDEO else [],
    }


def _note_sources(note: Note, period: Period) -> list[dict[str, Any]]:
    rows = [
        {"source": row["source"], "impressions": row["impressions"], "reads": row["views"]}
        for row in metrics.note_sources(note_id=note.pk, author_id=note.author_id, period=period)
    ]
    total_reads = sum(row["reads"] for row in rows)
    labels = dict(EventSource.choices)
    for row in rows:
        row["label"] = str(labels.get(row["source"], row["source"] or "Other"))
        row["share_of_reads"] = ratio(row["reads"], total_reads)
    return rows


def _note_audience(note: Note, period: Period) -> dict[str, Any]:
    """Readers per bucket over the period: daily distinct readers summed. A bucket is shown only
    when its busiest day alone had 50 distinct readers, which proves 50 different people."""
    rows = metrics.note_audience(note_id=note.pk, author_id=note.author_id, period=period)
    return {"min_bucket_size": MIN_BUCKET_PEOPLE, **_audience(rows, _category_labels())}


def _note_retention(note: Note, period: Period) -> list[dict[str, Any]]:
    """Share of watches still playing at 0%, 10%, ... 100% of the video."""
    by_decile = metrics.note_retention(note_id=note.pk, author_id=note.author_id, period=period)
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
