"""Celery wrappers: thin, idempotent, each calling one service."""

from celery import shared_task

from apps.commerce.recommendations import recommendations_refresh as refresh
from apps.commerce.services.orders import orders_complete_due as complete_due


@shared_task(autoretry_for=(Exception,), retry_backoff=True, max_retries=3)
def orders_complete_due() -> int:
    """Complete delivered orders whose return window has ended (every 10 minutes)."""
    return complete_due()


@shared_task(autoretry_for=(Exception,), retry_backoff=True, max_retries=2)
def recommendations_refresh() -> dict[str, int]:
    """Recompute the stored recommendations (nightly)."""
    return refresh()
