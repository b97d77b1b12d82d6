"""The room's product shelf: the host adds products from their showcase, reorders, pins one.

Products belong to commerce; live keeps their ids and asks commerce for cards
(``commerce.selectors.shelf_cards``: the ids in the host's showcase, on sale). An id commerce
does not answer for is refused with 400 ``shelf.product_unknown`` and nothing is added.
"""

from typing import Any

from django.db import transaction
from django.db.models import F, Max

from apps.commerce import selectors as commerce
from apps.commerce import services as commerce_services
from apps.core.errors import InvalidInput, NotFound
from apps.live import broadcast
from apps.live.models import Room, ShelfItem

MAX_ITEMS = 100


def shelf_cards(*, room: Room, items: list[ShelfItem]) -> list[dict[str, Any]]:
    """Shelf items with commerce's cards (one commerce query); items no longer sold drop out."""
    cards = commerce.shelf_cards(room.host_id, [item.product_id for item in items], room.pk)
    return [
        {
            "product_id": i.product_id,
            "position": i.position,
            "pinned": i.pinned,
            "card": cards[i.product_id],
        }
        for i in items
        if i.product_id in cards
    ]


@transaction.atomic
def shelf_add(*, room: Room, product_ids: list[int]) -> list[ShelfItem]:
    """Add products (in the order given) after the shelf's last item; repeats are ignored."""
    locked = Room.objects.select_for_update().get(pk=room.pk)
    cards = commerce.shelf_cards(locked.host_id, product_ids)
    unknown = [pid for pid in product_ids if pid not in cards]
    if unknown:
        raise InvalidInput(
            "These products are not in your showcase or not on sale.",
            code="shelf.product_unknown",
            fields={"product_ids": [str(pid) for pid in unknown]},
        )
    existing = set(ShelfItem.objects.filter(room=locked).values_list("product_id", flat=True))
    new = [pid for pid in dict.fromkeys(product_ids) if pid not in existing]
    if len(existing) + len(new) > MAX_ITEMS:
        raise InvalidInput(f"At most {MAX_ITEMS} products.", code="shelf.full")
    for product_id in new:  # the room's own links: orders through the shelf carry the room
        commerce_services.tracked_link(
            creator_id=locked.host_id, product_id=product_id, room_id=locked.pk
        )
    last = ShelfItem.objects.filter(room=locked).aggregate(m=Max("position"))["m"] or 0
    ShelfItem.objects.bulk_create(
        [
            ShelfItem(room=locked, product_id=pid, position=last + n)
            for n, pid in enumerate(new, start=1)
        ]
    )
    broadcast.room_send_on_commit(locked.pk, {"type": "system", "event": "shelf_changed"})
    return list(ShelfItem.objects.filter(room=locked).order_by("position", "id"))


@transaction.atomic
def shelf_reorder(*, room: Room, product_ids: list[int]) -> list[ShelfItem]:
    """Put the shelf in the given order: exactly the products on it, each once."""
    Room.objects.select_for_update().get(pk=room.pk)
    items = {item.product_id: item for item in ShelfItem.objects.filter(room=room)}
    if sorted(product_ids) != sorted(items) or len(set(product_ids)) != len(product_ids):
        raise InvalidInput(
            "Give every product on the shelf exactly once.",
            code="shelf.order_mismatch",
            fields={"product_ids": ["Must list the shelf's products exactly once."]},
        )
    ShelfItem.objects.filter(room=room).update(position=F("position") + MAX_ITEMS * 10)
    for position, pid in enumerate(product_ids, start=1):
        items[pid].position = position
    ShelfItem.objects.bulk_update(items.values(), ["position"])
    broadcast.room_send_on_commit(room.pk, {"type": "system", "event": "shelf_changed"})
    return sorted(items.values(), key=lambda item: item.position)


@transaction.atomic
def shelf_pin(*, room: Room, product_id: int | None) -> ShelfItem | None:
    """Pin a shelf product as "explaining now" (None unpins); every socket hears it."""
    Room.objects.select_for_update().get(pk=room.pk)
    ShelfItem.objects.filter(room=room, pinned=True).update(pinned=False)
    item = None
    if product_id is not None:
        item = ShelfItem.objects.filter(room=room, product_id=product_id).first()
        if item is None:
            raise NotFound("This product is not on the shelf.", code="shelf.not_on_shelf")
        item.pinned = True
        item.save(update_fields=["pinned"])
    broadcast.room_send_on_commit(
        room.pk, {"type": "system", "event": "explaining_now", "product_id": product_id}
    )
    return item


@transaction.atomic
def shelf_remove(*, room: Room, product_id: int) -> None:
    deleted, _ = ShelfItem.objects.filter(room=room, product_id=product_id).delete()
    if not deleted:
        raise NotFound("This product is not on the shelf.", code="shelf.not_on_shelf")
    broadcast.room_send_on_commit(room.pk, {"type": "system", "event": "shelf_changed"})
