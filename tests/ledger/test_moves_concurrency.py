"""Named moves under real concurrency (PostgreSQL: row locks, one connection per thread)."""

import threading
from collections import Counter

import pytest
from django.db import connection

from apps.ledger import selectors, services
from apps.ledger.models import AccountShard, Transaction
from apps.ledger.services import Owner
from tests.concurrency import run_concurrently
from tests.factories import UserFactory
from tests.ledger.factories import available, book_is_consistent, funded_user

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

# PostgreSQL here allows 100 connections for everyone: 200 threads start together behind the
# barrier, at most this many hold a connection at once (each closes its own before leaving).
CONNECTIONS = 30


def _code(result: object) -> object:
    return getattr(result, "code", None) if isinstance(result, Exception) else "posted"


def test_fifty_releases_from_an_escrow_holding_thirty_exactly_thirty_succeed() -> None:
    brand, creator = funded_user(10_000), UserFactory()
    escrow = Owner.contract(77)
    services.escrow_open(owner=escrow, payer=Owner.user(brand.pk), amount=3_000, key="open")

    def release(index: int) -> object:
        return services.escrow_release(
            escrow=escrow, payee=Owner.user(creator.pk), amount=100, fee=10, key=f"r{index}"
        )

    results = run_concurrently([lambda i=i: release(i) for i in range(50)])
    assert Counter(_code(r) for r in results) == {
        "posted": 30,
        "escrow.insufficient_funds": 20,
    }, results
    assert selectors.escrow_balance(contract=77) == 0
    assert available(creator) == 30 * 90
    assert Transaction.objects.filter(kind="escrow_release").count() == 30
    book_is_consistent()
    assert services.reconciliation_run().is_clean


def test_two_hundred_concurrent_gifts_to_one_host_are_exact_and_overdraw_nobody() -> None:
    host = UserFactory()
    services.account_make_hot(account=services.user_wallet(host.pk), shards=8)
    # 100 senders with enough for exactly one gift of 500 plus 100 who can afford only 499:
    # every sender sends twice, so exactly 100 gifts post (the rest are refused).
    senders = [funded_user(500) for _ in range(100)]
    connection.close()

    slots = threading.BoundedSemaphore(CONNECTIONS)

    def send(index: int) -> object:
        sender = senders[index % 100]
        with slots:
            try:
                return services.gift(
                    sender=Owner.user(sender.pk),
                    recipient=Owner.user(host.pk),
                    amount=500,
                    fee_rate="0.3",
                    key=f"gift-{index}",
                )
            finally:
                connection.close()

    results = run_concurrently([lambda i=i: send(i) for i in range(200)])
    outcome = Counter(_code(r) for r in results)
    assert outcome == {"posted": 100, "wallet.insufficient_funds": 100}, results
    assert available(host) == 100 * 350
    assert all(available(sender) == 0 for sender in senders)
    wallet = services.user_wallet(host.pk)
    used = AccountShard.objects.filter(account=wallet, balance__gt=0).count()
    assert used > 1  # the credits were spread, not queued on one row
    book_is_consistent()
    assert services.reconciliation_run().is_clean


def test_one_key_under_twenty_concurrent_calls_posts_once() -> None:
    sender, host = funded_user(10_000), UserFactory()
    services.account_make_hot(account=services.user_wallet(host.pk), shards=4)

    def send() -> object:
        return services.gift(
            sender=Owner.user(sender.pk),
            recipient=Owner.user(host.pk),
            amount=700,
            fee_rate="0.1",
            key="the-one-gift",
        ).pk

    results = run_concurrently([send] * 20)
    assert all(isinstance(r, int) for r in results), results
    assert len(set(results)) == 1
    assert Transaction.objects.filter(kind="gift").count() == 1
    assert (available(sender), available(host)) == (9_300, 630)
    book_is_consistent()


def test_hot_debits_racing_hot_credits_do_not_deadlock_or_drift() -> None:
    """A host spending while receiving: folds (all shards locked) interleave with credits."""
    host, fan = funded_user(5_000), funded_user(5_000)
    services.account_make_hot(account=services.user_wallet(host.pk), shards=4)
    actions = []
    for index in range(20):
        actions.append(
            lambda i=index: (
                services.gift(
                    sender=Owner.user(fan.pk),
                    recipient=Owner.user(host.pk),
                    amount=100,
                    fee_rate="0",
                    key=f"in-{i}",
                ).pk
            )
        )
        actions.append(
            lambda i=index: (
                services.gift(
                    sender=Owner.user(host.pk),
                    recipient=Owner.user(fan.pk),
                    amount=100,
                    fee_rate="0",
                    key=f"out-{i}",
                ).pk
            )
        )
    results = run_concurrently(actions)
    assert all(isinstance(r, int) for r in results), results
    assert (available(host), available(fan)) == (5_000, 5_000)
    book_is_consistent()
    assert services.reconciliation_run().is_clean
