"""The creator data card a brand opens from discovery.

Figures come from ``apps.analytics.metrics`` (fan trend, recent notes' figures), demographics
from the creator center's own selector (buckets under 50 people withheld exactly as creators see
them), the authenticity score and its inputs from the creator's discovery row (computed by the
refresh from ``apps.analytics.metrics_brands``), and cooperations and ratings from
``cooperation_stats``. A fixed number of queries (about ten) whatever the creator's history.
"""

from datetime import datetime
from typing import Any

from django.utils import timezone

from apps.analytics import metrics
from apps.analytics.days import local_today, local_yesterday
from apps.analytics.metrics import ENGAGEMENTS, ratio
from apps.analytics.periods import period_ending
from apps.brands.authenticity import ACTIVE_TARGET
from apps.brands.cooperation_stats import card_cooperation_stats
from apps.brands.discovery import effective_availability
from apps.brands.discovery_refresh import NOTE_FIGURE_DAYS, RECENT_NOTES
from apps.brands.profile_models import DISCOVERABLE, RATE_FIELDS, CreatorDiscoveryRow
from apps.core.errors import NotFound
from apps.creators.selectors import fan_demographics
from apps.notes.models import PUBLICLY_VISIBLE, Note

TREND_DAYS = 30
TOP_NOTES = 5
FORMULA = (
    "round(100 * (0.4 * min(1, active_share / 0.5) + 0.4 * (1 - never_active_share)"
    " + 0.2 * (1 - burst_follow_share)))"
)


def _row(creator_id: int) -> CreatorDiscoveryRow:
    row = (
        CreatorDiscoveryRow.objects.filter(DISCOVERABLE, pk=creator_id)
        .select_related("creator__creator__profile")
        .prefetch_related("creator__categories")
        .first()
    )
    if row is None:
        raise NotFound("No listed creator with this id.", code="brands.creator_not_found")
    return row


def _recent_notes(creator_id: int, end: Any) -> dict[str, Any]:
    """Average reads and engagements of the last 30 published notes over the last 90 days,
    and the most read of them."""
    notes = list(
        Note.objects.filter(PUBLICLY_VISIBLE, author_id=creator_id)
        .order_by("-published_at", "-id")
        .values("id", "title", "kind", "published_at")[:RECENT_NOTES]
    )
    period = period_ending(end=end, days=NOTE_FIGURE_DAYS)
    totals = metrics.note_totals(
        note_ids=[note["id"] for note in notes],
        period=period,
        author_id=creator_id,
        figures=("impressions", "views", *ENGAGEMENTS),
    )
    rows = []
    for note in notes:
        figures = totals.get(note["id"], {})
        reads = figures.get("views", 0)
        engagements = sum(figures.get(name, 0) for name in ENGAGEMENTS)
        rows.append(
            {
                "note_id": note["id"],
                "title": note["title"],
                "kind": note["kind"],
                "published_at": note["published_at"],
                "reads": reads,
                "engagements": engagements,
                "engagement_rate": ratio(engagements, reads),
            }
        )
    reads = sum(row["reads"] for row in rows)
    engagements = sum(row["engagements"] for row in rows)
    count = len(rows)
    top = sorted(rows, key=lambda row: (-row["reads"], -row["note_id"]))[:TOP_NOTES]
    return {
        "period": period.as_dict(),
        "notes": count,
        "average_reads": round(reads / count, 1) if count else None,
        "average_engagements": round(engagements / count, 1) if count else None,
        "engagement_rate": ratio(engagements, reads),
        "top_notes": top,
    }


def _authenticity(row: CreatorDiscoveryRow) -> dict[str, Any]:
    return {
        "score": row.authenticity_score,
        "formula": FORMULA,
        "active_target": ACTIVE_TARGET,
        "active_fans_share": row.active_fans_share,
        "never_active_share": row.never_active_share,
        "follows_30d": row.follows_30d,
        "burst_hours": row.burst_hours,
        "burst_follows": row.burst_follows,
        "burst_follow_share": ratio(row.burst_follows, row.follows_30d) or 0.0,
        "bursts": row.burst_detail,
        "as_of": row.refreshed_at,
    }


def data_card(*, creator_id: int, now: datetime | None = None) -> dict[str, Any]:
    """Everything a brand's card shows about one listed creator (404 for anyone else)."""
    now = now or timezone.now()
    row = _row(creator_id)
    profile = row.creator
    user_profile = profile.creator.profile
    yesterday = local_yesterday(now)
    trend = metrics.creator_daily_series(
        creator_id=creator_id,
        period=period_ending(end=yesterday, days=TREND_DAYS),
        fans_now=row.fans,
    )
    stats = card_cooperation_stats([creator_id]).get(
        creator_id, {"completed": 0, "rating_average": None, "rating_count": 0}
    )
    return {
        "creator_id": creator_id,
        "display_name": user_profile.display_name,
        "fans": row.fans,
        "categories": [category.slug for category in profile.categories.all()],
        "rates": {deliverable: getattr(row, column) for deliverable, column in RATE_FIELDS.items()},
        "availability": effective_availability(row.availability, row.busy_until, local_today(now)),
        "busy_until": row.busy_until,
        "pitch": profile.pitch,
        "fit_score": row.fit_score,
        "fan_trend": [
            {
                "day": day["day"],
                "fans_total": day["fans_total"],
                "new_fans": day["new_fans"],
                "lost_fans": day["lost_fans"],
            }
            for day in trend.days
        ],
        "demographics": fan_demographics(creator_id=creator_id, day=yesterday),
        "recent_notes": _recent_notes(creator_id, yesterday),
        "cooperations": stats,
        "authenticity": _authenticity(row),
    }
