"""Money after every path through the machine: the escrow ends empty and what the creator,
the brand (refunds) and the platform got adds up to what the brand paid, to the fen."""

import pytest
from django.utils import timezone

from apps.brands.cooperation_money import dispute_shares, platform_fee
from apps.brands.cooperations import cooperation_act, cooperation_deadline_move, cooperation_resolve
from apps.core.errors import DomainError
from apps.ledger.models import OwnerType, Transaction
from apps.ledger.selectors import account_balance
from tests.brands.factories import (
    ESCROW,
    FEE,
    PATHS,
    PRICE,
    brand_wallet,
    cooperation_in,
    creator_wallet,
    dispute_operator,
    drive,
    escrow_of,
    invite,
    make_world,
)
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _revenue() -> int:
    return account_balance(owner_type=OwnerType.PLATFORM, owner_id=0, kind="platform_revenue")


def _settle(world, cooperation, *, creator_before: int, brand_before: int, revenue_before: int):
    """The escrow is empty and creator + brand refund + platform = what the brand paid."""
    cooperation.refresh_from_db()
    paid = cooperation.escrow_paid
    creator = creator_wallet(cooperation.creator) - creator_before
    platform = _revenue() - revenue_before
    brand_net = brand_before - brand_wallet(world)  # what the brand is out of pocket
    refunded = paid - brand_net
    assert escrow_of(cooperation) == 0
    assert creator + refunded + platform == paid
    return creator, refunded, platform


def _balances(world, cooperation):
    return {
        "creator_before": creator_wallet(cooperation.creator),
        "brand_before": brand_wallet(world),
        "revenue_before": _revenue(),
    }


def test_fee_is_ten_percent_rounded_down() -> None:
    assert platform_fee(100_000) == 10_000
    assert platform_fee(999) == 99
    assert platform_fee(9) == 0


def test_completed_pays_the_price_to_the_creator_and_the_fee_to_the_platform() -> None:
    world = make_world()
    cooperation = invite(world, creator=UserFactory())
    before = _balances(world, cooperation)
    cooperation = drive(world, cooperation, PATHS["published"])
    assert cooperation.escrow_paid == ESCROW and escrow_of(cooperation) == ESCROW
    assert brand_wallet(world) == before["brand_before"] - ESCROW
    assert cooperation_deadline_move(
        cooperation_id=cooperation.pk, action="complete", now=cooperation.deadline_at
    )
    assert _settle(world, cooperation, **before) == (PRICE, 0, FEE)
    # a second run of the deadline moves nothing
    assert not cooperation_deadline_move(
        cooperation_id=cooperation.pk, action="complete", now=cooperation.deadline_at
    )
    assert _settle(world, cooperation, **before) == (PRICE, 0, FEE)


@pytest.mark.parametrize("state", ["accepted", "funded", "drafting"])
def test_cancelled_before_submission_refunds_everything_fee_included(state: str) -> None:
    world = make_world()
    cooperation = cooperation_in(world, state)
    paid_already = cooperation.escrow_paid
    before = _balances(world, cooperation)
    before["brand_before"] += paid_already  # the brand's wallet before it paid the escrow
    cooperation_act(
        user=world.members["manager"],
        cooperation_id=cooperation.pk,
        action="cancel",
        reason="预算调整",
    )
    assert _settle(world, cooperation, **before) == (0, paid_already, 0)
    assert brand_wallet(world) == before["brand_before"]


@pytest.mark.parametrize("state", ["submitted", "revision_requested", "approved", "published"])
def test_after_submission_cancel_is_refused_and_only_a_dispute_remains(state: str) -> None:
    world = make_world()
    cooperation = cooperation_in(world, state)
    with pytest.raises(DomainError) as refused:
        cooperation_act(
            user=world.members["manager"], cooperation_id=cooperation.pk, action="cancel"
        )
    assert refused.value.code == "cooperation.illegal_transition"
    assert escrow_of(cooperation) == ESCROW


@pytest.mark.parametrize("creator_share", [0, 1, 33_333, 50_000, PRICE])
def test_disputed_split_sums_to_the_escrow(creator_share: int) -> None:
    world = make_world()
    cooperation = cooperation_in(world, "disputed")
    before = _balances(world, cooperation)
    before["brand_before"] += ESCROW
    shares = dispute_shares(cooperation, creator_share)
    assert sum(shares.values()) == ESCROW
    cooperation_resolve(
        operator=dispute_operator(),
        cooperation_id=cooperation.pk,
        creator_share=creator_share,
        note="operator decision",
    )
    got = _settle(world, cooperation, **before)
    assert got == (shares["creator"], shares["brand"], shares["platform"])
    assert shares["platform"] == FEE * creator_share // PRICE
    assert cooperation.events.filter(action="resolve", side="operator").count() == 1


def test_dispute_decision_needs_an_outside_operator_and_a_valid_share() -> None:
    world = make_world()
    cooperation = cooperation_in(world, "disputed")
    with pytest.raises(DomainError) as refused:
        cooperation_resolve(
            operator=world.members["owner"],
            cooperation_id=cooperation.pk,
            creator_share=1,
            note="x",
        )
    assert refused.value.code == "cooperation.not_operator"
    with pytest.raises(DomainError) as bad:
        cooperation_resolve(
            operator=dispute_operator(),
            cooperation_id=cooperation.pk,
            creator_share=PRICE + 1,
            note="x",
        )
    assert bad.value.code == "cooperation.share_invalid"
    assert escrow_of(cooperation) == ESCROW


@pytest.mark.parametrize("state", ["invited", "accepted"])
def test_expired_moves_no_money(state: str) -> None:
    world = make_world()
    cooperation = cooperation_in(world, state)
    before = _balances(world, cooperation)
    count = Transaction.objects.count()
    assert cooperation_deadline_move(
        cooperation_id=cooperation.pk, action="expire", now=cooperation.deadline_at
    )
    cooperation.refresh_from_db()
    assert cooperation.status == "expired"
    assert _settle(world, cooperation, **before) == (0, 0, 0)
    assert Transaction.objects.count() == count


def test_accept_without_cover_waits_then_fund_by_finance() -> None:
    world = make_world(funds=50_000)
    cooperation = invite(world, creator=UserFactory(), price=40_000)
    world_brand_before = brand_wallet(world)
    drive(world, cooperation, [("creator", "counter")], price=60_000)
    cooperation = drive(world, cooperation, [("manager", "accept")])
    assert cooperation.status == "accepted" and escrow_of(cooperation) == 0
    assert brand_wallet(world) == world_brand_before
    with pytest.raises(DomainError) as short:
        cooperation_act(user=world.members["finance"], cooperation_id=cooperation.pk, action="fund")
    assert short.value.code == "wallet.insufficient_funds"
    cooperation.refresh_from_db()
    assert cooperation.status == "accepted" and cooperation.escrow_paid == 0


def test_deadline_not_yet_due_moves_nothing() -> None:
    world = make_world()
    cooperation = cooperation_in(world, "submitted")
    assert not cooperation_deadline_move(
        cooperation_id=cooperation.pk, action="approve", now=timezone.now()
    )
    cooperation.refresh_from_db()
    assert cooperation.status == "submitted"
