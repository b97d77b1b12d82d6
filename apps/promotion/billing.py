"""Money of an order: billing reserved impressions, pacing, and the final settlement.

Lock order (docs/architecture.md): the order row (``select_for_update``), then the order's
reservation log in Redis (drained under the row lock, so two billers never split one order's
log), then ledger accounts inside the named moves. Charges are cumulative:

    charged = min(budget, floor(impressions_billed × cpm / 1000))

and each ``spend`` posting moves ``charged - spent`` with the key ``promotion:<id>:to:<charged>``
(a retried batch posts nothing twice). The serving counters never reserve more than
``max_impressions = floor(budget × 1000 / cpm)``, so ``charged <= budget`` holds without the
``min``; the ``min``, the escrow's CHECK (never below zero) and the order's CHECK
(``spent <= budget``) are the belts behind those braces.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from django.db import connection, transaction
from django.utils import timezone

from apps.accounts.models import User
from apps.analytics.promotion_recording import DeliveredImpression, promotion_impressions_record
from apps.ledger.services import Owner, escrow_refund, spend
from apps.notifications.models import NotificationKind
from apps.notifications.services import notification_send
from apps.promotion.counters import OrderWindow, Served, counters
from apps.promotion.models import (
    ORDER_MACHINE,
    OrderStatus,
    PromotionOrder,
    PromotionOrderEvent,
)

logger = logging.getLogger(__name__)
# What the creator hears about (not what they did themselves): approval after a hold, start,
# rejection, the end, a stop by an operator or because the note was withdrawn.
NOTIFIED_ACTIONS = frozenset({"approve", "start", "reject", "complete", "stop", "withdraw"})
DRAIN_LIMIT = 100_000
# Pacing: the factor is the probability that a matching page serves the order; it follows
# actual against target spend every minute, within these bounds.
PACING_MIN, PACING_MAX = 0.02, 1.0
PACING_SLOW, PACING_FAST = 0.7, 1.4


def entry_atomic() -> transaction.Atomic:
    """Durable when this is the outermost transaction (a task, the admin), nested otherwise
    (inside the idempotency key's durable transaction of an API call)."""
    return transaction.atomic(durable=not connection.in_atomic_block)


def escrow_of(order: PromotionOrder) -> Owner:
    return Owner.contract(order.escrow_reference)


def _ms(moment: datetime) -> int:
    return int(moment.timestamp() * 1000)


def window_of(order: PromotionOrder) -> OrderWindow:
    return OrderWindow(
        order_id=order.pk,
        max_impressions=order.max_impressions,
        start_ms=_ms(order.starts_at),
        end_ms=_ms(order.ends_at),
        billed=order.impressions_billed,
        pacing=order.pacing_factor,
    )


def spec_of(order: PromotionOrder) -> dict:
    """What the feed needs to choose an order without a query."""
    return {
        "note_id": order.note_id,
        "author_id": order.creator_id,
        "audience": order.targeting,
        "start_ms": _ms(order.starts_at),
        "end_ms": _ms(order.ends_at),
    }


def order_publish(order: PromotionOrder) -> None:
    """Let the feed serve an active order (after the commit that activated it)."""
    ttl = max(3600, int((order.ends_at - timezone.now()).total_seconds()) + 2 * 86400)
    hot = counters()
    hot.publish(window_of(order), ttl_seconds=ttl)
    hot.spec_set(order.pk, spec_of(order))


def order_republish(order: PromotionOrder) -> None:
    """Refresh the order's serving window (never lowers what was already reserved)."""
    ttl = max(3600, int((order.ends_at - timezone.now()).total_seconds()) + 2 * 86400)
    counters().publish(window_of(order), ttl_seconds=ttl)


def orders_republish_active() -> int:
    """Publish every active order to the counters (a process whose counters are its own
    memory, the embedded mode, starts empty). One query."""
    active = list(PromotionOrder.objects.filter(status=OrderStatus.ACTIVE))
    for order in active:
        order_republish(order)
    counters().specs_replace({order.pk: spec_of(order) for order in active})
    return len(active)


def event_write(
    order: PromotionOrder, *, action: str, before: str, actor: User | None = None, detail: str = ""
) -> None:
    PromotionOrderEvent.objects.create(
        order=order,
        action=action,
        from_status=before,
        to_status=order.status,
        actor=actor,
        detail=detail[:200],
        spent=order.spent,
        refunded=order.refunded,
    )
    if action in NOTIFIED_ACTIONS and (actor is None or actor.pk != order.creator_id):
        notification_send(  # written on commit, so a rolled-back move tells nobody
            recipient_id=order.creator_id,
            kind=NotificationKind.STATUS_CHANGE,
            payload={
                "object": "promotion_order",
                "id": order.pk,
                "note_id": order.note_id,
                "action": action,
                "status": order.status,
                "spent": order.spent,
                "refunded": order.refunded,
            },
        )


def bill_locked(order: PromotionOrder, served: Sequence[Served]) -> int:
    """Record ``served`` as delivered impressions and post the spend they add; returns fen
    posted. The caller holds the order's row lock and saves the order."""
    if not served:
        return 0
    promotion_impressions_record(
        impressions=[
            DeliveredImpression(
                occurred_at=datetime.fromtimestamp(item.at_ms / 1000, UTC),
                viewer_id=item.viewer_id,
                note_id=order.note_id,
                author_id=order.creator_id,
                order_id=order.pk,
            )
            for item in served
        ]
    )
    order.impressions_billed += len(served)
    charged = min(order.budget, order.impressions_billed * order.cpm // 1000)
    delta = charged - order.spent
    if delta > 0:
        spend(escrow=escrow_of(order), amount=delta, key=f"promotion:{order.pk}:to:{charged}")
        order.spent = charged
    return max(delta, 0)


def _drain_locked(order: PromotionOrder) -> list[Served]:
    return counters().drain(order.pk, DRAIN_LIMIT)


def order_bill(order_id: int) -> int:
    """Bill one order's reserved impressions (its own transaction); returns fen posted.

    Impressions drained for an order no longer active (a race with its settlement) are
    dropped, neither recorded nor charged: such a race can only favour the creator."""
    drained: list[Served] = []
    try:
        with entry_atomic():
            order = PromotionOrder.objects.select_for_update().get(pk=order_id)
            drained = _drain_locked(order)
            if order.status != OrderStatus.ACTIVE:
                posted = 0
            else:
                posted = bill_locked(order, drained)
                order.save(update_fields=["impressions_billed", "spent", "updated_at"])
        return posted
    except Exception:
        if drained:
            counters().push_back(order_id, drained)  # billed by the next tick instead
        raise


def order_settle(
    *,
    order_id: int,
    action: str,
    actor: User | None = None,
    stop_reason: str = "",
    detail: str = "",
) -> PromotionOrder:
    """End an order: no more serving, bill what was served, refund the rest.

    ``action`` is ``complete``, ``stop``, ``withdraw`` or ``reject``. Afterwards
    ``spent + refunded == budget``.
    """
    current = PromotionOrder.objects.filter(pk=order_id).values_list("status", flat=True).first()
    if current is None:
        raise PromotionOrder.DoesNotExist(order_id)
    # Refused before closing: a closed order is never reopened (publishing keeps the flag), so
    # only an order about to end may be closed. Checked again under the lock below.
    ORDER_MACHINE.next_state(current, action)
    hot = counters()
    hot.close(order_id)  # the feed stops reserving before the last drain
    drained: list[Served] = []
    try:
        with entry_atomic():
            order = PromotionOrder.objects.select_for_update().get(pk=order_id)
            before, _after = ORDER_MACHINE.move(order, action)
            drained = _drain_locked(order)
            if before == OrderStatus.ACTIVE:
                bill_locked(order, drained)
            refund = order.budget - order.spent - order.refunded
            if refund > 0:
                escrow_refund(escrow=escrow_of(order), amount=refund, key=f"promotion:{order.pk}")
                order.refunded += refund
            order.stop_reason = stop_reason
            order.flagged = False
            order.ended_at = timezone.now()
            order.save()
            event_write(order, action=action, before=before, actor=actor, detail=detail)
    except Exception:
        if drained:
            hot.push_back(order_id, drained)
        raise
    transaction.on_commit(lambda: hot.spec_set(order_id, None), robust=True)
    return order


def pacing_factor(*, current: float, reserved: int, order: PromotionOrder, now_ms: int) -> float:
    """The next factor from actual against target impressions (an even curve over the run):
    ahead of the curve slows down, behind it speeds up, within [PACING_MIN, PACING_MAX]."""
    start, end = _ms(order.starts_at), _ms(order.ends_at)
    elapsed = min(1.0, max(0.0, (now_ms - start) / (end - start)))
    target = order.max_impressions * elapsed
    factor = current * (PACING_SLOW if reserved > target else PACING_FAST)
    return min(PACING_MAX, max(PACING_MIN, factor))


@dataclass
class TickResult:
    started: int = 0
    billed_fen: int = 0
    completed: int = 0
    withdrawn: int = 0


def orders_pace(orders: Sequence[PromotionOrder], *, now: datetime) -> None:
    """Adjust every active order's pacing factor (one round trip to read, one per change)."""
    hot = counters()
    reserved = hot.reserved([order.pk for order in orders])
    now_ms = _ms(now)
    for order in orders:
        factor = pacing_factor(
            current=order.pacing_factor, reserved=reserved[order.pk], order=order, now_ms=now_ms
        )
        if factor != order.pacing_factor:
            hot.set_pacing(order.pk, factor)
            PromotionOrder.objects.filter(pk=order.pk).update(pacing_factor=factor)
            order.pacing_factor = factor


def logged(action: str, order_id: int, exc: Exception) -> None:
    logger.warning("promotion %s of order %s failed: %s", action, order_id, exc)
