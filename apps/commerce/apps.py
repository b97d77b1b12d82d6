"""Stores, products, selection pool, links, orders, commissions (product layer)."""

from collections.abc import Mapping, Sequence
from typing import Any

from django.apps import AppConfig


def _note_products(notes: Sequence[Any], viewer: Any) -> Mapping[int, Any]:
    """Notes' attachment provider: the tagged products' cards for a page of notes, one query."""
    from apps.commerce.selectors import note_product_cards  # models are ready only now

    return note_product_cards([note.pk for note in notes])


class CommerceConfig(AppConfig):
    name = "apps.commerce"
    label = "commerce"
    verbose_name = "Commerce"

    def ready(self) -> None:
        from apps.commerce import console_pending
        from apps.notes import hooks

        hooks.note_attachments.register("products", _note_products)
        console_pending.register()
