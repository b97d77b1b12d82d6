"""Hot accounts: database guards on shards and escrow, and reconciliation over shards."""

import pytest
from django.db import IntegrityError, connection, transaction

from apps.ledger import services
from apps.ledger.models import (
    Account,
    AccountKind,
    AccountShard,
    OwnerType,
    ReconciliationDifference,
)
from apps.ledger.services import Owner
from tests.factories import UserFactory
from tests.ledger.factories import available, funded_user

pytestmark = pytest.mark.django_db


def _sql(statement: str, params: list) -> None:
    with connection.cursor() as cursor:
        cursor.execute(statement, params)


def _hot_host_with_gifts() -> tuple[Account, int]:
    host = UserFactory()
    wallet = services.account_make_hot(account=services.user_wallet(host.pk), shards=4)
    sender = funded_user(5_000)
    for index in range(4):
        services.gift(
            sender=Owner.user(sender.pk),
            recipient=Owner.user(host.pk),
            amount=250,
            fee_rate="0",
            key=f"g{index}",
        )
    return wallet, available(host)


def test_a_shard_cannot_go_negative_even_in_sql() -> None:
    wallet, _ = _hot_host_with_gifts()
    shard = AccountShard.objects.filter(account=wallet).first()
    with pytest.raises(IntegrityError), transaction.atomic():
        _sql("UPDATE ledger_accountshard SET balance = -1 WHERE id = %s", [shard.pk])


def test_only_clearing_accounts_may_allow_negative_and_they_are_never_sharded() -> None:
    escrow = services.account_get_or_create(
        owner_type=OwnerType.CONTRACT, owner_id=5, kind=AccountKind.ESCROW
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        _sql("UPDATE ledger_account SET allow_negative = true WHERE id = %s", [escrow.pk])
    clearing = services.system_account(AccountKind.PROVIDER_CLEARING)
    with pytest.raises(IntegrityError), transaction.atomic():
        _sql("UPDATE ledger_account SET shards = 4 WHERE id = %s", [clearing.pk])
    with pytest.raises(ValueError):
        services.account_make_hot(account=clearing)


# Credits land on shards only on PostgreSQL; the portable path folds them into the row.
@pytest.mark.postgres
def test_reconciliation_counts_shards_and_finds_a_drifted_one() -> None:
    wallet, balance = _hot_host_with_gifts()
    assert balance == 1_000
    report = services.reconciliation_run()
    assert report.is_clean  # the row is 0, the shards hold 1,000: together they match
    assert Account.objects.get(pk=wallet.pk).balance == 0
    _sql(
        "UPDATE ledger_accountshard SET balance = balance + 7 WHERE account_id = %s "
        "AND shard_no = 0",
        [wallet.pk],
    )
    report = services.reconciliation_run()
    found = sorted(report.differences.values_list("kind", "account_id", "expected", "actual"))
    assert found == [
        (ReconciliationDifference.Kind.BALANCE_MISMATCH, wallet.pk, 1_000, 1_007),
        (ReconciliationDifference.Kind.LEDGER_NOT_ZERO, None, 0, 7),
    ]


def test_making_an_account_hot_keeps_its_balance_and_is_idempotent() -> None:
    user = funded_user(3_000)
    wallet = services.account_make_hot(account=services.user_wallet(user.pk), shards=2)
    again = services.account_make_hot(account=wallet, shards=2)
    assert (wallet.shards, again.shards) == (2, 2)
    assert AccountShard.objects.filter(account=wallet).count() == 2
    assert available(user) == 3_000
    assert services.reconciliation_run().is_clean
