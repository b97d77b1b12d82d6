"""Figures for brands' campaign reports: each sponsored note's totals since its publication.

Built on ``metrics.note_totals`` (one query), so a figure in a campaign report means what it
means in the creator center. The period runs from the earliest publication day to yesterday
(Asia/Shanghai; today's rollup does not exist yet), at most ``REPORT_MAX_DAYS`` days.
"""

from collections.abc import Iterable
from datetime import date, timedelta
from typing import Any

from apps.analytics.days import local_yesterday
from apps.analytics.metrics import note_totals
from apps.analytics.periods import Period

REPORT_FIGURES = ("impressions", "views", "likes", "collects", "comments", "shares", "follows")
REPORT_MAX_DAYS = 366


def sponsored_note_totals(*, note_ids: Iterable[int], since: date) -> dict[int, dict[str, Any]]:
    """``note_id -> {figure: total}`` from ``since`` to yesterday; notes without rows absent."""
    ids = set(note_ids)
    end = local_yesterday()
    start = max(since, end - timedelta(days=REPORT_MAX_DAYS - 1))
    if not ids or start > end:
        return {}
    return note_totals(note_ids=ids, period=Period(start, end), figures=REPORT_FIGURES)
