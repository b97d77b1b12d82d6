"""Celery wrappers of the programs' scheduled work (thin: each calls one service).

``now`` (ISO 8601) lets a test or an operator run a deadline as of another moment.
"""

from datetime import datetime

from celery import shared_task
from django.utils.dateparse import parse_datetime

from apps.programs import services


def _now(now: str | None) -> datetime | None:
    return parse_datetime(now) if now else None


@shared_task(autoretry_for=(Exception,), retry_backoff=True, max_retries=3)
def contracts_deadlines(now: str | None = None) -> dict[str, int]:
    """Expire unanswered requests, approve unanswered terminations, end finished terms."""
    moment = _now(now)
    return {
        "expired": services.contracts_expire_due(now=moment),
        "terminated": services.contracts_terminate_due(now=moment),
        "completed": services.contracts_complete_due(now=moment),
    }


@shared_task(autoretry_for=(Exception,), retry_backoff=True, max_retries=3)
def programs_nightly(now: str | None = None) -> dict[str, object]:
    """Invite eligible creators, then grant benefits still owed to approved members."""
    moment = _now(now)
    return {
        "invited": services.programs_invite_eligible(now=moment),
        "granted": services.benefits_grant_due(now=moment),
    }
