"""Celery tasks for the nightly rollups: thin, idempotent wrappers around ``rollups``."""

from datetime import date, timedelta

from celery import shared_task
from django.db import OperationalError

from apps.analytics import rollups
from apps.analytics.days import local_yesterday

RETRY = {"autoretry_for": (OperationalError,), "retry_backoff": True, "max_retries": 5}
# Events may arrive up to 7 days late (ingestion clamps occurred_at to received_at - 7 days),
# so a day is final 8 days on: the nightly run rolls it up once more then.
FINAL_AFTER_DAYS = 7


@shared_task(**RETRY)
def analytics_rollup_day(day: str) -> int:
    """Roll up one Shanghai day (ISO date); safe to repeat. Returns the RollupRun id."""
    return rollups.rollup_run(day=date.fromisoformat(day)).pk


@shared_task(**RETRY)
def analytics_rollup_nightly() -> list[str]:
    """02:00 Asia/Shanghai: yesterday, then the day that has just become final.

    Each day is its own task (and transaction), so one failing day does not hold the other.
    """
    yesterday = local_yesterday()
    days = [yesterday, yesterday - timedelta(days=FINAL_AFTER_DAYS)]
    for day in days:
        analytics_rollup_day.delay(day.isoformat())
    return [day.isoformat() for day in days]
