"""The order machine after payment: ship, deliver, complete, refund.

Each step locks the order row (``select_for_update``), moves it through ``ORDER_MACHINE``
(illegal: 409 ``order.illegal_transition``, nothing written), posts its money with keys of its
own (a retry or a concurrent run posts nothing twice) and writes an ``OrderEvent``, in one
durable transaction. Product stock is given back last, after the ledger accounts, the lock order
the checkout uses.

Money per step: completion releases the escrow to the store's organisation wallet (a hot,
sharded account) minus the platform's fee and settles each commission; a refund returns the
escrow to the buyer and reverses each commission to where it came from (the buyer's wallet).
"""

from collections.abc import Collection
from datetime import datetime, timedelta

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from apps.accounts.models import User
from apps.analytics.services import server_event_enqueue
from apps.commerce.models import Commission, CommissionStatus, Order, OrderEvent, OrderStatus
from apps.commerce.services.access import EDIT_ROLES, get_store_for_member
from apps.commerce.services.money import order_escrow, order_key, order_reference
from apps.commerce.states import ORDER_MACHINE
from apps.core.errors import Conflict, NotFound
from apps.ledger.services import (
    Owner,
    commission_reverse,
    commission_settle,
    escrow_refund,
    escrow_release,
    gift_fee,
)


def _atomic() -> transaction.Atomic:
    return transaction.atomic(durable=not connection.in_atomic_block)


def _locked(order_id: int, *, store_id: int | None = None, buyer_id: int | None = None) -> Order:
    queryset = Order.objects.select_for_update(of=("self",)).select_related("store")
    if store_id is not None:
        queryset = queryset.filter(store_id=store_id)
    if buyer_id is not None:
        queryset = queryset.filter(buyer_id=buyer_id)
    order = queryset.filter(pk=order_id).first()
    if order is None:
        raise NotFound("Order not found.", code="order.not_found")
    return order


def _move(order: Order, action: str, actor: User | None, now: datetime) -> None:
    before, after = ORDER_MACHINE.move(order, action)
    OrderEvent.objects.create(
        order=order, action=action, from_status=before, to_status=after, actor=actor, created_at=now
    )


def order_ship(*, user: User, store_id: int, order_id: int) -> Order:
    """The store ships a paid order (owners and managers)."""
    store = get_store_for_member(user=user, store_id=store_id, roles=EDIT_ROLES)
    now = timezone.now()
    with _atomic():
        order = _locked(order_id, store_id=store.pk)
        _move(order, "ship", user, now)
        order.save(update_fields=["status"])
    return order


def _deliver(order: Order, actor: User, now: datetime) -> Order:
    _move(order, "deliver", actor, now)
    order.delivered_at = now
    order.return_deadline = now + timedelta(days=settings.COMMERCE_RETURN_WINDOW_DAYS)
    order.save(update_fields=["status", "delivered_at", "return_deadline"])
    return order


def order_deliver(
    *, user: User, order_id: int, store_id: int | None = None, now: datetime | None = None
) -> Order:
    """Delivered: the store confirms it, or the buyer confirms receipt; the window opens."""
    now = now or timezone.now()
    if store_id is not None:
        get_store_for_member(user=user, store_id=store_id, roles=EDIT_ROLES)
    with _atomic():
        order = _locked(order_id, store_id=store_id, buyer_id=None if store_id else user.pk)
        return _deliver(order, user, now)


def order_refund_request(*, buyer: User, order_id: int, now: datetime | None = None) -> Order:
    """The buyer asks for a refund: before delivery, or within the return window."""
    now = now or timezone.now()
    with _atomic():
        order = _locked(order_id, buyer_id=buyer.pk)
        if order.status == OrderStatus.DELIVERED and order.return_deadline <= now:
            raise Conflict("The return window has closed.", code="order.return_window_closed")
        _move(order, "request_refund", buyer, now)
        order.save(update_fields=["status"])
    return order


