"""What analytics puts on the operator console's home: nightly rollups that are missing or late.

A rollup that fails leaves no ``RollupRun`` row for its day, so "failed or late" is the same
question: which of the last days that are over have no run, once the 02:00 schedule (plus an
hour's grace) has passed for the newest of them. Registered from ``AnalyticsConfig.ready()``.
"""

from datetime import timedelta

from django.utils import timezone

from apps.analytics.days import analytics_zone, local_yesterday
from apps.analytics.models import RollupRun
from apps.core.console import (
    ANALYTICS,
    PendingLine,
    PendingWork,
    admin_url,
    register_app_section,
    register_pending,
)

LOOKBACK_DAYS = 7
GRACE_HOUR = 3  # the nightly rollup starts at 02:00 Asia/Shanghai


def late_rollup_days() -> list:
    """Days of the last week that are over and due, without a rollup run."""
    yesterday = local_yesterday()
    days = [yesterday - timedelta(days=offset) for offset in range(LOOKBACK_DAYS)]
    if timezone.localtime(timezone.now(), analytics_zone()).hour < GRACE_HOUR:
        days = days[1:]  # yesterday's rollup is not due yet
    done = set(RollupRun.objects.filter(day__in=days).values_list("day", flat=True))
    return [day for day in days if day not in done]


def rollup_lines() -> list[PendingLine]:
    missing = late_rollup_days()
    label = f"Days of the last {LOOKBACK_DAYS} without a rollup"
    if missing:
        label += ": " + ", ".join(day.isoformat() for day in missing[:3])
        label += "…" if len(missing) > 3 else ""
    page = "analytics_rolluprun_rerun" if missing else "analytics_rolluprun_changelist"
    return [PendingLine(label, len(missing), admin_url(page), alarm=True)]


def register() -> None:
    register_app_section("analytics", ANALYTICS)
    register_pending(
        PendingWork(
            key="analytics.rollups",
            section=ANALYTICS,
            title="Nightly rollups",
            permission="analytics.view_rolluprun",
            lines=rollup_lines,
        )
    )
