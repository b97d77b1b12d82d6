"""Every (state, action) pair of the order machine, through the services that perform it."""

import pytest

from apps.core.states import IllegalTransition
from apps.promotion import billing, services
from apps.promotion.models import (
    FINAL_STATUSES,
    ORDER_MACHINE,
    PromotionOrder,
    PromotionOrderEvent,
)
from tests.factories import UserFactory
from tests.promotion.factories import audience, creator_with_note, escrow_balance, scheduled_order

pytestmark = pytest.mark.django_db


def _act(order: PromotionOrder, action: str) -> None:
    operator = UserFactory(is_staff=True)
    calls = {
        "submit": lambda: services.promotion_order_review(order_id=order.pk),
        "approve": lambda: services.promotion_order_approve(operator=operator, order_id=order.pk),
        "reject": lambda: services.promotion_order_reject(operator=operator, order_id=order.pk),
        "start": lambda: services.promotion_order_start(order_id=order.pk),
        "complete": lambda: services.promotion_order_complete(order_id=order.pk),
        "stop": lambda: services.promotion_order_stop(creator=order.creator, order_id=order.pk),
        "withdraw": lambda: billing.order_settle(order_id=order.pk, action="withdraw"),
    }
    calls[action]()


def test_every_action_has_a_service() -> None:
    assert set(ORDER_MACHINE.actions) == {
        "submit",
        "approve",
        "reject",
        "start",
        "complete",
        "stop",
        "withdraw",
    }


@pytest.mark.parametrize(("state", "action"), list(ORDER_MACHINE.pairs()))
def test_state_action_pair(state: str, action: str) -> None:
    creator, note = creator_with_note()
    audience(2)
    order = scheduled_order(creator, note)  # starts in an hour: approve stops at scheduled
    PromotionOrder.objects.filter(pk=order.pk).update(status=state)
    events_before = PromotionOrderEvent.objects.filter(order=order).count()
    escrow_before = escrow_balance(order)
    if ORDER_MACHINE.allows(state, action):
        _act(order, action)
        target = ORDER_MACHINE.transitions[(state, action)]
        assert PromotionOrderEvent.objects.filter(
            order=order, action=action, from_status=state, to_status=target
        ).exists()
        order.refresh_from_db()
        if target in FINAL_STATUSES:
            assert order.status == target
            assert order.spent + order.refunded == order.budget
            assert escrow_balance(order) == 0
    else:
        with pytest.raises(IllegalTransition) as refused:
            _act(order, action)
        assert refused.value.code == "promotion_order.illegal_transition"
        assert refused.value.state == state
        order.refresh_from_db()
        assert order.status == state
        assert PromotionOrderEvent.objects.filter(order=order).count() == events_before
        assert escrow_balance(order) == escrow_before
