"""Acceptance 2: commission pending -> settled on completion, reversed on refund, each once;
the targeted rate overrides the open one within its period only."""

from datetime import timedelta

import pytest
from django.utils import timezone

from apps.commerce.models import Commission, CommissionStatus, Order, OrderStatus
from apps.commerce.services import orders, pool
from apps.commerce.services.money import order_escrow
from apps.ledger.models import AccountKind, Transaction, TransactionKind
from apps.ledger.services import PLATFORM, Owner
from tests.commerce.factories import (
    balance,
    buy,
    click,
    creator_with_link,
    deliver,
    make_product,
    make_store,
    store_owner,
)
from tests.concurrency import run_concurrently
from tests.ledger.factories import book_is_consistent, funded_user

pytestmark = pytest.mark.django_db


def _attributed_order(rate_bp: int = 2_000, price: int = 10_000):
    store = make_store()
    product = make_product(store, price=price, stock=10, open_rate_bp=rate_bp)
    creator, code = creator_with_link(product)
    buyer = funded_user(price)
    click(code, buyer)
    return store, product, creator, buyer, buy(buyer, product)


def test_commission_is_pending_at_payment_and_settled_when_the_window_closes() -> None:
    store, _product, creator, buyer, order = _attributed_order()
    commission = Commission.objects.get(order=order)
    assert (commission.amount, commission.status) == (2_000, CommissionStatus.PENDING)
    assert balance(Owner.user(creator.pk), AccountKind.PENDING_COMMISSION) == 2_000
    assert balance(Owner.user(buyer.pk)) == 0
    delivered_at = timezone.now()
    deliver(order, now=delivered_at)

    # Inside the window nothing completes.
    assert orders.orders_complete_due(now=delivered_at + timedelta(days=6, hours=23)) == 0
    assert orders.orders_complete_due(now=delivered_at + timedelta(days=7)) == 1
    assert orders.orders_complete_due(now=delivered_at + timedelta(days=8)) == 0

    order.refresh_from_db()
    commission.refresh_from_db()
    assert order.status == OrderStatus.COMPLETED
    assert commission.status == CommissionStatus.SETTLED
    assert balance(Owner.user(creator.pk)) == 2_000
    assert balance(Owner.user(creator.pk), AccountKind.PENDING_COMMISSION) == 0
    seller = Owner.organisation(store.organisation_id)
    assert balance(seller) == 8_000 - 400  # 5 % platform fee on the proceeds
    assert balance(PLATFORM, AccountKind.PLATFORM_REVENUE) == 400
    assert balance(order_escrow(order.pk), AccountKind.ESCROW) == 0
    assert Transaction.objects.filter(kind=TransactionKind.COMMISSION_SETTLE).count() == 1
    book_is_consistent()


def test_refund_reverses_the_commission_and_returns_everything_to_the_buyer() -> None:
    store, product, creator, buyer, order = _attributed_order()
    deliver(order)
    orders.order_refund_request(buyer=buyer, order_id=order.pk)
    orders.order_refund(user=store_owner(store), store_id=store.pk, order_id=order.pk)
    commission = Commission.objects.get(order=order)
    assert commission.status == CommissionStatus.REVERSED
    assert balance(Owner.user(buyer.pk)) == 10_000
    assert balance(Owner.user(creator.pk), AccountKind.PENDING_COMMISSION) == 0
    assert balance(Owner.user(creator.pk)) == 0
    product.refresh_from_db()
    assert product.stock == 10
    # A refunded order never completes, however late the task runs.
    assert orders.orders_complete_due(now=timezone.now() + timedelta(days=30)) == 0
    assert Transaction.objects.filter(kind=TransactionKind.COMMISSION_SETTLE).count() == 0
    book_is_consistent()


def test_refund_request_after_the_window_is_refused() -> None:
    _store, _product, _creator, buyer, order = _attributed_order()
    delivered_at = timezone.now() - timedelta(days=8)
    deliver(order, now=delivered_at)
    with pytest.raises(Exception) as refused:
        orders.order_refund_request(buyer=buyer, order_id=order.pk)
    assert refused.value.code == "order.return_window_closed"
    order.refresh_from_db()
    assert order.status == OrderStatus.DELIVERED


def test_targeted_rate_overrides_the_open_one_only_within_its_period() -> None:
    store = make_store()
    product = make_product(store, price=10_000, stock=10, open_rate_bp=1_000)
    invited, code = creator_with_link(product)
    now = timezone.now()
    pool.plan_targeted_create(
        user=store_owner(store),
        store_id=store.pk,
        product_id=product.pk,
        creator_id=invited.pk,
        rate_bp=3_000,
        starts_at=now - timedelta(days=1),
        ends_at=now + timedelta(days=1),
    )
    inside, after, before = funded_user(10_000), funded_user(10_000), funded_user(10_000)
    for buyer in (inside, after, before):
        click(code, buyer, at=now - timedelta(hours=3))
    during = buy(inside, product, now=now)
    later = buy(after, product, now=now + timedelta(days=1, hours=1))
    earlier = buy(before, product, now=now - timedelta(days=1, hours=1))
    assert during.commission_total == 3_000
    assert later.commission_total == 1_000
    # Before the period starts the open rate applies too (the click is the buyer's, 3 h ago:
    # outside the window for an order placed 25 h earlier, so no attribution at all).
    assert earlier.creator_id is None and earlier.commission_total == 0


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_completion_running_concurrently_settles_once() -> None:
    _store, _product, creator, _buyer, order = _attributed_order()
    delivered_at = timezone.now() - timedelta(days=8)
    deliver(order, now=delivered_at)
    results = run_concurrently([lambda: orders.orders_complete_due() for _ in range(6)])
    assert sum(r for r in results if isinstance(r, int)) == 1, results
    assert Transaction.objects.filter(kind=TransactionKind.COMMISSION_SETTLE).count() == 1
    assert Transaction.objects.filter(kind=TransactionKind.ESCROW_RELEASE).count() == 1
    assert balance(Owner.user(creator.pk)) == 2_000
    assert Order.objects.get(pk=order.pk).status == OrderStatus.COMPLETED
    book_is_consistent()
