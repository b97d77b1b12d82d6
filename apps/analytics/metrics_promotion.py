"""Figures of Fries promotion: category rates for quotes, per-order results for reports.

Part of the metrics module (``metrics.py`` holds the rollup readers): every figure promotion
shows comes from here. An event counts for an order when its source is ``promotion``, it is
about the order's note (a follow: about its author) and it happened while the order ran; a note
has at most one running order, so that is unambiguous. Impressions are the ones the server
delivered and recorded (``promotion_recording``), with the order in ``source_id``.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db.models import Count, Q, Sum
from django.db.models.functions import TruncHour

from apps.analytics.days import analytics_zone, local_yesterday
from apps.analytics.kinds import EventKind, EventSource
from apps.analytics.models import Event, NoteDaily
from apps.analytics.periods import period_ending
from apps.analytics.selectors import note_model

RATE_DAYS = 7
KINDS = {
    "impressions": Q(kind=EventKind.IMPRESSION),
    "reads": Q(kind=EventKind.VIEW),
    "likes_collects": Q(kind__in=(EventKind.LIKE, EventKind.COLLECT)),
    "new_fans": Q(kind=EventKind.FOLLOW),
}


@dataclass(frozen=True, slots=True)
class CategoryRates:
    """Results per impression in a category over the last ``RATE_DAYS`` rolled-up days."""

    impressions: int
    reads: float | None  # reads per impression
    likes_collects: float | None
    new_fans: float | None


def category_rates(*, category_id: int | None, now: datetime | None = None) -> CategoryRates:
    """Reads, likes + collects and new fans per impression of the category's notes. One query.

    None for a rate when the category had no impressions in the window (the quote then uses
    the platform's defaults).
    """
    period = period_ending(end=local_yesterday(now), days=RATE_DAYS)
    Note = note_model()
    rows = NoteDaily.objects.filter(day__in=period.dates())
    if Note is not None and category_id is not None:
        rows = rows.filter(note_id__in=Note.objects.filter(category_id=category_id).values("pk"))
    sums = rows.aggregate(
        impressions=Sum("impressions", default=0),
        views=Sum("views", default=0),
        likes=Sum("likes", default=0),
        collects=Sum("collects", default=0),
        follows=Sum("follows", default=0),
    )
    shown = sums["impressions"]

    def rate(value: int) -> float | None:
        return round(value / shown, 6) if shown else None

    return CategoryRates(
        impressions=shown,
        reads=rate(sums["views"]),
        likes_collects=rate(sums["likes"] + sums["collects"]),
        new_fans=rate(sums["follows"]),
    )


def _order_events(*, note_id: int, author_id: int, start: datetime, end: datetime) -> Any:
    return Event.objects.filter(
        Q(note_id=note_id) | Q(kind=EventKind.FOLLOW, author_id=author_id, note_id__isnull=True),
        source=EventSource.PROMOTION,
        occurred_at__gte=start,
        occurred_at__lt=end,
    )


def order_hourly(
    *, note_id: int, author_id: int, start: datetime, end: datetime
) -> list[dict[str, Any]]:
    """Per Shanghai hour of the run: impressions, reads, likes + collects, new fans. One query.

    Hours without events are absent.
    """
    rows = (
        _order_events(note_id=note_id, author_id=author_id, start=start, end=end)
        .annotate(hour=TruncHour("occurred_at", tzinfo=analytics_zone()))
        .values("hour")
        .annotate(**{name: Count("id", filter=condition) for name, condition in KINDS.items()})
        .order_by("hour")
    )
    return list(rows)


def order_totals(*, note_id: int, author_id: int, start: datetime, end: datetime) -> dict[str, int]:
    """The run's totals of the same figures. One query."""
    return _order_events(note_id=note_id, author_id=author_id, start=start, end=end).aggregate(
        **{name: Count("id", filter=condition) for name, condition in KINDS.items()}
    )


def note_organic_totals(*, note_id: int, author_id: int, end: datetime) -> dict[str, int]:
    """The note's own figures over the ``RATE_DAYS`` rolled-up days before ``end`` (the
    report's comparison), without the promotion's impressions and reads. Two queries."""
    period = period_ending(end=local_yesterday(end), days=RATE_DAYS)
    rows = NoteDaily.objects.filter(day__in=period.dates(), note_id=note_id, author_id=author_id)
    sums = rows.aggregate(
        impressions=Sum("impressions", default=0),
        reads=Sum("views", default=0),
        likes=Sum("likes", default=0),
        collects=Sum("collects", default=0),
        new_fans=Sum("follows", default=0),
    )
    start = end - timedelta(days=RATE_DAYS)
    paid = _order_events(note_id=note_id, author_id=author_id, start=start, end=end).aggregate(
        **{name: Count("id", filter=condition) for name, condition in KINDS.items()}
    )
    return {
        "impressions": max(0, sums["impressions"] - paid["impressions"]),
        "reads": max(0, sums["reads"] - paid["reads"]),
        "likes_collects": max(0, sums["likes"] + sums["collects"] - paid["likes_collects"]),
        "new_fans": max(0, sums["new_fans"] - paid["new_fans"]),
    }


def delivered_impressions(*, order_ids: Iterable[int]) -> dict[int, int]:
    """Impressions the server recorded per order (billing's reconciliation). One query."""
    ids = list(order_ids)
    if not ids:
        return {}
    rows = (
        Event.objects.filter(
            source=EventSource.PROMOTION,
            kind=EventKind.IMPRESSION,
            source_id__in=ids,
            client_event_id__isnull=True,
        )
        .values("source_id")
        .annotate(n=Count("id"))
        .order_by()
    )
    return {row["source_id"]: row["n"] for row in rows}
