"""Pacing: an order never runs ahead of its even curve, and the factor follows actual spend."""

from datetime import timedelta

import pytest

from apps.promotion.billing import PACING_MAX, PACING_MIN, pacing_factor
from tests.factories import UserFactory
from tests.promotion.factories import audience, creator_with_note, paid_order, serve

pytestmark = pytest.mark.django_db


def test_a_24_hour_order_cannot_spend_its_budget_in_the_first_minutes(settings) -> None:
    settings.PROMOTION_CPM_FEN = 3_000
    settings.PROMOTION_PACING_LEAD_SECONDS = 60
    creator, note = creator_with_note()
    audience(1)
    order = paid_order(creator, note, budget=20_000, duration_hours=24)
    viewers = [UserFactory() for _ in range(60)]
    five_minutes_in = order.starts_at + timedelta(minutes=5)
    # The curve allows floor(6,666 × (300 s + 60 s) / 86,400 s) = 27 impressions by then.
    assert serve(order, viewers, at=five_minutes_in) == 27
    assert serve(order, viewers[:5], at=five_minutes_in + timedelta(minutes=1)) == 5


def test_the_factor_slows_down_ahead_of_the_curve_and_speeds_up_behind_it() -> None:
    creator, note = creator_with_note()
    audience(1)
    order = paid_order(creator, note, budget=20_000, duration_hours=24)
    halfway = int((order.starts_at + timedelta(hours=12)).timestamp() * 1000)
    ahead = pacing_factor(current=0.5, reserved=4_000, order=order, now_ms=halfway)
    behind = pacing_factor(current=0.5, reserved=2_000, order=order, now_ms=halfway)
    assert ahead < 0.5 < behind
    assert pacing_factor(current=1.0, reserved=0, order=order, now_ms=halfway) == PACING_MAX
    slowest = pacing_factor(current=PACING_MIN, reserved=6_000, order=order, now_ms=halfway)
    assert slowest == PACING_MIN
