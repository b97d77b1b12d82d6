"""Acceptance 1: on PostgreSQL, 50 threads buy the last 10 units of a product."""

import pytest

from apps.commerce.models import Commission, CommissionStatus, Order, OrderStatus
from apps.commerce.services import orders
from apps.commerce.services.money import order_escrow
from apps.core.errors import Conflict
from apps.ledger.models import AccountKind
from apps.ledger.services import PLATFORM, Owner
from tests.commerce.factories import (
    balance,
    buy,
    click,
    creator_with_link,
    make_product,
    make_store,
    store_owner,
)
from tests.concurrency import run_concurrently
from tests.ledger.factories import book_is_consistent, funded_user

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_fifty_buyers_race_for_the_last_ten_units_then_refunds_put_stock_back() -> None:
    store = make_store()
    product = make_product(store, price=1_990, stock=10, open_rate_bp=1_500)
    creator, code = creator_with_link(product)
    buyers = [funded_user(5_000) for _ in range(50)]
    for buyer in buyers[::2]:
        click(code, buyer)

    results = run_concurrently([lambda b=b: buy(b, product) for b in buyers])

    placed = [r for r in results if isinstance(r, Order)]
    refused = [r for r in results if isinstance(r, Exception)]
    assert len(placed) == 10
    assert len(refused) == 40
    assert {getattr(r, "code", repr(r)) for r in refused} == {"product.sold_out"}
    product.refresh_from_db()
    assert (product.stock, product.sales) == (0, 10)
    # Money to the fen: each buyer paid 19.90 or nothing; escrow + commission hold it all.
    paid = {order.buyer_id for order in placed}
    for buyer in buyers:
        expected = 5_000 - 1_990 if buyer.pk in paid else 5_000
        assert balance(Owner.user(buyer.pk)) == expected
    held = sum(balance(order_escrow(o.pk), AccountKind.ESCROW) for o in placed)
    pending = balance(Owner.user(creator.pk), AccountKind.PENDING_COMMISSION)
    assert held + pending == 10 * 1_990
    attributed = [o for o in placed if o.creator_id == creator.pk]
    assert pending == len(attributed) * (1_990 * 1_500 // 10_000)
    book_is_consistent()

    owner = store_owner(store)
    for order in placed:
        orders.order_refund_request(buyer=order.buyer, order_id=order.pk)
        orders.order_refund(user=owner, store_id=store.pk, order_id=order.pk)
    product.refresh_from_db()
    assert (product.stock, product.sales) == (10, 0)
    for buyer in buyers:
        assert balance(Owner.user(buyer.pk)) == 5_000
    assert balance(Owner.user(creator.pk), AccountKind.PENDING_COMMISSION) == 0
    assert set(Order.objects.values_list("status", flat=True)) == {OrderStatus.REFUNDED}
    assert set(Commission.objects.values_list("status", flat=True)) <= {CommissionStatus.REVERSED}
    assert balance(PLATFORM, AccountKind.PLATFORM_REVENUE) == 0
    book_is_consistent()


def test_concurrent_refunds_of_one_order_refund_once() -> None:
    store = make_store()
    product = make_product(store, price=800, stock=5)
    buyer = funded_user(1_000)
    order = buy(buyer, product)
    orders.order_refund_request(buyer=buyer, order_id=order.pk)
    owner = store_owner(store)
    results = run_concurrently(
        [
            lambda: orders.order_refund(user=owner, store_id=store.pk, order_id=order.pk)
            for _ in range(8)
        ]
    )
    assert sum(isinstance(r, Order) for r in results) == 1
    assert all(
        getattr(r, "code", None) == "order.illegal_transition"
        for r in results
        if isinstance(r, Conflict)
    )
    product.refresh_from_db()
    assert product.stock == 5
    assert balance(Owner.user(buyer.pk)) == 1_000
    book_is_consistent()
