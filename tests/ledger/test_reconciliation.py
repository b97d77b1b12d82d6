"""Nightly reconciliation: a clean book reports clean; a drifted balance is found and shown."""

import pytest
from django.db import connection

from apps.ledger import services
from apps.ledger.models import AccountKind, ReconciliationDifference, ReconciliationReport
from apps.ledger.tasks import ledger_reconcile, payment_intents_expire
from tests.factories import UserFactory
from tests.ledger.factories import funded_user, requested_payout

pytestmark = pytest.mark.django_db


def _some_activity() -> None:
    a, b = funded_user(5_000), UserFactory()
    services.wallet_transfer(sender=a, recipient_id=b.pk, amount=1_000)
    requested_payout(a, 1_000)


def test_a_clean_book_reports_clean() -> None:
    _some_activity()
    report = services.reconciliation_run()
    assert report.is_clean
    assert report.ledger_total == report.entries_total == 0
    assert report.accounts_checked == 4  # provider clearing, two wallets, one hold
    assert report.transactions_checked == 3
    assert report.finished_at >= report.started_at


def test_a_drifted_cached_balance_is_recorded() -> None:
    _some_activity()
    wallet = services.user_wallet(UserFactory().pk)
    with connection.cursor() as cursor:  # a bug or a hand edit outside the posting service
        cursor.execute(
            "UPDATE ledger_account SET balance = balance + 42 WHERE id = %s", [wallet.pk]
        )
    report = services.reconciliation_run()
    assert not report.is_clean
    kinds = sorted(report.differences.values_list("kind", "account_id", "expected", "actual"))
    assert kinds == [
        (ReconciliationDifference.Kind.BALANCE_MISMATCH, wallet.pk, 0, 42),
        (ReconciliationDifference.Kind.LEDGER_NOT_ZERO, None, 0, 42),
    ]
    assert report.ledger_total == 42
    assert report.entries_total == 0


def test_the_nightly_task_stores_a_report_and_is_scheduled(settings) -> None:
    _some_activity()
    report_id = ledger_reconcile()
    assert ReconciliationReport.objects.get(pk=report_id).is_clean
    schedule = settings.CELERY_BEAT_SCHEDULE["ledger-reconcile"]
    assert schedule["task"] == "apps.ledger.tasks.ledger_reconcile"
    assert (schedule["schedule"].hour, schedule["schedule"].minute) == ({3}, {30})
    assert payment_intents_expire() == 0


def test_system_accounts_are_created_once() -> None:
    first = services.system_account(AccountKind.PLATFORM_REVENUE)
    assert services.system_account(AccountKind.PLATFORM_REVENUE).pk == first.pk
    assert not first.allow_negative
