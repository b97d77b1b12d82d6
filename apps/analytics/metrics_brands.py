"""Figures brands' discovery and data cards need for many creators at once.

Set-based companions of ``apps.analytics.metrics``: each function answers for a whole batch of
creators (the discovery refresh works through every listed creator in batches) in the number of
queries its docstring states, whatever the batch size. Brands adds what it shows around them
(withholding, shares, the authenticity score); it never reads these tables itself.
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.db.models import Count, Exists, F, Max, OuterRef, Sum
from django.db.models.functions import TruncHour

from apps.accounts.models import Follow
from apps.analytics.kinds import EventKind
from apps.analytics.metrics import ENGAGEMENTS
from apps.analytics.models import (
    CreatorDaily,
    DailyActiveUser,
    Event,
    FanDemographicDaily,
    NoteDaily,
)
from apps.analytics.periods import Period


def fan_demographic_snapshots(
    *, creator_ids: Iterable[int], day: date, dimensions: Iterable[str]
) -> dict[int, tuple[date, list[tuple[str, str, int]]]]:
    """Each creator's newest fan snapshot on or before ``day``: its day and ``(dimension, bucket,
    fans)`` rows, true counts, only the ``dimensions`` asked for. Creators without one are
    absent.

    Two queries: the newest snapshot day per creator, then those days' rows.
    """
    ids = set(creator_ids)
    if not ids:
        return {}
    newest = dict(
        FanDemographicDaily.objects.filter(creator_id__in=ids, day__lte=day)
        .values("creator_id")
        .annotate(newest=Max("day"))
        .values_list("creator_id", "newest")
        .order_by()
    )
    if not newest:
        return {}
    found: dict[int, list[tuple[str, str, int]]] = defaultdict(list)
    rows = FanDemographicDaily.objects.filter(
        creator_id__in=list(newest),
        day__in=set(newest.values()),
        dimension__in=list(dimensions),
    ).values_list("creator_id", "day", "dimension", "bucket", "fans")
    for creator_id, snapshot_day, dimension, bucket, fans in rows:
        if newest[creator_id] == snapshot_day:
            found[creator_id].append((dimension, bucket, fans))
    return {creator_id: (newest[creator_id], rows) for creator_id, rows in found.items()}


def latest_creator_states(
    *, creator_ids: Iterable[int], day: date, lookback_days: int = 7
) -> dict[int, dict[str, Any]]:
    """Each creator's newest ``creator_daily`` row within ``lookback_days`` up to ``day``:
    ``day``, ``fans_total``, ``active_fans_30d``. One query (the rows of those few days)."""
    ids = set(creator_ids)
    if not ids:
        return {}
    start = day - timedelta(days=lookback_days - 1)
    found: dict[int, dict[str, Any]] = {}
    rows = (
        CreatorDaily.objects.filter(creator_id__in=ids, day__gte=start, day__lte=day)
        .order_by("creator_id", "-day")
        .values("creator_id", "day", "fans_total", "active_fans_30d")
    )
    for row in rows:
        found.setdefault(row["creator_id"], row)
    return found


def notes_engagement_by_author(
    *, author_ids: Iterable[int], note_ids: Iterable[int], period: Period
) -> dict[int, dict[str, int]]:
    """Reads (``views``), ``engagements`` (likes + collects + comments + shares) and the number
    of notes with figures, summed per author over the notes in ``note_ids`` credited to them
    during the period. One query over ``note_daily``'s key (the period's days named)."""
    authors, notes = set(author_ids), set(note_ids)
    if not authors or not notes:
        return {}
    engagements = sum((F(name) for name in ENGAGEMENTS[1:]), F(ENGAGEMENTS[0]))
    rows = (
        NoteDaily.objects.filter(day__in=period.dates(), author_id__in=authors, note_id__in=notes)
        .values("author_id")
        .annotate(
            views=Sum("views"),
            engagements=Sum(engagements),
            notes=Count("note_id", distinct=True),
        )
        .order_by()
    )
    return {
        row["author_id"]: {
            "views": row["views"] or 0,
            "engagements": row["engagements"] or 0,
            "notes": row["notes"],
        }
        for row in rows
    }


def fans_never_active(*, creator_ids: Iterable[int]) -> dict[int, dict[str, int]]:
    """Per creator: ``fans`` (edges in the follow graph now) and ``never_active``, those of them
    with no day of activity on record (no ``daily_active_user`` row, ever). One query; each fan
    is one probe of the ``daily_active_user`` user index."""
    ids = set(creator_ids)
    if not ids:
        return {}
    active = DailyActiveUser.objects.filter(user_id=OuterRef("follower_id"))
    rows = (
        Follow.objects.filter(followee_id__in=ids)
        .values("followee_id")
        .annotate(fans=Count("id"), never_active=Count("id", filter=~Exists(active)))
        .order_by()
    )
    return {
        row["followee_id"]: {"fans": row["fans"], "never_active": row["never_active"]}
        for row in rows
    }


@dataclass(frozen=True, slots=True)
class FollowBursts:
    """One creator's follows over a window and the hours that stood far above its normal rate."""

    follows: int  # follow events over the window
    hours: int  # hours in the window
    baseline: float  # follows per hour over the window
    bursts: list[tuple[datetime, int]]  # (hour start, follows), busiest first

    @property
    def burst_follows(self) -> int:
        return sum(count for _, count in self.bursts)


def follow_bursts(
    *,
    creator_ids: Iterable[int],
    since: datetime,
    until: datetime,
    min_follows: int,
    factor: float,
) -> dict[int, FollowBursts]:
    """Per creator, follow events in ``[since, until)`` and the burst hours: hours with at least
    ``min_follows`` follows and at least ``factor`` times the creator's mean hourly rate over the
    window. Two queries on the events' (author, time) index: totals per creator, then the hours
    at or above ``min_follows`` (only candidates leave the database)."""
    ids = set(creator_ids)
    if not ids:
        return {}
    follows = Event.objects.filter(
        author_id__in=ids, occurred_at__gte=since, occurred_at__lt=until, kind=EventKind.FOLLOW
    )
    totals = dict(
        follows.values("author_id")
        .annotate(follows=Count("id"))
        .values_list("author_id", "follows")
        .order_by()
    )
    hours = max(1, int((until - since).total_seconds() // 3600))
    candidates = (
        follows.annotate(hour=TruncHour("occurred_at"))
        .values("author_id", "hour")
        .annotate(follows=Count("id"))
        .filter(follows__gte=max(1, min_follows))
        .order_by()
    )
    by_creator: dict[int, list[tuple[datetime, int]]] = defaultdict(list)
    for row in candidates:
        baseline = totals.get(row["author_id"], 0) / hours
        if row["follows"] >= factor * baseline:
            by_creator[row["author_id"]].append((row["hour"], row["follows"]))
    return {
        creator_id: FollowBursts(
            follows=total,
            hours=hours,
            baseline=round(total / hours, 4),
            bursts=sorted(by_creator.get(creator_id, []), key=lambda b: (-b[1], b[0])),
        )
        for creator_id, total in totals.items()
    }
