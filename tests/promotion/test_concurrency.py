"""The hard cap under real concurrency: PostgreSQL, Redis, threads with their own connections."""

import pytest

from apps.analytics import metrics_promotion
from apps.ledger.services import spend
from apps.promotion import billing, services
from apps.promotion.counters import counters
from apps.promotion.models import OrderStatus, PromotionOrder
from tests.concurrency import run_concurrently
from tests.promotion.factories import (
    assert_settled,
    audience,
    creator_with_note,
    paid_order,
    serve,
)

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]
CHARGERS = 32
LEFT = 10  # impressions left before the cap


def _nearly_spent(cpm: int, settings) -> tuple[PromotionOrder, object, list]:
    """An active ¥75 order with all but LEFT impressions served and billed."""
    settings.PROMOTION_CPM_FEN = cpm
    creator, note = creator_with_note(money=100_000)
    viewers = audience(CHARGERS)
    order = paid_order(creator, note, budget=7_500)
    billed = order.max_impressions - LEFT
    charged = billed * cpm // 1000
    spend(escrow=billing.escrow_of(order), amount=charged, key=f"promotion:{order.pk}:to:{charged}")
    PromotionOrder.objects.filter(pk=order.pk).update(impressions_billed=billed, spent=charged)
    order.refresh_from_db()
    billing.order_republish(order)
    return order, creator, viewers


@pytest.mark.parametrize("cpm", [3_000, 2_999])
def test_32_chargers_racing_on_a_nearly_spent_order_never_pass_the_budget(
    cpm: int, settings
) -> None:
    settings.PROMOTION_MIN_AUDIENCE = 1
    settings.PROMOTION_PACING_LEAD_SECONDS = 10 * 24 * 3600  # the cap alone decides
    for _repetition in range(20):
        order, creator, viewers = _nearly_spent(cpm, settings)
        # Every viewer asks twice (the frequency cap allows it); four billers drain meanwhile.
        chargers = [lambda v=viewer, o=order: serve(o, [v, v]) for viewer in viewers]
        billers = [lambda o=order: billing.order_bill(o.pk) for _ in range(4)]
        results = run_concurrently(chargers + billers)
        errors = [r for r in results if isinstance(r, Exception)]
        assert not errors, errors
        assert sum(results[:CHARGERS]) == LEFT  # exactly the impressions left, not one more
        assert counters().reserved([order.pk])[order.pk] == order.max_impressions
        services.promotion_tick()  # bills the rest and completes the order
        order.refresh_from_db()
        assert order.status == OrderStatus.COMPLETED
        assert order.impressions_billed == order.max_impressions
        assert order.spent == order.max_impressions * cpm // 1000 <= order.budget
        assert_settled(order, creator=creator, funded=100_000)
        delivered = metrics_promotion.delivered_impressions(order_ids=[order.pk])
        assert delivered.get(order.pk, 0) == LEFT  # the LEFT served here, as events


def test_concurrent_stops_and_ticks_settle_once(settings) -> None:
    settings.PROMOTION_MIN_AUDIENCE = 1
    settings.PROMOTION_PACING_LEAD_SECONDS = 10 * 24 * 3600
    settings.PROMOTION_CPM_FEN = 3_000
    creator, note = creator_with_note(money=100_000)
    viewers = audience(8)
    order = paid_order(creator, note, budget=20_000)
    serve(order, viewers)
    actions = [lambda: services.promotion_order_stop(creator=creator, order_id=order.pk)] * 4
    actions += [services.promotion_tick] * 4
    results = run_concurrently(actions)
    stopped = [r for r in results[:4] if isinstance(r, PromotionOrder)]
    assert len(stopped) == 1  # the others are refused: already stopped
    order.refresh_from_db()
    assert (order.status, order.spent) == (OrderStatus.STOPPED, 24)
    assert_settled(order, creator=creator, funded=100_000)
