"""Thin Celery wrappers around ledger services; each is idempotent and safe to retry."""

from celery import shared_task
from django.db import OperationalError

from apps.core import idempotency
from apps.ledger import services

RETRY = {"autoretry_for": (OperationalError,), "retry_backoff": True, "max_retries": 5}


@shared_task(**RETRY)
def ledger_reconcile() -> int:
    """Nightly: check balances against entries; returns the new report's id."""
    return services.reconciliation_run().pk


@shared_task(**RETRY)
def payment_intents_expire() -> int:
    """Every few minutes: expire unpaid top-ups; returns how many."""
    return services.payment_intents_expire_due()


@shared_task(**RETRY)
def idempotency_keys_purge() -> int:
    """Hourly: forget idempotency keys past their retention (at least 24 hours)."""
    return idempotency.idempotency_keys_purge()
