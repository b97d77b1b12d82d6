"""What every rollup step shares: table names, the day's SQL parameters, statement helpers.

The steps live in ``apps.analytics.rollups`` (creators, fans, active users) and
``apps.analytics.rollup_notes`` (the per-note tables); the run that chains them in one
transaction is ``apps.analytics.rollups.rollup_run``.
"""

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import connection
from django.db.models import Max

from apps.accounts.models import Follow, Profile
from apps.analytics.days import analytics_zone, day_bounds, local_yesterday, utc_offset_minutes
from apps.analytics.models import (
    CommerceDaily,
    CreatorDaily,
    DailyActiveUser,
    Event,
    FanActivityHourly,
    FanDemographicDaily,
    FanSourceDaily,
    NoteAudienceDaily,
    NoteDaily,
    NoteRetentionDaily,
    NoteSourceDaily,
    RollupRun,
)

# Audience screens (fan demographics, fan activity by hour) are computed for creators with at
# least this many fans: below it every demographic bucket would be withheld anyway.
AUDIENCE_MIN_FANS = 50
# Fan activity by hour is served over the last 30 days; older rows are pruned.
ACTIVITY_WINDOW_DAYS = 30
# A video watch of at least this fraction counts as completed (completion rate).
COMPLETED_FRACTION = 0.9
# Memory for the rollup's sorts and hashes (SET LOCAL: this transaction only).
WORK_MEM = settings.ANALYTICS_ROLLUP_WORK_MEM

TABLES = {
    "event": Event._meta.db_table,
    "follow": Follow._meta.db_table,
    "profile": Profile._meta.db_table,
    "interests": Profile.interests.through._meta.db_table,
    "dau": DailyActiveUser._meta.db_table,
    "note_daily": NoteDaily._meta.db_table,
    "note_source": NoteSourceDaily._meta.db_table,
    "note_audience": NoteAudienceDaily._meta.db_table,
    "note_retention": NoteRetentionDaily._meta.db_table,
    "creator_daily": CreatorDaily._meta.db_table,
    "fan_source": FanSourceDaily._meta.db_table,
    "fan_activity": FanActivityHourly._meta.db_table,
    "fan_demographic": FanDemographicDaily._meta.db_table,
    "commerce_daily": CommerceDaily._meta.db_table,
}

ROLLUP_TABLES = [name for name in TABLES if name not in ("event", "follow", "profile", "interests")]
DAY = "e.occurred_at >= %(start)s AND e.occurred_at < %(end)s"


def render_sql(template: str, **fragments: str) -> str:
    """The statement with table names, the day's bounds (``{day}``) and ``fragments`` in."""
    return template.format(**TABLES, day=DAY, **fragments)


def db_param(value: Any) -> Any:
    """Datetimes as the backend stores them (naive UTC text on SQLite)."""
    if isinstance(value, datetime):
        return connection.ops.adapt_datetimefield_value(value)
    return value


@dataclass
class RollupDay:
    """One day being rolled up: what its statements need (``params``) and how it is run."""

    day: date
    now: datetime
    snapshot: bool  # take fan demographics from the follow graph
    hourly: bool  # within the fan-activity window
    params: dict[str, Any] = field(default_factory=dict)
    timings: dict[str, float] | None = None  # parts of a step, for the benchmark

    @property
    def postgres(self) -> bool:
        return connection.vendor == "postgresql"


def day_context(day: date, now: datetime) -> RollupDay:
    """The day's parameters, as of ``now`` (which day is yesterday, the newest rolled-up day)."""
    yesterday = local_yesterday(now)
    start, end = day_bounds(day)
    window_start = yesterday - timedelta(days=ACTIVITY_WINDOW_DAYS - 1)
    later = RollupRun.objects.filter(day__gt=day).aggregate(last=Max("day"))["last"]
    last_rolled = later or day
    ctx = RollupDay(day=day, now=now, snapshot=day == yesterday, hourly=day >= window_start)
    ctx.params = {
        "day": day,
        "start": db_param(start),
        "end": db_param(end),
        "week_start": day - timedelta(days=6),
        "month_start": day - timedelta(days=29),
        "window_start": window_start,
        "last_rolled": last_rolled,
        "unrolled_start": db_param(day_bounds(last_rolled)[1]),
        "min_fans": AUDIENCE_MIN_FANS,
        "completed": COMPLETED_FRACTION,
        "year": day.year,
        "weekday": day.weekday(),
        "zone": str(analytics_zone()),
        "offset": f"{utc_offset_minutes(day):+d} minutes",
        "hour_format": "%H",
    }
    return ctx


def execute(statement: str, params: dict[str, Any]) -> int:
    """Run one statement; returns the rows it wrote (0 when the driver cannot tell)."""
    with connection.cursor() as cursor:
        cursor.execute(statement, params)
        return max(cursor.rowcount, 0)


def replace_day(ctx: RollupDay, table: str, insert: str) -> int:
    """Delete the day's rows of ``table``, then insert them again; returns rows inserted."""
    execute(f"DELETE FROM {TABLES[table]} WHERE day = %(day)s", ctx.params)
    return execute(insert, ctx.params)
