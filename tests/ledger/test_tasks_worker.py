"""The scheduled tasks run on a real Celery worker (Redis broker, PostgreSQL)."""

from datetime import timedelta

import pytest
from celery.contrib.testing.worker import start_worker
from celery.signals import task_postrun
from django.conf import settings
from django.db import connection
from django.utils import timezone

from apps.ledger import services
from apps.ledger.models import PaymentIntent, ReconciliationReport
from apps.ledger.tasks import ledger_reconcile, payment_intents_expire
from config.celery_app import app
from tests.factories import UserFactory
from tests.ledger.factories import funded_user
from tests.workers import unique_name

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _close_connection(**kwargs: object) -> None:
    connection.close()  # the worker thread's own connection, so the test database can be dropped


@pytest.fixture
def worker_queue():
    if settings.CELERY_TASK_ALWAYS_EAGER:
        pytest.skip("needs a broker (REDIS_URL)")
    queue = unique_name("ledger-test")  # never take another xdist worker's or run's tasks
    task_postrun.connect(_close_connection, weak=False)
    try:
        with start_worker(app, queues=[queue], perform_ping_check=False, loglevel="WARNING"):
            yield queue
    finally:
        task_postrun.disconnect(_close_connection)


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
