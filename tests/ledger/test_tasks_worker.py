"""The scheduled tasks run on a real Celery worker (Redis broker, PostgreSQL)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from apps.ledger import services
from apps.ledger.models import PaymentIntent, ReconciliationReport
from apps.ledger.tasks import ledger_reconcile, payment_intents_expire
from tests.factories import UserFactory
from tests.ledger.factories import funded_user

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_nightly_reconciliation_runs_on_the_worker(worker_queue) -> None:
    sender, recipient = funded_user(2_000), UserFactory()
    services.wallet_transfer(sender=sender, recipient_id=recipient.pk, amount=500)
    report_id = ledger_reconcile.apply_async(queue=worker_queue).get(timeout=30)
    report = ReconciliationReport.objects.get(pk=report_id)
    assert report.is_clean
    assert report.transactions_checked == 2


def test_expiry_runs_on_the_worker(worker_queue) -> None:
    intent = services.payment_intent_create(user=UserFactory(), amount=500, provider="sandbox")
    PaymentIntent.objects.filter(pk=intent.pk).update(
        expires_at=timezone.now() - timedelta(minutes=1)
    )
    assert payment_intents_expire.apply_async(queue=worker_queue).get(timeout=30) == 1
    intent.refresh_from_db()
    assert intent.status == "expired"
