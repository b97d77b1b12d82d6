"""The admin's refund action goes through the order service; commissions list by state."""

import pytest
from django.contrib.auth.models import Permission

from apps.commerce.models import CommissionStatus, OrderStatus
from apps.commerce.services import orders
from tests.commerce.factories import buy, click, creator_with_link, make_product, make_store
from tests.factories import UserFactory
from tests.ledger.factories import available, funded_user

pytestmark = pytest.mark.django_db


def _operator():
    operator = UserFactory(is_staff=True)
    for codename in ("view_order", "change_order", "view_commission"):
        operator.user_permissions.add(
            Permission.objects.get(content_type__app_label="commerce", codename=codename)
        )
    return operator


def test_refund_selected_refunds_requested_orders_only(client) -> None:
    product = make_product(make_store(), price=700, stock=5)
    creator, code = creator_with_link(product)
    buyer = funded_user(1_400)
    click(code, buyer)
    requested, paid = buy(buyer, product), buy(buyer, product)
    orders.order_refund_request(buyer=buyer, order_id=requested.pk)
    client.force_login(_operator())
    response = client.post(
        "/admin/commerce/order/",
        {"action": "refund_selected", "_selected_action": [requested.pk, paid.pk]},
        follow=True,
    )
    assert response.status_code == 200
    requested.refresh_from_db()
    paid.refresh_from_db()
    assert (requested.status, paid.status) == (OrderStatus.REFUNDED, OrderStatus.PAID)
    assert available(buyer) == 700
    assert requested.commissions.get().status == CommissionStatus.REVERSED
    listed = client.get("/admin/commerce/commission/", {"status__exact": "reversed"})
    assert listed.status_code == 200
    assert f"order #{requested.pk} (refunded)" in listed.content.decode()
    assert f"order #{paid.pk}" not in listed.content.decode()
    del creator
