"""The minute tick on a real Celery worker (Redis broker, PostgreSQL), with a moved clock."""

from datetime import timedelta

import pytest

from apps.promotion.models import OrderStatus
from apps.promotion.tasks import promotion_tick
from tests.promotion.factories import (
    assert_settled,
    audience,
    creator_with_note,
    scheduled_order,
    serve,
)

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _tick(queue: str, at) -> dict:
    return promotion_tick.apply_async(args=[at.isoformat()], queue=queue).get(timeout=60)


def test_the_worker_starts_bills_and_ends_an_order_on_time(worker_queue, settings) -> None:
    settings.PROMOTION_CPM_FEN = 3_000
    settings.PROMOTION_PACING_LEAD_SECONDS = 10 * 24 * 3600
    creator, note = creator_with_note(money=50_000)
    viewers = audience(4)
    order = scheduled_order(creator, note, duration_hours=6)
    assert _tick(worker_queue, order.starts_at - timedelta(minutes=1))["started"] == 0
    assert _tick(worker_queue, order.starts_at + timedelta(seconds=30))["started"] == 1
    order.refresh_from_db()
    assert order.status == OrderStatus.ACTIVE
    # The tick published the order's window: the feed's counters now serve it.
    assert serve(order, viewers, at=order.starts_at + timedelta(minutes=2)) == 4
    billed = _tick(worker_queue, order.starts_at + timedelta(minutes=3))
    assert billed["billed_fen"] == 12
    assert _tick(worker_queue, order.ends_at - timedelta(minutes=1))["completed"] == 0
    assert _tick(worker_queue, order.ends_at + timedelta(seconds=1))["completed"] == 1
    order.refresh_from_db()
    assert (order.status, order.spent, order.refunded) == (OrderStatus.COMPLETED, 12, 20_000 - 12)
    assert_settled(order, creator=creator, funded=50_000)
