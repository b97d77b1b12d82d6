"""The order machine, walked pair by pair through the services: every legal (state, action)
moves and writes one event; every illegal one is 409 ``order.illegal_transition`` and changes
nothing (status, events, money)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from apps.commerce.models import OrderEvent, OrderStatus
from apps.commerce.services import orders
from apps.commerce.states import ORDER_MACHINE, PRODUCT_MACHINE, SAMPLE_MACHINE
from apps.core.states import IllegalTransition
from apps.ledger.models import Transaction
from tests.commerce.factories import buy, make_product, make_store, store_owner
from tests.ledger.factories import funded_user

pytestmark = pytest.mark.django_db

ACTIONS = [a for a in ORDER_MACHINE.actions if a != "complete"]  # complete: the tolerant task
PATH = {
    OrderStatus.PAID: [],
    OrderStatus.SHIPPED: ["ship"],
    OrderStatus.DELIVERED: ["ship", "deliver"],
    OrderStatus.COMPLETED: ["ship", "deliver", "complete"],
    OrderStatus.REFUND_REQUESTED: ["request_refund"],
    OrderStatus.REFUNDED: ["request_refund", "refund"],
}


def _act(order, action: str) -> None:
    owner = store_owner(order.store)
    store = order.store_id
    if action == "ship":
        orders.order_ship(user=owner, store_id=store, order_id=order.pk)
    elif action == "deliver":
        when = timezone.now() - timedelta(days=8)
        orders.order_deliver(user=owner, store_id=store, order_id=order.pk, now=when)
    elif action == "complete":
        assert orders.order_complete(order_id=order.pk)
    elif action == "request_refund":
        orders.order_refund_request(buyer=order.buyer, order_id=order.pk)
    elif action == "refund":
        orders.order_refund(user=owner, store_id=store, order_id=order.pk)


@pytest.mark.parametrize("state", list(PATH))
def test_every_order_action_from_every_state(state: str) -> None:
    store = make_store()
    product = make_product(store, price=500, stock=50)
    for action in ACTIONS:
        order = buy(funded_user(500), product)
        for step in PATH[state]:
            _act(order, step)
        order.refresh_from_db()
        assert order.status == state
        events = OrderEvent.objects.filter(order=order).count()
        postings = Transaction.objects.count()
        if ORDER_MACHINE.allows(state, action) and not (
            state == OrderStatus.DELIVERED and action == "request_refund"
        ):
            _act(order, action)
            order.refresh_from_db()
            assert order.status == ORDER_MACHINE.next_state(state, action)
            assert OrderEvent.objects.filter(order=order).count() == events + 1
        elif state == OrderStatus.DELIVERED and action == "request_refund":
            # Delivered 8 days ago: the return window has closed (its own 409).
            with pytest.raises(Exception) as refused:
                _act(order, action)
            assert refused.value.code == "order.return_window_closed"
        else:
            with pytest.raises(IllegalTransition) as refused:
                _act(order, action)
            assert refused.value.code == "order.illegal_transition"
            assert refused.value.status == 409
            order.refresh_from_db()
            assert order.status == state
            assert OrderEvent.objects.filter(order=order).count() == events
            assert Transaction.objects.count() == postings


def test_completion_is_tolerant_outside_delivered() -> None:
    product = make_product(make_store(), price=500, stock=5)
    order = buy(funded_user(500), product)
    assert orders.order_complete(order_id=order.pk) is False
    order.refresh_from_db()
    assert order.status == OrderStatus.PAID


def test_the_other_machines_name_their_states() -> None:
    assert PRODUCT_MACHINE.code == "product.illegal_transition"
    assert SAMPLE_MACHINE.next_state("requested", "approve") == "approved"
    with pytest.raises(IllegalTransition):
        SAMPLE_MACHINE.next_state("declined", "ship")
    with pytest.raises(IllegalTransition):
        PRODUCT_MACHINE.next_state("draft", "withdraw")
