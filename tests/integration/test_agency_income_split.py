"""A creator signed to an MCN earns from a brand cooperation and from a commerce commission:
the agency's share is split off each income in its own transaction, to the fen.

Every step goes through the real services: the contract through programs, the cooperation's
escrow release through brands, the commission settlement through commerce's order completion."""

from datetime import timedelta

import pytest
from django.utils import timezone

from apps.brands.cooperation_models import Cooperation
from apps.brands.cooperations import cooperation_deadline_move
from apps.commerce.models import Commission, CommissionStatus
from apps.commerce.services import orders
from apps.ledger.models import AccountKind, Transaction, TransactionKind
from apps.ledger.services import Owner
from apps.ledger.services.reconciliation import reconciliation_run
from tests.brands.factories import PATHS, drive, invite, make_world
from tests.commerce.factories import (
    balance,
    buy,
    click,
    creator_with_link,
    deliver,
    make_product,
    make_store,
)
from tests.factories import UserFactory
from tests.ledger.factories import book_is_consistent, funded_user
from tests.programs.factories import agency, contract_signed

pytestmark = pytest.mark.django_db(transaction=True)

COOPERATION_PRICE = 99_999  # fen; 15 % of it is 14,999.85: the agency gets 14,999
SHARE = "0.15"


def _complete_cooperation(creator) -> Cooperation:
    world = make_world()
    cooperation = drive(
        world,
        invite(world, creator=creator, price=COOPERATION_PRICE),
        PATHS["published"],
        price=COOPERATION_PRICE,
    )
    Cooperation.objects.filter(pk=cooperation.pk).update(deadline_at=timezone.now())
    assert cooperation_deadline_move(
        cooperation_id=cooperation.pk, action="complete", now=timezone.now()
    )
    cooperation.refresh_from_db()
    assert cooperation.status == "completed"
    return cooperation


def _settle_commission(creator) -> Commission:
    product = make_product(make_store(), price=3_333, stock=5, open_rate_bp=1_700)
    _, code = creator_with_link(product, creator)
    buyer = funded_user(product.price)
    click(code, buyer)
    order = buy(buyer, product)
    delivered_at = timezone.now()
    deliver(order, now=delivered_at)
    assert orders.orders_complete_due(now=delivered_at + timedelta(days=7)) == 1
    commission = Commission.objects.get(order=order)
    assert commission.status == CommissionStatus.SETTLED
    return commission


def test_agency_takes_its_share_of_cooperation_and_commission_income() -> None:
    mcn = agency()
    creator = UserFactory()
    contract_signed(mcn, creator, share=SHARE)
    creator_wallet, agency_wallet = Owner.user(creator.pk), Owner.organisation(mcn.pk)

    cooperation = _complete_cooperation(creator)
    assert cooperation.creator_paid == COOPERATION_PRICE
    assert balance(agency_wallet) == 14_999
    assert balance(creator_wallet) == COOPERATION_PRICE - 14_999

    commission = _settle_commission(creator)
    assert commission.amount == 3_333 * 1_700 // 10_000  # 566 fen
    commission_share = commission.amount * 15 // 100  # 84 fen (84.9 floored)
    assert balance(agency_wallet) == 14_999 + commission_share
    assert balance(creator_wallet) == COOPERATION_PRICE - 14_999 + commission.amount - 84
    assert commission_share == 84

    # Each income and its share were posted together: one share per income transaction.
    incomes = Transaction.objects.filter(
        kind__in=[TransactionKind.ESCROW_RELEASE, TransactionKind.COMMISSION_SETTLE],
        entries__account__owner_type="user",
        entries__account__owner_id=creator.pk,
        entries__account__kind=AccountKind.WALLET,
    ).distinct()
    assert incomes.count() == 2
    for income in incomes:
        assert Transaction.objects.filter(
            kind=TransactionKind.REVENUE_SHARE, key=f"revenue_share:{income.pk}"
        ).exists()
    assert Transaction.objects.filter(kind=TransactionKind.REVENUE_SHARE).count() == 2

    report = reconciliation_run()
    assert report.difference_count == 0
    book_is_consistent()


def test_no_share_without_a_running_contract() -> None:
    creator = UserFactory()
    _complete_cooperation(creator)
    assert balance(Owner.user(creator.pk)) == COOPERATION_PRICE
    assert not Transaction.objects.filter(kind=TransactionKind.REVENUE_SHARE).exists()
    assert reconciliation_run().difference_count == 0