def _restock(order: Order) -> None:
    with connection.cursor() as cursor:
        for product_id, quantity in sorted(order.lines.values_list("product_id", "quantity")):
            cursor.execute(
                "UPDATE commerce_product SET stock = stock + %s, sales = sales - %s WHERE id = %s",
                [quantity, quantity, product_id],
            )


def _commissions(order: Order) -> list[Commission]:
    return list(order.commissions.order_by("creator_id"))


def order_refund_locked(*, order: Order, actor: User | None, now: datetime) -> Order:
    """Refund an order whose row lock the caller holds: escrow back, commissions reversed."""
    _move(order, "refund", actor, now)
    escrow_refund(
        escrow=order_escrow(order.pk),
        amount=order.total - order.commission_total,
        key=order_key(order.pk),
    )
    for commission in _commissions(order):
        commission_reverse(order=order_reference(order.pk), payee=Owner.user(commission.creator_id))
    Commission.objects.filter(order=order).update(status=CommissionStatus.REVERSED, closed_at=now)
    _restock(order)
    order.closed_at = now
    order.save(update_fields=["status", "closed_at"])
    for line in order.lines.all():  # under the refunded line's attribution, so nets add up
        server_event_enqueue(
            kind="refund",
            actor_id=order.buyer_id,
            note_id=line.note_id,
            target_user_id=line.creator_id,
            source="live" if line.room_id else ("note" if line.note_id else "other"),
            source_id=line.room_id,
            properties={
                "product_id": line.product_id,
                "order_id": order.pk,
                "quantity": line.quantity,
                "amount": line.amount,
                "commission": line.commission,
            },
        )
    return order


def order_refund(
    *,
    user: User,
    order_id: int,
    store_id: int | None = None,
    roles: Collection[str] = EDIT_ROLES,
    now: datetime | None = None,
) -> Order:
    """The store (owners, managers) accepts a refund request; operators call it from the admin
    with ``store_id=None`` after the admin's own permission check."""
    now = now or timezone.now()
    if store_id is not None:
        get_store_for_member(user=user, store_id=store_id, roles=roles)
    with _atomic():
        order = _locked(order_id, store_id=store_id)
        return order_refund_locked(order=order, actor=user, now=now)


def order_complete(*, order_id: int, now: datetime | None = None) -> bool:
    """Close a delivered order whose return window has ended; False when there is nothing to do.

    Safe to run twice or concurrently: the row lock and the state decide, and the ledger keys
    would refuse a second posting anyway.
    """
    now = now or timezone.now()
    with _atomic():
        order = Order.objects.select_for_update().filter(pk=order_id).first()
        if order is None or not ORDER_MACHINE.allows(order.status, "complete"):
            return False
        if order.return_deadline is None or order.return_deadline > now:
            return False
        _move(order, "complete", None, now)
        proceeds = order.total - order.commission_total
        escrow_release(
            escrow=order_escrow(order.pk),
            payee=Owner.organisation(order.store.organisation_id),
            amount=proceeds,
            fee=gift_fee(proceeds, settings.COMMERCE_PLATFORM_FEE_RATE),
            key=order_key(order.pk),
        )
        for commission in _commissions(order):
            commission_settle(
                order=order_reference(order.pk), payee=Owner.user(commission.creator_id)
            )
        Commission.objects.filter(order=order).update(
            status=CommissionStatus.SETTLED, closed_at=now
        )
        order.closed_at = now
        order.save(update_fields=["status", "closed_at"])
    return True


def orders_complete_due(*, now: datetime | None = None, limit: int = 1000) -> int:
    """Complete every delivered order past its return window (the beat task); each is its own
    transaction, so one failure does not hold back the others."""
    now = now or timezone.now()
    due = list(
        Order.objects.filter(status=OrderStatus.DELIVERED, return_deadline__lte=now)
        .order_by("return_deadline")
        .values_list("pk", flat=True)[:limit]
    )
    return sum(1 for order_id in due if order_complete(order_id=order_id, now=now))
