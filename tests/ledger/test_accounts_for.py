"""accounts_for: existing accounts found and missing ones created by one statement."""

import threading
import time

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from apps.core.errors import Conflict
from apps.ledger import services
from apps.ledger.models import (
    DEFAULT_SHARDS,
    Account,
    AccountKind,
    Entry,
    Transaction,
    TransactionKind,
)
from apps.ledger.services import PLATFORM, Owner
from tests.factories import UserFactory
from tests.ledger.factories import available, book_is_consistent, funded_user

pytestmark = pytest.mark.django_db


@pytest.mark.postgres
@pytest.mark.parametrize("expect_new", [True, False])
def test_found_and_missing_accounts_take_one_statement(expect_new: bool) -> None:
    """Expecting new accounts: one find-or-create statement. Otherwise a plain select first,
    and the find-or-create statement only for what it missed (two when some are missing)."""
    users = [UserFactory() for _ in range(3)]
    existing = services.user_wallet(users[0].pk)
    wanted = [
        (Owner.user(users[0].pk), AccountKind.WALLET),
        (Owner.user(users[1].pk), AccountKind.WALLET),
        (Owner.user(users[2].pk), AccountKind.PENDING_COMMISSION),
        (Owner.contract(987_654), AccountKind.ESCROW),
        (PLATFORM, AccountKind.PROVIDER_CLEARING),
    ]
    before = Account.objects.count()
    with CaptureQueriesContext(connection) as queries:
        accounts = services.accounts_for(wanted, expect_new=expect_new)
    assert len(queries) == (1 if expect_new else 2)
    assert set(accounts) == set(wanted)
    assert Account.objects.count() == before + 4
    assert accounts[wanted[0]].pk == existing.pk
    for (owner, kind), account in accounts.items():
        stored = Account.objects.get(pk=account.pk)
        assert (stored.owner_type, stored.owner_id, stored.kind) == (owner.type, owner.id, kind)
        assert (account.balance, account.shards) == (0, 0)
    # Clearing accounts may go below zero; nothing else may.
    assert accounts[wanted[4]].allow_negative is True
    assert not any(accounts[key].allow_negative for key in wanted[:4])
    # All found now: one statement again, nothing inserted, the same rows.
    with CaptureQueriesContext(connection) as queries:
        again = services.accounts_for(wanted, expect_new=expect_new)
    assert len(queries) == 1
    assert ("INSERT" in queries[0]["sql"]) is expect_new  # found: a plain select unless told
    assert Account.objects.count() == before + 4
    assert {key: a.pk for key, a in again.items()} == {key: a.pk for key, a in accounts.items()}


def test_missing_accounts_are_created_once_whatever_the_backend() -> None:
    user = UserFactory()
    wanted = [
        (Owner.user(user.pk), AccountKind.WALLET),
        (Owner.user(user.pk), AccountKind.HOLD),
        (Owner.user(user.pk), AccountKind.WALLET),  # the same account twice is one account
    ]
    first = services.accounts_for(wanted)
    second = services.accounts_for(wanted)
    assert len(first) == 2
    assert {k: a.pk for k, a in first.items()} == {k: a.pk for k, a in second.items()}
    assert Account.objects.filter(owner_type="user", owner_id=user.pk).count() == 2
    assert services.accounts_for([]) == {}


def test_a_hot_platform_kind_created_here_gets_its_shards() -> None:
    key = (PLATFORM, AccountKind.PROMOTION_SPEND)
    assert not Account.objects.filter(owner_type="platform", kind=key[1]).exists()
    account = services.accounts_for([key])[key]
    assert account.shards == DEFAULT_SHARDS
    assert account.shard_rows.count() == DEFAULT_SHARDS
    assert services.accounts_for([key])[key].pk == account.pk


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_an_account_another_transaction_is_creating_is_waited_for_and_shared() -> None:
    """The second caller waits on the first's uncommitted row, then reads it: one account."""
    user = UserFactory()
    key = (Owner.user(user.pk), AccountKind.PENDING_COMMISSION)
    created = threading.Event()
    results: dict[str, object] = {}

    def first() -> None:
        try:
            with transaction.atomic():
                results["first"] = services.accounts_for([key])[key].pk
                created.set()
                time.sleep(0.5)  # the second caller is now waiting on this row
        finally:
            created.set()
            connection.close()

    def second() -> None:
        try:
            created.wait(5)
            started = time.monotonic()
            results["second"] = services.accounts_for([key])[key].pk
            results["waited"] = time.monotonic() - started
        finally:
            connection.close()

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results["first"] == results["second"]
    assert results["waited"] > 0.2
    assert Account.objects.filter(owner_type="user", owner_id=user.pk).count() == 1


def test_escrow_open_and_accrue_posts_the_separate_moves_postings() -> None:
    buyer, creators = funded_user(10_000), [UserFactory(), UserFactory()]
    escrow = Owner.contract(555_001)
    posted = services.escrow_open_and_accrue(
        owner=escrow,
        payer=Owner.user(buyer.pk),
        amount=9_000,
        key="order-555001",
        order=555_001,
        commissions=[(Owner.user(creators[1].pk), 300), (Owner.user(creators[0].pk), 700)],
    )
    assert [tx.kind for tx in posted] == [
        TransactionKind.ESCROW_OPEN,
        TransactionKind.COMMISSION_ACCRUE,
        TransactionKind.COMMISSION_ACCRUE,
    ]
    low, high = sorted(c.pk for c in creators)
    assert [tx.key for tx in posted] == [
        "escrow_open:order-555001",
        f"commission:555001:user:{low}:accrue",
        f"commission:555001:user:{high}:accrue",
    ]
    assert available(buyer) == 0
    pending = services.accounts_for(
        [(Owner.user(c.pk), AccountKind.PENDING_COMMISSION) for c in creators]
    )
    assert sorted(a.pk for a in pending.values()) == sorted(
        Entry.objects.filter(transaction__in=posted[1:], amount__gt=0).values_list(
            "account_id", flat=True
        )
    )
    assert Entry.objects.get(transaction=posted[0], amount__gt=0).account.kind == "escrow"
    # The same keys again: the first transactions, nothing moved.
    again = services.escrow_open_and_accrue(
        owner=escrow,
        payer=Owner.user(buyer.pk),
        amount=9_000,
        key="order-555001",
        order=555_001,
        commissions=[(Owner.user(creators[0].pk), 700), (Owner.user(creators[1].pk), 300)],
    )
    assert [tx.pk for tx in again] == [tx.pk for tx in posted]
    settled = services.commission_settle(order=555_001, payee=Owner.user(creators[0].pk))
    assert settled.kind == TransactionKind.COMMISSION_SETTLE
    book_is_consistent()


def test_escrow_open_and_accrue_refused_in_a_transaction_rolls_back_with_it() -> None:
    buyer, creator = funded_user(1_000), UserFactory()
    before = Transaction.objects.count()
    with pytest.raises(Conflict) as refused, transaction.atomic():
        services.escrow_open_and_accrue(
            owner=Owner.contract(555_002),
            payer=Owner.user(buyer.pk),
            amount=900,
            key="order-555002",
            order=555_002,
            commissions=[(Owner.user(creator.pk), 101)],  # 1,001 fen: one too many
        )
    assert refused.value.code == "wallet.insufficient_funds"
    assert Transaction.objects.count() == before
    assert available(buyer) == 1_000
    book_is_consistent()
