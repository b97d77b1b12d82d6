"""Object-permission checks for the promotion routes (collected by tests/core).

The victim has a funded, active order on their note; the attacker tries to quote, pay for,
read, stop and report it through every route and must see only their own (empty) orders.
"""

import time

from django.conf import settings
from django.test import TestCase

from apps.promotion import services
from apps.promotion.models import OrderStatus, PromotionOrder
from tests.ledger.factories import available, top_up
from tests.notes.factories import NoteFactory, category
from tests.promotion.factories import audience, request_for


def _victim_order(victim) -> PromotionOrder:
    top_up(victim, 50_000)
    note = NoteFactory(author=victim, category=category("beauty"))
    audience(settings.PROMOTION_MIN_AUDIENCE)
    with TestCase.captureOnCommitCallbacks(execute=True):
        return services.promotion_order_create(creator=victim, request=request_for(note))


def _unchanged(victim, order: PromotionOrder) -> None:
    order.refresh_from_db()
    assert (order.status, order.spent, order.refunded) == (OrderStatus.ACTIVE, 0, 0)
    assert available(victim) == 50_000 - order.budget


def _key() -> dict[str, str]:
    return {"Idempotency-Key": f"attack-{time.monotonic_ns()}"}


def _body(order: PromotionOrder) -> dict:
    return {
        "note_id": order.note_id,
        "objective": "reads",
        "budget": 7_500,
        "duration_hours": 6,
        "targeting_mode": "smart",
    }


def _quotes(client, victim) -> None:
    order = _victim_order(victim)
    response = client.post("/api/v1/promotion/quotes", _body(order), format="json")
    assert response.status_code == 403  # a note one can see but does not own
    assert response.json()["error"]["code"] == "promotion.not_author"
    _unchanged(victim, order)


def _orders(client, victim) -> None:
    order = _victim_order(victim)
    assert client.get("/api/v1/promotion/orders").json()["results"] == []
    response = client.post("/api/v1/promotion/orders", _body(order), format="json", headers=_key())
    assert response.status_code == 403
    assert not PromotionOrder.objects.filter(creator=client.attacker).exists()
    _unchanged(victim, order)


def _order(client, victim) -> None:
    order = _victim_order(victim)
    assert client.get(f"/api/v1/promotion/orders/{order.pk}").status_code == 404
    _unchanged(victim, order)


def _order_stop(client, victim) -> None:
    order = _victim_order(victim)
    response = client.post(f"/api/v1/promotion/orders/{order.pk}/stop", headers=_key())
    assert response.status_code == 404
    _unchanged(victim, order)


def _order_report(client, victim) -> None:
    order = _victim_order(victim)
    assert client.get(f"/api/v1/promotion/orders/{order.pk}/report").status_code == 404
    _unchanged(victim, order)


def _order_report_csv(client, victim) -> None:
    order = _victim_order(victim)
    assert client.get(f"/api/v1/promotion/orders/{order.pk}/report/csv").status_code == 404
    _unchanged(victim, order)


ROUTE_CHECKS = {
    "promotion-quotes": _quotes,
    "promotion-orders": _orders,
    "promotion-order": _order,
    "promotion-order-stop": _order_stop,
    "promotion-order-report": _order_report,
    "promotion-order-report-csv": _order_report_csv,
}
