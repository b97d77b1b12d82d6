"""Checkout's cost in statements on PostgreSQL: constant per order, and what each one wrote."""

import threading
import time

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from apps.commerce.models import Commission, Order, OrderEvent, OrderLine, Product
from apps.commerce.services import checkout as checkout_service
from apps.commerce.services import pool
from apps.commerce.services.money import order_escrow
from apps.ledger.models import Account, AccountKind
from apps.ledger.services import Owner
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


def _until_commit(queries: CaptureQueriesContext) -> list[str]:
    """The checkout's own statements (the analytics event is stored after the commit)."""
    statements = [query["sql"] for query in queries.captured_queries]
    return statements[: statements.index("COMMIT") + 1]


def _kinds(statements: list[str]) -> list[str]:
    """Each statement's first word; prepared ones are logged as ``QUERY = '...' PARAMS = ...``."""
    kinds = []
    for sql in statements:
        sql = sql.removeprefix("QUERY = ").lstrip("'\"")
        kinds.append("ledger_post" if "ledger_post(" in sql else sql.split()[0].upper())
    return kinds


def test_a_checkout_is_seven_statements_and_one_per_commission() -> None:
    store = make_store()
    product = make_product(store, price=1_000, stock=50, open_rate_bp=1_000)
    creator, code = creator_with_link(product)
    clicked, direct = funded_user(10_000), funded_user(10_000)
    click(code, clicked)
    buy(clicked, product)  # the creator's pending-commission account exists from here on
    counts = []
    for buyer in (clicked, direct, clicked, direct):
        with CaptureQueriesContext(connection) as queries:
            buy(buyer, product)
        counts.append(len(_until_commit(queries)))
    # Read; BEGIN; the order (lines, event, commissions); the accounts (the order's new escrow
    # included); escrow_open; commission_accrue when attributed; the stock; COMMIT.
    assert counts == [8, 7, 8, 7]
    assert _kinds(_until_commit(queries)) == [
        "SELECT",
        "BEGIN",
        "WITH",
        "WITH",
        "ledger_post",
        "UPDATE",
        "COMMIT",
    ]
    product.refresh_from_db()
    assert (product.stock, product.sales) == (45, 5)
    assert balance(Owner.user(creator.pk), AccountKind.PENDING_COMMISSION) == 3 * 100
    book_is_consistent()


def test_the_one_statement_order_writes_what_the_orm_would() -> None:
    store = make_store()
    first = make_product(store, price=1_000, stock=10, open_rate_bp=1_000)
    second = make_product(store, price=2_500, stock=10, open_rate_bp=None)
    third = make_product(store, price=300, stock=10, open_rate_bp=500)
    creator, code = creator_with_link(first)
    other, other_code = creator_with_link(third)
    pool.plan_targeted_create(
        user=store_owner(store),
        store_id=store.pk,
        product_id=third.pk,
        creator_id=other.pk,
        rate_bp=2_000,
        starts_at=None,
        ends_at=None,
    )
    buyer = funded_user(20_000)
    click(code, buyer)
    click(other_code, buyer)
    order = checkout_service.order_checkout(
        buyer=buyer,
        store_id=store.pk,
        items=[(third.pk, 2), (first.pk, 3), (second.pk, 1)],
    )
    stored = Order.objects.get(pk=order.pk)
    assert (stored.buyer_id, stored.store_id, stored.status) == (buyer.pk, store.pk, "paid")
    assert (stored.total, stored.commission_total) == (3_000 + 2_500 + 600, 300 + 120)
    assert (stored.creator_id, stored.created_at) == (creator.pk, order.created_at)
    lines = {line.product_id: line for line in OrderLine.objects.filter(order=order)}
    assert [line.pk for line in order.lines_cached] == [
        lines[product].pk for product in sorted(lines)
    ]
    assert [
        (line.quantity, line.unit_price, line.amount, line.creator_id, line.commission_rate_bp)
        for _, line in sorted(lines.items())
    ] == [
        (3, 1_000, 3_000, creator.pk, 1_000),
        (1, 2_500, 2_500, None, 0),
        (2, 300, 600, other.pk, 2_000),
    ]
    assert [(line.commission, line.note_id, line.room_id) for _, line in sorted(lines.items())] == [
        (300, None, None),
        (0, None, None),
        (120, None, None),
    ]
    assert sorted(
        Commission.objects.filter(order=order).values_list("creator_id", "amount")
    ) == sorted([(creator.pk, 300), (other.pk, 120)])
    event = OrderEvent.objects.get(order=order)
    assert (event.action, event.from_status, event.to_status, event.actor_id) == (
        "pay",
        "",
        "paid",
        buyer.pk,
    )
    assert balance(order_escrow(order.pk), AccountKind.ESCROW) == 6_100 - 420
    assert balance(Owner.user(buyer.pk)) == 20_000 - 6_100
    book_is_consistent()


def test_a_line_sold_out_meanwhile_rolls_back_the_order_and_its_money() -> None:
    """The stock read was enough; the decrement, last, finds it gone: nothing is kept."""
    store = make_store()
    plenty = make_product(store, price=1_000, stock=10)
    scarce = make_product(store, price=1_000, stock=1)
    creator, code = creator_with_link(plenty)
    buyer = funded_user(10_000)
    click(code, buyer)
    before = (Order.objects.count(), Commission.objects.count(), Account.objects.count())
    locked = threading.Event()

    def rival_takes_the_last_unit() -> None:
        try:
            with transaction.atomic():
                Product.objects.filter(pk=scarce.pk).update(stock=0)  # row locked until commit
                locked.set()
                time.sleep(0.5)
        finally:
            locked.set()
            connection.close()

    def checkout() -> object:
        locked.wait(5)
        return checkout_service.order_checkout(
            buyer=buyer, store_id=store.pk, items=[(plenty.pk, 1), (scarce.pk, 1)]
        )

    _, refused = run_concurrently([rival_takes_the_last_unit, checkout])
    assert getattr(refused, "code", None) == "product.sold_out"
    assert (Order.objects.count(), Commission.objects.count()) == before[:2]
    assert Account.objects.count() == before[2]  # not even the order's escrow account
    assert balance(Owner.user(buyer.pk)) == 10_000
    assert balance(Owner.user(creator.pk), AccountKind.PENDING_COMMISSION) == 0
    plenty.refresh_from_db()
    assert (plenty.stock, plenty.sales) == (10, 0)
    book_is_consistent()
