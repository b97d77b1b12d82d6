"""Fries writes: quote, pay, review, start, stop, withdraw, the minute tick.

Every state change goes through ``ORDER_MACHINE`` under the order's row lock and writes a
``PromotionOrderEvent``; every fen through the ledger's named moves (``escrow_open`` at payment,
``spend`` per billing batch, ``escrow_refund`` of the unspent part). Other apps call
``promotion_orders_withdraw`` (through notes' withdrawal listeners) and read
``selectors.spend_by_note``.
"""

from __future__ import annotations

from datetime import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone

from apps.accounts.models import User
from apps.core.errors import Conflict, NotFound
from apps.ledger.services import Owner, escrow_open
from apps.moderation.screening import Action, Surface, screen_text
from apps.moderation.targets import Visibility as ModerationVisibility
from apps.notes.hooks import NoteWithdrawal
from apps.notes.models import NoteStatus, NoteVisibility
from apps.promotion import billing
from apps.promotion.billing import entry_atomic, event_write
from apps.promotion.counters import counters
from apps.promotion.models import (
    LIVE_STATUSES,
    ORDER_MACHINE,
    OrderStatus,
    PromotionOrder,
    StopReason,
)
from apps.promotion.quotes import Quote, QuoteRequest, quote_build

WITHDRAWAL_REASONS = {
    "deleted": StopReason.DELETED,
    "private": StopReason.PRIVATE,
    "hidden": StopReason.HIDDEN,
    "review": StopReason.REVIEW,
}


def promotion_quote(*, creator: User, request: QuoteRequest) -> Quote:
    """A quote (no money moves); the same checks as paying."""
    return quote_build(creator=creator, request=request)


def _publish_on_commit(order: PromotionOrder) -> None:
    # Robust: a Redis hiccup here must not fail a committed payment; the tick republishes.
    transaction.on_commit(lambda: billing.order_publish(order), robust=True)


def _start_locked(order: PromotionOrder, *, now: datetime, actor: User | None = None) -> None:
    before, _ = ORDER_MACHINE.move(order, "start")
    order.save(update_fields=["status", "updated_at"])
    event_write(order, action="start", before=before, actor=actor)
    _publish_on_commit(order)


def _approve_locked(order: PromotionOrder, *, now: datetime, actor: User | None = None) -> None:
    before, _ = ORDER_MACHINE.move(order, "approve")
    order.flagged = False
    order.save(update_fields=["status", "flagged", "updated_at"])
    event_write(order, action="approve", before=before, actor=actor)
    if order.starts_at <= now:
        _start_locked(order, now=now, actor=actor)


def _review_locked(order: PromotionOrder, *, now: datetime) -> None:
    """paid -> in_review, then the note's automatic screening decides: clean notes are approved,
    blocked ones rejected (full refund), held ones wait in the operators' queue."""
    before, _ = ORDER_MACHINE.move(order, "submit")
    order.save(update_fields=["status", "updated_at"])
    event_write(order, action="submit", before=before)
    note = order.note
    result = screen_text(surface=Surface.NOTE, text=f"{note.title}\n{note.body}")
    categories = ", ".join(sorted({hit.category for hit in result.hits}))
    if result.action == Action.BLOCK:
        order.review_reason = f"Blocked by screening: {categories}"[:200]
        order.save(update_fields=["review_reason", "updated_at"])
        billing.order_settle(order_id=order.pk, action="reject", detail=order.review_reason)
    elif result.needs_review:
        order.flagged = True
        order.review_reason = f"Held by screening: {categories}"[:200]
        order.save(update_fields=["flagged", "review_reason", "updated_at"])
    else:
        _approve_locked(order, now=now)


def promotion_order_create(
    *, creator: User, request: QuoteRequest, now: datetime | None = None
) -> PromotionOrder:
    """Pay for an order from the creator's wallet into its escrow, then review it.

    One transaction (the idempotency key's, for the API): the order row, the escrow posting
    and the review commit together, or nothing does.
    """
    return _order_create(creator=creator, request=request, now=now, review=True)


