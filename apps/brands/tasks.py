"""Beat tasks: thin wrappers around the services. ``at`` (ISO time) lets tests move the clock."""

from datetime import datetime

from celery import shared_task
from django.utils import timezone

from apps.brands import deadlines, protection, rights


def _at(at: str | None) -> datetime:
    return datetime.fromisoformat(at) if at else timezone.now()


@shared_task(autoretry_for=(Exception,), retry_backoff=True, max_retries=3)
def cooperation_deadlines_run(at: str | None = None) -> dict[str, int]:
    """Expiry (7 days), auto-approval (14 days of brand silence), completion after settlement."""
    return deadlines.cooperation_deadlines_run(now=_at(at))


@shared_task(autoretry_for=(Exception,), retry_backoff=True, max_retries=3)
def protection_requests_lapse(at: str | None = None) -> int:
    """Protection requests unanswered for 48 hours lapse (refused)."""
    return protection.protection_requests_lapse(now=_at(at))


@shared_task(autoretry_for=(Exception,), retry_backoff=True, max_retries=3)
def usage_rights_alert(at: str | None = None) -> int:
    """Alert both sides 7 days before a usage right expires."""
    return rights.usage_rights_alert(now=_at(at))
