"""Celery tasks of discovery: thin, idempotent wrappers around the refresh."""

from celery import shared_task
from django.db import OperationalError

from apps.brands.discovery_refresh import discovery_refresh_all, discovery_rows_refresh

RETRY = {"autoretry_for": (OperationalError,), "retry_backoff": True, "max_retries": 5}


@shared_task(**RETRY)
def brands_discovery_refresh() -> int:
    """03:30 Asia/Shanghai, after the rollups: every profile's discovery row, in batches."""
    return discovery_refresh_all()


@shared_task(**RETRY)
def brands_discovery_refresh_creators(creator_ids: list[int]) -> int:
    """Some creators' rows (after a moderation decision, say); safe to repeat."""
    return discovery_rows_refresh(creator_ids=creator_ids)