def promotion_order_pay(
    *, creator: User, request: QuoteRequest, now: datetime | None = None
) -> PromotionOrder:
    """Pay without the automatic review (the order waits in ``paid`` for a hold or review)."""
    return _order_create(creator=creator, request=request, now=now, review=False)


def _order_create(
    *, creator: User, request: QuoteRequest, now: datetime | None, review: bool
) -> PromotionOrder:
    now = now or timezone.now()
    quote = quote_build(creator=creator, request=request, now=now)
    with entry_atomic():
        try:
            with transaction.atomic():
                order = PromotionOrder.objects.create(
                    creator=creator,
                    note=quote.note,
                    objective=request.objective,
                    budget=request.budget,
                    duration_hours=request.duration_hours,
                    targeting_mode=request.targeting_mode,
                    targeting=quote.audience,
                    audience_size=quote.audience_size,
                    cpm=quote.cpm,
                    max_impressions=request.budget * 1000 // quote.cpm,
                    status=OrderStatus.PAID,
                    starts_at=quote.starts_at,
                    ends_at=quote.ends_at,
                )
        except IntegrityError:
            raise Conflict(
                "This note already has a promotion order in progress.",
                code="promotion.note_has_live_order",
            ) from None
        escrow_open(
            owner=billing.escrow_of(order),
            payer=Owner.user(creator.pk),
            amount=order.budget,
            key=f"promotion:{order.pk}",
        )
        event_write(order, action="pay", before="", actor=creator)
        if review:
            _review_locked(order, now=now)
            order.refresh_from_db()
    return order


def _locked(order_id: int) -> PromotionOrder:
    """The order's row lock (only the order's: ``of=self`` leaves the note unlocked)."""
    return (
        PromotionOrder.objects.select_for_update(of=("self",))
        .select_related("note")
        .get(pk=order_id)
    )


def order_get_for_creator(*, creator: User, order_id: int) -> PromotionOrder:
    """The creator's own order; anyone else's is a 404 like a missing id."""
    order = (
        PromotionOrder.objects.select_related("note").filter(pk=order_id, creator=creator).first()
    )
    if order is None:
        raise NotFound("Promotion order not found.", code="promotion.not_found")
    return order


def promotion_order_stop(*, creator: User, order_id: int) -> PromotionOrder:
    """The creator stops their order: serving ends, the unspent part is refunded."""
    order = order_get_for_creator(creator=creator, order_id=order_id)
    ORDER_MACHINE.next_state(order.status, "stop")  # 409 before anything is closed
    return billing.order_settle(
        order_id=order.pk, action="stop", actor=creator, stop_reason=StopReason.CREATOR
    )


def promotion_order_operator_stop(*, operator: User, order_id: int, detail: str = "") -> None:
    """An operator stops an order (admin), with the same refund."""
    billing.order_settle(
        order_id=order_id,
        action="stop",
        actor=operator,
        stop_reason=StopReason.OPERATOR,
        detail=detail,
    )


def promotion_order_approve(
    *, operator: User | None, order_id: int, now: datetime | None = None
) -> None:
    """An operator approves an order held by screening."""
    now = now or timezone.now()
    with entry_atomic():
        order = _locked(order_id)
        _approve_locked(order, now=now, actor=operator)


def promotion_order_reject(*, operator: User | None, order_id: int, detail: str = "") -> None:
    """An operator rejects an order held by screening: the whole budget is refunded."""
    billing.order_settle(order_id=order_id, action="reject", actor=operator, detail=detail)


def promotion_order_review(*, order_id: int, now: datetime | None = None) -> None:
    """Screen a paid order (paid -> in_review, then approve, hold or reject)."""
    with entry_atomic():
        _review_locked(_locked(order_id), now=now or timezone.now())


