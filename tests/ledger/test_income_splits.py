"""The income-split registry with a fake registrant: which moves ask it, and what they post."""

from fractions import Fraction

import pytest

from apps.core.errors import InvalidInput
from apps.ledger import income_splits
from apps.ledger import services as ledger
from apps.ledger.models import Transaction, TransactionKind
from apps.ledger.services import Owner
from tests.factories import UserFactory
from tests.ledger.factories import available, book_is_consistent, funded_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def fake_registrant():
    """Only this test's resolver is registered: user -> shares, and a log of the calls."""
    saved = dict(income_splits._resolvers)
    income_splits._resolvers.clear()
    shares: dict[int, list] = {}
    calls: list[tuple[set[int], object]] = []

    def resolver(user_ids, at):
        calls.append((set(user_ids), at))
        return {user_id: shares[user_id] for user_id in user_ids if user_id in shares}

    income_splits.register("fake", resolver)
    try:
        yield shares, calls
    finally:
        income_splits._resolvers.clear()
        income_splits._resolvers.update(saved)


def test_share_amounts_are_floored() -> None:
    assert income_splits.share_amount(999, Fraction(1, 3)) == 333
    assert income_splits.share_amount(700, Fraction("0.2")) == 140


def test_two_owners_share_a_gift_and_the_time_is_the_incomes(fake_registrant) -> None:
    shares, calls = fake_registrant
    creator, sender = UserFactory(), funded_user(1_000)
    partner, other = UserFactory(), UserFactory()
    shares[creator.pk] = [(Owner.user(partner.pk), "0.1"), (Owner.user(other.pk), "0.05")]
    gift = ledger.gift(
        sender=Owner.user(sender.pk),
        recipient=Owner.user(creator.pk),
        amount=1_000,
        fee_rate="0",
        key="k",
    )
    assert calls == [({creator.pk}, gift.created_at)]
    assert (available(creator), available(partner), available(other)) == (850, 100, 50)
    share = Transaction.objects.get(kind=TransactionKind.REVENUE_SHARE)
    assert share.key == f"revenue_share:{gift.pk}"
    book_is_consistent()


def test_shares_above_the_income_refuse_the_income_too(fake_registrant) -> None:
    shares, _ = fake_registrant
    creator, sender = UserFactory(), funded_user(1_000)
    shares[creator.pk] = [
        (Owner.user(UserFactory().pk), "0.6"),
        (Owner.user(UserFactory().pk), "0.6"),
    ]
    with pytest.raises(InvalidInput) as refused:
        ledger.gift(
            sender=Owner.user(sender.pk),
            recipient=Owner.user(creator.pk),
            amount=1_000,
            fee_rate="0",
            key="too-much",
        )
    assert refused.value.code == "ledger.shares_invalid"
    assert not Transaction.objects.filter(kind=TransactionKind.GIFT).exists()
    assert available(sender) == 1_000


def test_moves_that_are_not_income_do_not_ask(fake_registrant) -> None:
    shares, calls = fake_registrant
    sender, creator = funded_user(5_000), UserFactory()
    shares[creator.pk] = [(Owner.user(UserFactory().pk), "0.5")]
    ledger.escrow_open(owner=Owner.contract(9), payer=Owner.user(sender.pk), amount=100, key="o")
    ledger.escrow_refund(escrow=Owner.contract(9), amount=100, key="r")
    ledger.wallet_transfer(sender=sender, recipient_id=creator.pk, amount=100)
    assert calls == []
    assert available(creator) == 100
