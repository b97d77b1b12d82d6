"""Reporting periods of the creator center: runs of whole Asia/Shanghai days ending at the last
rolled-up day, and the bounds of what a client may ask for (``Period`` itself is analytics')."""

from datetime import date

from apps.analytics.periods import Period, period_ending

__all__ = [
    "DEFAULT_PERIOD",
    "EARLIEST_DAY",
    "LATEST_DAY",
    "MAX_RANGE_DAYS",
    "PERIOD_CHOICES",
    "Period",
    "period_ending",
]

PERIOD_CHOICES = (7, 30, 90)
DEFAULT_PERIOD = 7
# Bounds of any date a client may send: keeps date arithmetic far from date.min / date.max.
EARLIEST_DAY = date(2000, 1, 1)
LATEST_DAY = date(2999, 12, 31)
MAX_RANGE_DAYS = 366
