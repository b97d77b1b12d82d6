"""Money on every path: charged + refunded = paid, to the fen, and the ledger agrees."""

from datetime import timedelta

import pytest
from django.utils import timezone

from apps.core.errors import Conflict
from apps.moderation import matcher
from apps.moderation import services as moderation_services
from apps.moderation.targets import Visibility
from apps.notes import services as note_services
from apps.notifications.models import Notification
from apps.promotion import selectors, services
from apps.promotion.models import OrderStatus, PromotionOrderEvent
from tests.factories import UserFactory
from tests.ledger.factories import available
from tests.promotion.factories import (
    assert_settled,
    audience,
    creator_with_note,
    escrow_balance,
    paid_order,
    promotion_spend_total,
    request_for,
    scheduled_order,
    serve,
)

pytestmark = pytest.mark.django_db
FUNDS = 100_000


@pytest.fixture
def screening_rule(settings, django_capture_on_commit_callbacks):
    def make(term: str, action: str) -> None:
        settings.MODERATION_RULES_CHECK_SECONDS = 0
        matcher.reset()
        with django_capture_on_commit_callbacks(execute=True):
            moderation_services.keyword_rule_create(
                term=term, category="ads", action=action, surfaces=["note"]
            )

    yield make
    matcher.reset()


def _late(order) -> object:
    """A moment near the end of the run, where pacing allows the whole budget."""
    return order.ends_at - timedelta(seconds=1)


def test_payment_moves_the_budget_into_escrow_and_a_clean_note_starts_at_once() -> None:
    creator, note = creator_with_note(money=FUNDS)
    audience(3)
    order = paid_order(creator, note, budget=20_000)
    assert order.status == OrderStatus.ACTIVE
    assert escrow_balance(order) == 20_000
    assert available(creator) == FUNDS - 20_000
    actions = list(PromotionOrderEvent.objects.filter(order=order).values_list("action", flat=True))
    assert actions == ["pay", "submit", "approve", "start"]


def test_insufficient_funds_writes_nothing() -> None:
    creator, note = creator_with_note(money=10_000)
    audience(2)
    with pytest.raises(Conflict) as refused:
        paid_order(creator, note, budget=20_000)
    assert refused.value.code == "wallet.insufficient_funds"
    assert not selectors.orders_of(creator=creator).exists()
    assert available(creator) == 10_000


def test_a_blocked_note_is_rejected_with_a_full_refund(screening_rule) -> None:
    creator, note = creator_with_note(money=FUNDS)
    audience(2)
    screening_rule(note.body[:4], "block")
    order = paid_order(creator, note)
    assert order.status == OrderStatus.REJECTED
    assert order.refunded == order.budget and order.spent == 0
    assert_settled(order, creator=creator, funded=FUNDS)


def test_a_held_note_waits_for_an_operator(screening_rule) -> None:
    creator, note = creator_with_note(money=FUNDS)
    audience(2)
    screening_rule(note.body[:4], "review")
    order = paid_order(creator, note)
    assert (order.status, order.flagged) == (OrderStatus.IN_REVIEW, True)
    operator = UserFactory(is_staff=True)
    services.promotion_order_approve(operator=operator, order_id=order.pk)
    order.refresh_from_db()
    assert (order.status, order.flagged) == (OrderStatus.ACTIVE, False)


def test_stopping_before_the_start_refunds_everything() -> None:
    creator, note = creator_with_note(money=FUNDS)
    audience(2)
    order = scheduled_order(creator, note)
    assert order.status == OrderStatus.SCHEDULED
    stopped = services.promotion_order_stop(creator=creator, order_id=order.pk)
    assert (stopped.status, stopped.refunded) == (OrderStatus.STOPPED, order.budget)
    assert_settled(order, creator=creator, funded=FUNDS)


def test_stopping_midway_charges_what_was_served_and_refunds_the_rest(settings) -> None:
    settings.PROMOTION_CPM_FEN = 3_000  # 3 fen an impression
    creator, note = creator_with_note(money=FUNDS)
    viewers = audience(7)
    order = paid_order(creator, note, budget=7_500)
    assert serve(order, viewers, at=_late(order)) == 7
    stopped = services.promotion_order_stop(creator=creator, order_id=order.pk)
    assert (stopped.impressions_billed, stopped.spent) == (7, 21)
    assert stopped.refunded == 7_500 - 21
    assert promotion_spend_total() == 21
    assert_settled(order, creator=creator, funded=FUNDS)


