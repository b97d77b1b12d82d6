"""An agency's share of a creator's income is posted in the income's own transaction."""

from decimal import Decimal

import pytest
from django.db import connection
from django.utils import timezone

from apps.ledger import income_splits
from apps.ledger import services as ledger
from apps.ledger.models import Transaction, TransactionKind
from apps.ledger.services import Gift, Owner
from apps.programs import services
from tests.factories import UserFactory
from tests.ledger.factories import available, book_is_consistent, funded_user
from tests.programs.factories import agency, contract_signed, fund_platform_revenue


def _agency_wallet(organisation) -> int:
    return ledger.owner_wallet(owner_type="organisation", owner_id=organisation.pk).balance


def _shares(organisation) -> int:
    return ledger.accounts_for([(Owner.organisation(organisation.pk), "wallet")])[
        (Owner.organisation(organisation.pk), "wallet")
    ].balance


@pytest.mark.django_db
def test_a_gift_to_a_signed_creator_is_split_in_the_same_transaction() -> None:
    organisation = agency()
    contract = contract_signed(organisation, share="0.2")
    sender = funded_user(1_000)
    gift = ledger.gift(
        sender=Owner.user(sender.pk),
        recipient=Owner.user(contract.creator_id),
        amount=999,
        fee_rate="0.3",
        key="g-1",
    )
    share = Transaction.objects.get(key=f"revenue_share:{gift.pk}")
    assert share.kind == TransactionKind.REVENUE_SHARE
    # income 999 - floor(299.7) = 700; share floor(700 * 0.2) = 140
    assert available(contract.creator) == 560
    assert _shares(organisation) == 140
    # a repeat of the gift's key moves nothing more
    ledger.gift(
        sender=Owner.user(sender.pk),
        recipient=Owner.user(contract.creator_id),
        amount=999,
        fee_rate="0.3",
        key="g-1",
    )
    assert available(contract.creator) == 560
    assert Transaction.objects.filter(kind=TransactionKind.REVENUE_SHARE).count() == 1
    book_is_consistent()


@pytest.mark.django_db
def test_escrow_release_and_commission_settle_are_split() -> None:
    organisation = agency()
    contract = contract_signed(organisation, share="0.25")
    creator = Owner.user(contract.creator_id)
    brand = funded_user(10_000)
    ledger.escrow_open(owner=Owner.contract(77), payer=Owner.user(brand.pk), amount=4_000, key="o")
    ledger.escrow_release(escrow=Owner.contract(77), payee=creator, amount=4_000, fee=400, key="r")
    assert available(contract.creator) == 2_700  # 3,600 - 900
    fund_platform_revenue(1_000)
    ledger.commission_accrue(order=5, payee=creator, amount=800)
    assert available(contract.creator) == 2_700  # pending: not income yet
    ledger.commission_settle(order=5, payee=creator)
    assert available(contract.creator) == 2_700 + 600
    assert _shares(organisation) == 900 + 200
    book_is_consistent()


@pytest.mark.django_db
def test_no_split_before_signing_after_ending_or_for_others() -> None:
    organisation = agency()
    contract = contract_signed(organisation, share="0.5")
    services.contract_terminate_by_creator(contract_id=contract.pk, user=contract.creator)
    owner = organisation.memberships.get(role="owner").user
    services.contract_terminate_by_agency(
        agency_id=organisation.pk, contract_id=contract.pk, actor=owner
    )
    other, sender = UserFactory(), funded_user(1_000)
    for recipient, key in ((contract.creator, "a"), (other, "b")):
        ledger.gift(
            sender=Owner.user(sender.pk),
            recipient=Owner.user(recipient.pk),
            amount=100,
            fee_rate="0",
            key=key,
        )
    assert available(contract.creator) == 100
    assert not Transaction.objects.filter(kind=TransactionKind.REVENUE_SHARE).exists()


@pytest.mark.django_db
def test_a_gift_batch_asks_the_resolvers_once_and_splits_each_gift() -> None:
    organisation = agency()
    signed = [contract_signed(organisation, share="0.1").creator for _ in range(3)]
    unsigned = UserFactory()
    sender = funded_user(10_000)
    calls: list[set[int]] = []
    original = income_splits._resolvers["programs"]
    guard = income_splits._guards["programs"]

    def counting(user_ids, at):
        calls.append(set(user_ids))
        return original(user_ids, at)

    income_splits.register("programs", counting)
    try:
        gifts = [
            Gift(Owner.user(sender.pk), Owner.user(user.pk), 1_000, "0", f"b-{i}")
            for i, user in enumerate([*signed, unsigned])
        ]
        results = ledger.gift_batch(gifts=gifts)
    finally:
        income_splits.register("programs", original, database_guard=guard)
    assert len(calls) == 1 and calls[0] == {user.pk for user in [*signed, unsigned]}
    assert all(isinstance(result, Transaction) for result in results)
    assert [available(user) for user in signed] == [900, 900, 900]
    assert available(unsigned) == 1_000
    assert _shares(organisation) == 300


def _counts() -> tuple[int, int]:
    return (
        Transaction.objects.filter(kind=TransactionKind.GIFT).count(),
        Transaction.objects.filter(kind=TransactionKind.REVENUE_SHARE).count(),
    )


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("failure", ["resolver_raises", "database_error"])
def test_killing_the_transaction_after_the_income_leg_leaves_neither_leg(failure: str) -> None:
    """The move runs its own transaction here; it dies after the income is posted."""
    contract = contract_signed(agency(), share="0.2")
    sender = funded_user(1_000)
    seen: list[int] = []

    def dying(user_ids, at):
        if not connection.in_atomic_block:
            return {}  # the question asked before posting (the contract answers: a share is owed)
        # The income is posted at this point, inside the still-open transaction.
        seen.append(Transaction.objects.filter(kind=TransactionKind.GIFT).count())
        if failure == "resolver_raises":
            raise RuntimeError("killed between the legs")
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1 / 0")
        return {}

    income_splits.register("dying", dying)
    try:
        assert not connection.in_atomic_block
        with pytest.raises(Exception):  # noqa: B017  (RuntimeError or DataError)
            ledger.gift(
                sender=Owner.user(sender.pk),
                recipient=Owner.user(contract.creator_id),
                amount=500,
                fee_rate="0",
                key="killed",
            )
    finally:
        income_splits.unregister("dying")
    assert seen == [1]  # the income leg existed inside the transaction
    assert _counts() == (0, 0)
    assert available(contract.creator) == 0 and available(sender) == 1_000
    ledger.gift(
        sender=Owner.user(sender.pk),
        recipient=Owner.user(contract.creator_id),
        amount=500,
        fee_rate="0",
        key="killed",
    )
    assert _counts() == (1, 1)
    assert available(contract.creator) == 400


@pytest.mark.django_db
def test_shares_use_the_income_time(monkeypatch) -> None:
    contract = contract_signed(agency(), share=str(Decimal("0.3")))
    early = contract.active_from - timezone.timedelta(seconds=1)
    from apps.programs.selectors import contract_shares

    assert contract_shares([contract.creator_id], early) == {}
    assert contract_shares([contract.creator_id], contract.active_from)[contract.creator_id][0][
        1
    ] == (Decimal("0.3"))
