"""Periods: runs of whole Asia/Shanghai days, the unit every metrics read is asked for.

Here rather than in the creator center because every reader of the rollup tables (creator
center, brand reports, promotion results, agency dashboards) asks for figures over days.
"""

from dataclasses import dataclass
from datetime import date, timedelta


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
    """The ``days`` whole days ending with ``end``."""
    return Period(end - timedelta(days=days - 1), end)