def test_odd_cpm_charges_round_down_and_the_fraction_is_refunded(settings) -> None:
    settings.PROMOTION_CPM_FEN = 2_999
    creator, note = creator_with_note(money=FUNDS)
    viewers = audience(7)
    order = paid_order(creator, note, budget=7_500)
    serve(order, viewers, at=_late(order))
    services.promotion_tick()  # one billing batch
    order.refresh_from_db()
    assert order.spent == 7 * 2_999 // 1000 == 20
    done = services.promotion_order_complete(order_id=order.pk)
    assert done.spent == 20 and done.refunded == 7_480
    assert_settled(order, creator=creator, funded=FUNDS)


def test_the_budget_is_spent_exactly_and_never_passed(settings) -> None:
    # cpm 1,500,000 fen: 1,500 fen an impression, ¥75 buys 5 impressions exactly.
    settings.PROMOTION_CPM_FEN = 1_500_000
    creator, note = creator_with_note(money=FUNDS)
    viewers = audience(9)
    order = paid_order(creator, note, budget=7_500)
    assert order.max_impressions == 5
    assert serve(order, viewers, at=_late(order)) == 5  # the sixth viewer gets nothing
    services.promotion_tick()
    order.refresh_from_db()
    assert order.status == OrderStatus.COMPLETED  # the budget is reached: it stops serving
    assert (order.spent, order.refunded) == (7_500, 0)
    assert_settled(order, creator=creator, funded=FUNDS)


@pytest.mark.parametrize(
    ("withdraw", "reason"),
    [
        (lambda note: note_services.note_delete(note_id=note.pk, actor=note.author), "deleted"),
        (
            lambda note: note_services.note_update(
                note_id=note.pk, actor=note.author, visibility="private"
            ),
            "private",
        ),
        (
            lambda note: note_services.note_moderation_set(note=note, visibility=Visibility.HIDDEN),
            "hidden",
        ),
    ],
)
def test_withdrawing_the_note_stops_the_order_and_refunds_the_unspent_part(
    withdraw, reason: str, settings, django_capture_on_commit_callbacks
) -> None:
    settings.PROMOTION_CPM_FEN = 3_000
    creator, note = creator_with_note(money=FUNDS)
    viewers = audience(4)
    order = paid_order(creator, note, budget=20_000)
    serve(order, viewers, at=_late(order))
    with django_capture_on_commit_callbacks(execute=True):
        withdraw(note)
    order.refresh_from_db()
    assert (order.status, order.stop_reason) == (OrderStatus.STOPPED, reason)
    assert (order.spent, order.refunded) == (12, 20_000 - 12)
    assert_settled(order, creator=creator, funded=FUNDS)
    assert selectors.spend_by_note([note.pk, note.pk + 1]) == {note.pk: 12}
    told = Notification.objects.filter(recipient=creator, kind="status_change").order_by("id")
    assert [row.payload["action"] for row in told] == ["approve", "start", "withdraw"]
    assert told.last().payload["refunded"] == 20_000 - 12


def test_the_tick_completes_an_order_at_its_end_and_refunds(settings) -> None:
    settings.PROMOTION_CPM_FEN = 3_000
    creator, note = creator_with_note(money=FUNDS)
    viewers = audience(3)
    order = paid_order(creator, note, budget=20_000, duration_hours=6)
    serve(order, viewers, at=_late(order))
    result = services.promotion_tick(now=order.ends_at + timedelta(seconds=5))
    assert result.completed == 1
    order.refresh_from_db()
    assert (order.status, order.spent) == (OrderStatus.COMPLETED, 9)
    assert_settled(order, creator=creator, funded=FUNDS)


def test_a_scheduled_order_starts_on_time() -> None:
    creator, note = creator_with_note(money=FUNDS)
    audience(2)
    order = scheduled_order(creator, note)
    assert services.promotion_tick(now=timezone.now()).started == 0
    assert services.promotion_tick(now=order.starts_at + timedelta(seconds=1)).started == 1
    order.refresh_from_db()
    assert order.status == OrderStatus.ACTIVE


def test_a_repeated_request_with_another_key_after_the_end_pays_again() -> None:
    creator, note = creator_with_note(money=FUNDS)
    audience(2)
    first = paid_order(creator, note, budget=7_500)
    services.promotion_order_stop(creator=creator, order_id=first.pk)
    second = services.promotion_order_create(creator=creator, request=request_for(note))
    assert second.pk != first.pk and second.status == OrderStatus.ACTIVE
    assert available(creator) == FUNDS - 20_000
