"""What other apps may ask commerce: product cards for a live shelf, sales by note or room.

Live's shelf calls these; each reads commerce's tables in one query whatever the count.
"""

from collections.abc import Iterable


def shelf_cards(host_id: int, product_ids: Iterable[int]) -> dict[int, dict]:
    """Cards (id, title, price, cover, store, link code...) of the ids in the host's showcase.

    Ids that are not in the host's showcase, or not on sale, are absent from the answer.
    """
    return {}


def room_sales(room_id: int) -> dict[str, int]:
    """A live room's commerce figures: ``product_clicks``, ``orders`` and ``gmv`` (fen)."""
    return {"product_clicks": 0, "orders": 0, "gmv": 0}
