"""An order's results: per hour of its run, totals, rates, against the note's organic figures.

Every figure comes from the metrics module (``apps.analytics.metrics_promotion``); this module
only adds the ratios and the CSV layout.
"""

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from apps.analytics import metrics_promotion
from apps.analytics.metrics import ratio
from apps.promotion.models import Objective, PromotionOrder

RESULT_FIELD = {
    Objective.ENGAGEMENT: "likes_collects",
    Objective.READS: "reads",
    Objective.FANS: "new_fans",
}
FIGURES = ("impressions", "reads", "likes_collects", "new_fans")


@dataclass(frozen=True, slots=True)
class OrderReport:
    hours: list[dict[str, Any]]
    totals: dict[str, int]
    ctr: float | None  # reads per impression
    results: int  # of the objective
    cost_per_result: int | None  # fen, rounded down
    organic: dict[str, int]
    organic_ctr: float | None


def order_report(order: PromotionOrder) -> OrderReport:
    """Three queries (hours, totals, organic figures), whatever the length of the run."""
    end = min(order.ended_at or timezone.now(), order.ends_at)
    window = {
        "note_id": order.note_id,
        "author_id": order.creator_id,
        "start": order.starts_at,
        "end": max(end, order.starts_at),
    }
    hours = metrics_promotion.order_hourly(**window)
    totals = metrics_promotion.order_totals(**window)
    organic = metrics_promotion.note_organic_totals(
        note_id=order.note_id, author_id=order.creator_id, end=order.starts_at
    )
    results = totals[RESULT_FIELD[order.objective]]
    for row in hours:
        row["ctr"] = ratio(row["reads"], row["impressions"])
    return OrderReport(
        hours=hours,
        totals=totals,
        ctr=ratio(totals["reads"], totals["impressions"]),
        results=results,
        cost_per_result=order.spent // results if results else None,
        organic=organic,
        organic_ctr=ratio(organic["reads"], organic["impressions"]),
    )


def _cell(value: object) -> str:
    text = "" if value is None else str(value)
    if text[:1] in ("=", "+", "-", "@"):  # never a formula in a spreadsheet
        text = "'" + text
    return f'"{text}"' if any(ch in text for ch in ',"\n') else text


def order_report_csv(order: PromotionOrder) -> Iterator[str]:
    """The hourly rows as CSV lines, then the totals and the organic comparison."""
    report = order_report(order)
    yield "hour," + ",".join(FIGURES) + ",ctr\n"
    for row in report.hours:
        cells = [row["hour"].isoformat(), *(row[name] for name in FIGURES), row["ctr"]]
        yield ",".join(_cell(cell) for cell in cells) + "\n"
    yield "total," + ",".join(_cell(report.totals[n]) for n in FIGURES) + f",{_cell(report.ctr)}\n"
    organic = ",".join(_cell(report.organic[n]) for n in FIGURES)
    yield f"organic_7_days_before,{organic},{_cell(report.organic_ctr)}\n"