def promotion_order_start(*, order_id: int, now: datetime | None = None) -> None:
    """Start a scheduled order (the tick calls this when its start time has come)."""
    with entry_atomic():
        _start_locked(_locked(order_id), now=now or timezone.now())


def promotion_order_complete(*, order_id: int) -> PromotionOrder:
    """End an active order at its time or budget: bill the rest, refund the unspent part."""
    return billing.order_settle(order_id=order_id, action="complete")


def promotion_order_hold(*, order_id: int, reason: str) -> None:
    """Send a paid order to the operators' queue without automatic approval (a report on the
    note, a manual check): paid -> in_review, flagged."""
    with entry_atomic():
        order = _locked(order_id)
        before, _ = ORDER_MACHINE.move(order, "submit")
        order.flagged = True
        order.review_reason = reason[:200]
        order.save(update_fields=["status", "flagged", "review_reason", "updated_at"])
        event_write(order, action="submit", before=before, detail=reason)


def promotion_orders_withdraw(withdrawal: NoteWithdrawal) -> int:
    """The note stopped being public: stop its live order, refund the unspent part."""
    ids = list(
        PromotionOrder.objects.filter(
            note_id=withdrawal.note_id, status__in=LIVE_STATUSES
        ).values_list("pk", flat=True)
    )
    for order_id in ids:
        billing.order_settle(
            order_id=order_id,
            action="withdraw",
            stop_reason=WITHDRAWAL_REASONS.get(withdrawal.reason, StopReason.HIDDEN),
            detail=f"note {withdrawal.reason}",
        )
    return len(ids)


def promotion_tick(*, now: datetime | None = None) -> billing.TickResult:
    """Every minute: start due orders, bill served impressions, pace, end finished orders.

    Each order is its own transaction, so one failure delays only that order until the next
    tick (logged), and the order locks are held for one order's work at a time.
    """
    now = now or timezone.now()
    result = billing.TickResult()
    for order_id in PromotionOrder.objects.filter(
        status=OrderStatus.SCHEDULED, starts_at__lte=now
    ).values_list("pk", flat=True):
        try:
            promotion_order_start(order_id=order_id, now=now)
            result.started += 1
        except Conflict:  # stopped meanwhile
            continue
    active = list(PromotionOrder.objects.filter(status=OrderStatus.ACTIVE).order_by("pk"))
    hot = counters()
    pending = hot.pending([order.pk for order in active])
    for order in active:
        if pending[order.pk]:
            try:
                result.billed_fen += billing.order_bill(order.pk)
            except Exception as exc:  # retried by the next tick
                billing.logged("billing", order.pk, exc)
    reserved = hot.reserved([order.pk for order in active])
    gone = set(
        PromotionOrder.objects.filter(status=OrderStatus.ACTIVE)
        .exclude(
            note__status=NoteStatus.PUBLISHED,
            note__visibility=NoteVisibility.PUBLIC,
            note__moderation=ModerationVisibility.VISIBLE,
        )
        .values_list("pk", flat=True)
    )
    running = []
    for order in active:
        try:
            if order.pk in gone:
                billing.order_settle(
                    order_id=order.pk, action="withdraw", stop_reason=StopReason.HIDDEN
                )
                result.withdrawn += 1
            elif order.ends_at <= now or reserved[order.pk] >= order.max_impressions:
                promotion_order_complete(order_id=order.pk)
                result.completed += 1
            else:
                running.append(order)
        except Conflict:  # settled meanwhile (stopped by its creator, withdrawn)
            continue
    billing.orders_pace(running, now=now)
    for order in running:  # a restarted Redis gets every window back within a minute
        billing.order_republish(order)
    # Read again: an order activated by a payment during this tick must not be left out.
    fresh = PromotionOrder.objects.filter(status=OrderStatus.ACTIVE, ends_at__gt=now)
    hot.specs_replace({order.pk: billing.spec_of(order) for order in fresh})
    return result
