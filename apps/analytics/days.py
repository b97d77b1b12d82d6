"""Analytics days are Asia/Shanghai calendar days; events are stored and filtered in UTC.

A day D covers ``[D 00:00+08:00, D+1 00:00+08:00)``. Rollups filter ``occurred_at`` by those two
UTC instants, never by a function of the column, so the BRIN index on ``occurred_at`` applies.
"""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone


def analytics_zone() -> ZoneInfo:
    return ZoneInfo(settings.ANALYTICS_TIME_ZONE)


def day_start(day: date) -> datetime:
    """The UTC instant at which the Shanghai day ``day`` begins."""
    return datetime.combine(day, time.min, tzinfo=analytics_zone()).astimezone(UTC)


def day_bounds(day: date) -> tuple[datetime, datetime]:
    """``[start, end)`` of the Shanghai day in UTC."""
    return day_start(day), day_start(day + timedelta(days=1))


def local_today(now: datetime | None = None) -> date:
    """Today's date in Shanghai."""
    return timezone.localtime(now or timezone.now(), analytics_zone()).date()


def local_yesterday(now: datetime | None = None) -> date:
    """The last complete Shanghai day: the newest day a rollup can cover."""
    return local_today(now) - timedelta(days=1)


def utc_offset_minutes(day: date) -> int:
    """Minutes the analytics zone is ahead of UTC at the start of ``day`` (480 for Shanghai)."""
    offset = datetime.combine(day, time.min, tzinfo=analytics_zone()).utcoffset()
    return int(offset.total_seconds() // 60) if offset else 0
