"""The one-statement posting path (``ledger_post``) and the one-query transfer checks."""

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from psycopg.pq import TransactionStatus

from apps.core.errors import Conflict, NotFound
from apps.ledger import services
from apps.ledger.models import AccountKind, Entry, Transaction, TransactionKind
from apps.ledger.services import Owner
from tests.concurrency import run_concurrently
from tests.factories import BlockFactory, UserFactory
from tests.ledger.factories import available, book_is_consistent, funded_user

pytestmark = pytest.mark.django_db


@pytest.mark.postgres
def test_a_posting_is_one_statement_and_a_transfer_two() -> None:
    sender, recipient = funded_user(1_000), UserFactory()
    services.wallet_transfer(sender=sender, recipient_id=recipient.pk, amount=1)  # wallets exist
    wallets = services.user_wallets(sender.pk, recipient.pk)
    with CaptureQueriesContext(connection) as posting:
        services.transaction_post(
            kind=TransactionKind.TRANSFER,
            legs=[(wallets[sender.pk], -10), (wallets[recipient.pk], 10)],
        )
    with CaptureQueriesContext(connection) as transfer:
        services.wallet_transfer(sender=sender, recipient_id=recipient.pk, amount=100)
    assert len(posting) == 1
    assert "ledger_post" in posting[0]["sql"]
    assert len(transfer) == 2
    assert (available(sender), available(recipient)) == (889, 111)
    book_is_consistent()


def test_a_refusal_leaves_the_callers_transaction_usable_and_unchanged() -> None:
    sender, recipient = funded_user(1_000), UserFactory()
    before = Transaction.objects.count()
    with transaction.atomic():
        with pytest.raises(services.InsufficientFunds) as refused:
            services.wallet_transfer(sender=sender, recipient_id=recipient.pk, amount=1_001)
        assert Transaction.objects.count() == before  # the transaction still answers
        services.wallet_transfer(sender=sender, recipient_id=recipient.pk, amount=400)
    assert refused.value.code == "wallet.insufficient_funds"
    assert "10.00 available, 10.01 needed" in refused.value.message
    assert (available(sender), available(recipient)) == (600, 400)
    assert Transaction.objects.count() == before + 1
    book_is_consistent()


def test_a_repeated_key_returns_the_first_transaction_as_it_was_posted() -> None:
    sender, host = funded_user(1_000), UserFactory()
    services.account_make_hot(account=services.user_wallet(host.pk))
    first = services.gift(
        sender=Owner.user(sender.pk),
        recipient=Owner.user(host.pk),
        amount=100,
        fee_rate="0.3",
        key="k1",
    )
    again = services.gift(
        sender=Owner.user(sender.pk),
        recipient=Owner.user(host.pk),
        amount=500,
        fee_rate="0",
        key="k1",
    )
    stored = Transaction.objects.get(pk=first.pk)
    for posted in (first, again):
        assert (posted.pk, posted.kind, posted.key, posted.description, posted.created_at) == (
            stored.pk,
            stored.kind,
            stored.key,
            stored.description,
            stored.created_at,
        )
    assert available(sender) == 900
    assert available(host) == 70
    book_is_consistent()


def test_a_missing_account_is_not_found_and_writes_nothing() -> None:
    sender = funded_user(1_000)
    wallet = services.user_wallet(sender.pk)
    before = Entry.objects.count()
    with pytest.raises(NotFound) as missing:
        services.transaction_post(
            kind=TransactionKind.TRANSFER, legs=[(wallet, -10), (987_654_321, 10)]
        )
    assert missing.value.code == "ledger.account_not_found"
    assert Entry.objects.count() == before
    assert available(sender) == 1_000


def test_transfer_checks_blocks_both_ways_and_inactive_recipients() -> None:
    sender, blocked, inactive = funded_user(1_000), UserFactory(), UserFactory(is_active=False)
    BlockFactory(blocker=sender, blocked=blocked)
    with pytest.raises(Conflict) as refused:
        services.wallet_transfer(sender=sender, recipient_id=blocked.pk, amount=1)
    assert refused.value.code == "transfer.blocked"
    with pytest.raises(NotFound) as missing:
        services.wallet_transfer(sender=sender, recipient_id=inactive.pk, amount=1)
    assert missing.value.code == "user.not_found"
    assert available(sender) == 1_000
    assert not Transaction.objects.filter(kind=TransactionKind.TRANSFER).exists()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_alone_a_posting_commits_itself_and_a_refusal_leaves_no_transaction_open() -> None:
    sender, recipient = funded_user(1_000), UserFactory()
    assert not connection.in_atomic_block
    services.wallet_transfer(sender=sender, recipient_id=recipient.pk, amount=300)
    assert connection.connection.info.transaction_status == TransactionStatus.IDLE
    with pytest.raises(services.InsufficientFunds):
        services.wallet_transfer(sender=sender, recipient_id=recipient.pk, amount=701)
    assert connection.connection.info.transaction_status == TransactionStatus.IDLE
    revenue = services.system_account(AccountKind.PLATFORM_REVENUE)
    assert revenue.shards > 0
    with pytest.raises(services.InsufficientFunds) as short:
        services.transaction_post(
            kind=TransactionKind.TRANSFER,
            legs=[(revenue, -1), (services.user_wallet(recipient.pk), 1)],
        )
    assert short.value.code == "ledger.insufficient_funds"
    assert connection.connection.info.transaction_status == TransactionStatus.IDLE
    assert (available(sender), available(recipient)) == (700, 300)
    book_is_consistent()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_hot_hosts_gifting_each_other_do_not_deadlock() -> None:
    """Each gift folds its sender's shards and credits the other's: shards in one global order."""
    first, second = funded_user(5_000), funded_user(5_000)
    for host in (first, second):
        services.account_make_hot(account=services.user_wallet(host.pk), shards=4)

    def gift(sender: object, recipient: object, key: str) -> int:
        return services.gift(
            sender=Owner.user(sender.pk),
            recipient=Owner.user(recipient.pk),
            amount=100,
            fee_rate="0",
            key=key,
        ).pk

    def batch(sender: object, recipient: object, key: str) -> int:
        gifts = [
            services.Gift(Owner.user(sender.pk), Owner.user(recipient.pk), 100, "0", f"{key}-{n}")
            for n in range(2)
        ]
        posted = services.gift_batch(gifts=gifts)
        assert all(isinstance(one, Transaction) for one in posted), posted
        return len(posted)

    actions = []
    for index in range(10):
        actions.append(lambda i=index: gift(first, second, f"a-{i}"))
        actions.append(lambda i=index: gift(second, first, f"b-{i}"))
    for index in range(5):  # the batch path folds and credits too
        actions.append(lambda i=index: batch(first, second, f"ab-{i}"))
        actions.append(lambda i=index: batch(second, first, f"bb-{i}"))
    results = run_concurrently(actions)
    assert all(isinstance(result, int) for result in results), results
    assert (available(first), available(second)) == (5_000, 5_000)
    book_is_consistent()
    assert services.reconciliation_run().is_clean
