"""The operators' screens: the review queue, actions through the services, the console line."""

import pytest
from django.contrib.auth import get_user_model

from apps.promotion import services
from apps.promotion.models import OrderStatus, PromotionOrder
from tests.promotion.factories import (
    assert_settled,
    audience,
    creator_with_note,
    paid_order,
    request_for,
)

pytestmark = pytest.mark.django_db
URL = "/admin/promotion/promotionorder/"


@pytest.fixture
def admin_client(client):
    operator = get_user_model().objects.create_superuser("operator", "op@example.com", "pw-123456")
    client.force_login(operator)
    return client


def _held(creator, note) -> PromotionOrder:
    order = services.promotion_order_pay(creator=creator, request=request_for(note))
    services.promotion_order_hold(order_id=order.pk, reason="reported")
    return order


def test_review_queue_and_approve(admin_client) -> None:
    creator, note = creator_with_note()
    audience(2)
    order = _held(creator, note)
    page = admin_client.get(URL, {"flagged__exact": "1"})
    assert page.status_code == 200 and f">{order.pk}<" in page.content.decode()
    home = admin_client.get("/admin/")
    assert "Held by screening, to review" in home.content.decode()
    done = admin_client.post(URL, {"action": "approve", "_selected_action": [order.pk]})
    assert done.status_code == 302
    order.refresh_from_db()
    assert (order.status, order.flagged) == (OrderStatus.ACTIVE, False)


def test_reject_refunds_everything_and_stop_refunds_the_unspent_part(admin_client) -> None:
    creator, note = creator_with_note(money=100_000)
    audience(2)
    held = _held(creator, note)
    admin_client.post(URL, {"action": "reject", "_selected_action": [held.pk]})
    held.refresh_from_db()
    assert (held.status, held.refunded) == (OrderStatus.REJECTED, held.budget)
    active = paid_order(creator, note)
    admin_client.post(URL, {"action": "stop_with_refund", "_selected_action": [active.pk]})
    active.refresh_from_db()
    assert (active.status, active.stop_reason) == (OrderStatus.STOPPED, "operator")
    assert_settled(active, creator=creator, funded=100_000 - held.budget + held.refunded)
    trail = admin_client.get(f"{URL}{active.pk}/change/").content.decode()
    assert "stop" in trail and "operator" in trail
