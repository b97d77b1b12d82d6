"""Reporting periods: runs of whole Asia/Shanghai days ending at the last rolled-up day."""

from dataclasses import dataclass
from datetime import date, timedelta

PERIOD_CHOICES = (7, 30, 90)
DEFAULT_PERIOD = 7
# Bounds of any date a client may send: keeps date arithmetic far from date.min / date.max.
EARLIEST_DAY = date(2000, 1, 1)
LATEST_DAY = date(2999, 12, 31)
MAX_RANGE_DAYS = 366


@dataclass(frozen=True, slots=True)
class Period:
    start: date
    end: date

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def previous(self) -> "Period":
        """The period of the same length just before this one (for "change vs previous")."""
        return Period(self.start - timedelta(days=self.days), self.start - timedelta(days=1))

    def dates(self) -> list[date]:
        return [self.start + timedelta(days=offset) for offset in range(self.days)]

    def as_dict(self) -> dict:
        return {"start": self.start, "end": self.end, "days": self.days}


def period_ending(*, end: date, days: int) -> Period:
    return Period(end - timedelta(days=days - 1), end)
