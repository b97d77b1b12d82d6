"""What other apps may ask promotion, and promotion's own reads (lists, reports).

``spend_by_note`` is commerce's per-note return; the rest serve promotion's API and admin.
"""

from collections.abc import Iterable
from typing import Any

from django.db.models import QuerySet, Sum

from apps.accounts.models import User
from apps.promotion.models import PromotionOrder, PromotionOrderEvent


def spend_by_note(note_ids: Iterable[int]) -> dict[int, int]:
    """``note_id -> fen`` charged for promoting the note (all orders, charged spend only).

    One query; notes never promoted, or promoted without any charge yet, are absent."""
    ids = list(note_ids)
    if not ids:
        return {}
    rows = (
        PromotionOrder.objects.filter(note_id__in=ids, spent__gt=0)
        .values("note_id")
        .annotate(total=Sum("spent"))
        .order_by()
    )
    return {row["note_id"]: row["total"] for row in rows}


def orders_of(*, creator: User, status: str | None = None) -> QuerySet[PromotionOrder]:
    """The creator's orders, newest first (cursor-paginated by the API)."""
    orders = PromotionOrder.objects.filter(creator=creator)
    if status:
        orders = orders.filter(status=status)
    return orders


def order_events(*, order: PromotionOrder) -> list[dict[str, Any]]:
    """The order's audit trail, oldest first. One query."""
    return list(
        PromotionOrderEvent.objects.filter(order=order)
        .order_by("id")
        .values("action", "from_status", "to_status", "spent", "refunded", "created_at")
    )
