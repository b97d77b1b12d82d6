"""Celery wrappers: the minute tick (beat ``promotion-tick``)."""

from datetime import datetime

from celery import shared_task

from apps.promotion import services


@shared_task(name="apps.promotion.tasks.promotion_tick")
def promotion_tick(now: str | None = None) -> dict[str, int]:
    """Start, bill, pace and end orders; ``now`` (ISO 8601) moves the clock in tests."""
    result = services.promotion_tick(now=datetime.fromisoformat(now) if now else None)
    return {
        "started": result.started,
        "billed_fen": result.billed_fen,
        "completed": result.completed,
        "withdrawn": result.withdrawn,
    }
