"""Figures for many creators at once (agency dashboards, program eligibility), set-based.

The per-creator readers in ``metrics.py`` answer for one creator; an agency with 1,000 signed
creators or a nightly job over 100,000 must not ask 1,000 or 100,000 times. Each function here
is one query (or one subquery for the caller's own statement) whatever the number of creators,
read through ``creator_daily``'s ``(creator_id, day)`` key.
"""

from collections.abc import Collection
from typing import Any

from django.db.models import FloatField, OuterRef, Q, QuerySet, Sum
from django.db.models.functions import Cast, NullIf

from apps.analytics.models import CreatorDaily
from apps.analytics.periods import Period

DASHBOARD_FIGURES = ("views", "engagements", "new_fans", "lost_fans", "net_fans")


def creators_period_totals(
    *, creator_ids: Collection[int], period: Period
) -> dict[int, dict[str, Any]]:
    """Per creator: fans at the period's last day, reads, engagements, fans gained, lost and net,
    and the engagement rate (engagements / reads). One query."""
    sums = {column: Sum(column, default=0) for column in DASHBOARD_FIGURES}
    rows = (
        CreatorDaily.objects.filter(
            creator_id__in=list(creator_ids), day__gte=period.start, day__lte=period.end
        )
        .values("creator_id")
        .annotate(fans=Sum("fans_total", filter=Q(day=period.end), default=0), **sums)
    )
    totals: dict[int, dict[str, Any]] = {}
    for row in rows:
        creator_id = row.pop("creator_id")
        row["engagement_rate"] = (
            round(row["engagements"] / row["views"], 4) if row["views"] else None
        )
        totals[creator_id] = row
    return totals


def engagement_rate_subquery(*, period: Period, creator_ref: str = "pk") -> Any:
    """engagements / reads of the creator named by ``OuterRef(creator_ref)`` over the period,
    as a subquery for the caller's set-based statement (NULL without reads)."""
    return (
        CreatorDaily.objects.filter(
            creator_id=OuterRef(creator_ref), day__gte=period.start, day__lte=period.end
        )
        .values("creator_id")
        .annotate(
            rate=Cast(Sum("engagements"), FloatField())
            / Cast(NullIf(Sum("views"), 0), FloatField()),
        )
        .values("rate")
    )


def creator_daily_rows(*, period: Period) -> QuerySet[CreatorDaily]:
    """The period's creator_daily rows (for callers that aggregate them their own way)."""
    return CreatorDaily.objects.filter(day__gte=period.start, day__lte=period.end)
