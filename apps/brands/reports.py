"""The campaign report: per sponsored note, its figures (from the analytics metrics module),
CPM and cost per engagement; per campaign, the totals; and the same as CSV."""

import csv
from collections.abc import Iterator
from typing import Any

from django.utils import timezone

from apps.analytics.metrics_brand_reports import REPORT_FIGURES, sponsored_note_totals
from apps.brands.cooperation_models import Campaign, Cooperation
from apps.brands.selectors import SPONSORED_STATES

ENGAGEMENTS = ("likes", "collects", "comments", "shares")
CSV_COLUMNS = (
    "cooperation_id",
    "creator_id",
    "note_id",
    "price_fen",
    *REPORT_FIGURES,
    "engagements",
    "cpm_fen",
    "cost_per_engagement_fen",
)


def _costs(price: int, figures: dict[str, int]) -> dict[str, Any]:
    engagements = sum(figures[name] for name in ENGAGEMENTS)
    impressions = figures["impressions"]
    return {
        "engagements": engagements,
        # CPM = price / impressions x 1000; cost per engagement = price / engagements (fen).
        "cpm": round(price * 1000 / impressions, 2) if impressions else None,
        "cost_per_engagement": round(price / engagements, 2) if engagements else None,
    }


def campaign_report(*, campaign: Campaign) -> dict[str, Any]:
    """Rows per published cooperation note and the campaign's totals (two queries)."""
    cooperations = list(
        Cooperation.objects.filter(
            campaign=campaign, status__in=SPONSORED_STATES, published_at__isnull=False
        ).order_by("published_at", "pk")
    )
    since = min(
        (timezone.localdate(c.published_at) for c in cooperations), default=timezone.localdate()
    )
    figures = sponsored_note_totals(note_ids=[c.note_id for c in cooperations], since=since)
    rows = []
    totals = dict.fromkeys(REPORT_FIGURES, 0)
    spent = 0
    for cooperation in cooperations:
        found = figures.get(cooperation.note_id) or {}
        note_figures = {name: int(found.get(name) or 0) for name in REPORT_FIGURES}
        for name in REPORT_FIGURES:
            totals[name] += note_figures[name]
        spent += cooperation.price
        rows.append(
            {
                "cooperation_id": cooperation.pk,
                "creator_id": cooperation.creator_id,
                "note_id": cooperation.note_id,
                "price": cooperation.price,
                **note_figures,
                **_costs(cooperation.price, note_figures),
            }
        )
    return {
        "campaign_id": campaign.pk,
        "rows": rows,
        "totals": {"price": spent, **totals, **_costs(spent, totals)},
    }


class _Echo:
    def write(self, value: str) -> str:
        return value


def campaign_report_csv(*, campaign: Campaign) -> Iterator[str]:
    """The report as CSV lines: one per note, then a TOTAL line."""
    report = campaign_report(campaign=campaign)
    writer = csv.writer(_Echo())
    yield writer.writerow(CSV_COLUMNS)

    def line(first: list[Any], row: dict[str, Any]) -> str:
        values = [row["price"], *(row[name] for name in REPORT_FIGURES), row["engagements"]]
        costs = [row["cpm"], row["cost_per_engagement"]]
        return writer.writerow(first + values + ["" if c is None else c for c in costs])

    for row in report["rows"]:
        yield line([row["cooperation_id"], row["creator_id"], row["note_id"]], row)
    yield line(["TOTAL", "", ""], report["totals"])
