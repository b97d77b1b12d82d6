"""Thin Celery wrappers around live services; each is idempotent and safe to retry."""

from functools import partial

from celery import shared_task
from django.conf import settings
from django.db import OperationalError, transaction

from apps.live.services.reports import report_compute

RETRY = {"autoretry_for": (OperationalError,), "retry_backoff": True, "max_retries": 5}


@shared_task(**RETRY)
def live_report_compute(room_id: int) -> int:
    """When a room ends: compute (or recompute) its post-live report; returns the report id."""
    return report_compute(room_id=room_id).pk


def report_after_commit(room_id: int) -> None:
    """Queue the report once the room's end commits, late enough for the last watch sessions
    (sockets closing as the room ends) to be recorded."""
    transaction.on_commit(
        partial(
            live_report_compute.apply_async,
            args=[room_id],
            countdown=settings.LIVE_REPORT_DELAY_SECONDS,
        ),
        robust=True,
    )
