"""The database itself refuses unbalanced transactions and changes to the book (PostgreSQL)."""

import pytest
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.utils import timezone

from apps.ledger import services
from apps.ledger.models import Account, AccountKind, Entry, Transaction, TransactionKind
from tests.factories import UserFactory
from tests.ledger.factories import funded_user

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _sql(statement: str, params: list) -> None:
    with connection.cursor() as cursor:
        cursor.execute(statement, params)


def _insert_transaction() -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO ledger_transaction (kind, description, created_at) "
            "VALUES ('transfer', 'raw sql', %s) RETURNING id",
            [timezone.now()],
        )
        return cursor.fetchone()[0]


def _insert_entry(transaction_id: int, account_id: int, amount: int) -> None:
    _sql(
        "INSERT INTO ledger_entry (transaction_id, account_id, amount, balance_after, created_at) "
        "VALUES (%s, %s, %s, 0, %s)",
        [transaction_id, account_id, amount, timezone.now()],
    )


def test_an_entry_that_unbalances_a_posted_transaction_is_refused_at_commit() -> None:
    sender, recipient = funded_user(1_000), UserFactory()
    posted = services.wallet_transfer(sender=sender, recipient_id=recipient.pk, amount=100)
    third = services.user_wallet(UserFactory().pk)
    with pytest.raises(IntegrityError, match="unbalanced"), transaction.atomic():
        _insert_entry(posted.pk, third.pk, 500)
    assert posted.entries.count() == 2
    assert not Entry.objects.filter(account=third).exists()


def test_a_one_sided_transaction_written_in_sql_is_refused() -> None:
    wallet = services.user_wallet(UserFactory().pk)
    with pytest.raises(IntegrityError, match="unbalanced"), transaction.atomic():
        _insert_entry(_insert_transaction(), wallet.pk, 1_000_000)
    with pytest.raises(IntegrityError, match="unbalanced"), transaction.atomic():
        _insert_transaction()  # no entries at all
    assert not Transaction.objects.exists()


def test_a_balanced_transaction_written_in_sql_is_accepted() -> None:
    """The guard checks the sum, not who wrote it (control for the refusals above)."""
    a, b = services.user_wallet(UserFactory().pk), services.user_wallet(UserFactory().pk)
    with transaction.atomic():
        tx_id = _insert_transaction()
        _insert_entry(tx_id, a.pk, 250)
        _insert_entry(tx_id, b.pk, -250)
    assert Entry.objects.filter(transaction_id=tx_id).count() == 2


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE ledger_entry SET amount = amount + 1",
        "DELETE FROM ledger_entry",
        "UPDATE ledger_transaction SET description = 'edited'",
        "DELETE FROM ledger_transaction",
    ],
)
def test_entries_and_transactions_cannot_be_changed_or_deleted(statement: str) -> None:
    funded_user(1_000)
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        _sql(statement, [])
    assert sorted(Entry.objects.values_list("amount", flat=True)) == [-1_000, 1_000]


def test_a_wallet_cannot_go_negative_even_in_sql() -> None:
    wallet = services.user_wallet(funded_user(1_000).pk)
    with pytest.raises(IntegrityError), transaction.atomic():
        _sql("UPDATE ledger_account SET balance = -1 WHERE id = %s", [wallet.pk])
    clearing = services.system_account(AccountKind.PROVIDER_CLEARING)
    assert Account.objects.get(pk=clearing.pk).balance == -1_000  # clearing may be negative


def test_the_posting_service_commits_balanced_transactions() -> None:
    sender, recipient = funded_user(1_000), UserFactory()
    services.transaction_post(
        kind=TransactionKind.TRANSFER,
        legs=[(services.user_wallet(sender.pk), -10), (services.user_wallet(recipient.pk), 10)],
    )
    assert Transaction.objects.count() == 2
