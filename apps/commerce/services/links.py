"""Tracked links: one short code per (creator, product, note or room), and counted clicks."""

import re
import secrets
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.utils import timezone

from apps.accounts.models import User
from apps.analytics.services import server_event_enqueue
from apps.commerce.models import Click, ShowcaseItem, TrackedLink
from apps.core.errors import NotFound
from apps.notes import selectors as note_selectors

ALPHABET = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 8
# Crawlers, link previews and scripts: redirected, never counted.
BOT_AGENTS = re.compile(
    r"bot|crawl|spider|slurp|preview|curl|wget|python-|httpclient|headless|scrapy|facebookexternal",
    re.IGNORECASE,
)


def _new_code() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))


def _scope(note_id: int | None, room_id: int | None) -> str:
    if note_id is not None and room_id is not None:
        raise ValueError("a link belongs to a note or a room, not both")
    if note_id is not None:
        return f"n{note_id}"
    return f"r{room_id}" if room_id is not None else "-"


def tracked_link(
    *, creator_id: int, product_id: int, note_id: int | None = None, room_id: int | None = None
) -> str:
    """The short code of (creator, product, note or room), created on first use.

    The product must be in the creator's showcase and the note the creator's own (404 else).
    Live calls this for its shelf with ``room_id``.
    """
    scope = _scope(note_id, room_id)
    existing = (
        TrackedLink.objects.filter(creator_id=creator_id, product_id=product_id, scope=scope)
        .values_list("code", flat=True)
        .first()
    )
    if existing:
        return existing
    if not ShowcaseItem.objects.filter(creator_id=creator_id, product_id=product_id).exists():
        raise NotFound("The product is not in the creator's showcase.", code="product.not_found")
    creator = User.objects.filter(pk=creator_id).first()
    if note_id is not None and (
        creator is None or not note_selectors.my_notes(viewer=creator).filter(pk=note_id).exists()
    ):
        raise NotFound("Note not found.", code="note.not_found")
    for _attempt in range(5):
        try:
            with transaction.atomic():
                link = TrackedLink.objects.create(
                    code=_new_code(),
                    creator_id=creator_id,
                    product_id=product_id,
                    note_id=note_id,
                    room_id=room_id,
                    scope=scope,
                )
            return link.code
        except IntegrityError:
            # The same scope created concurrently (return it), or a code collision (retry).
            found = (
                TrackedLink.objects.filter(
                    creator_id=creator_id, product_id=product_id, scope=scope
                )
                .values_list("code", flat=True)
                .first()
            )
            if found:
                return found
    raise RuntimeError("could not allocate a link code")


@dataclass(frozen=True)
class ClickOutcome:
    product_id: int
    counted: bool


def link_click(
    *,
    code: str,
    buyer_id: int | None,
    visitor: str,
    user_agent: str,
    now: datetime | None = None,
) -> ClickOutcome:
    """Record a click on a link: once per visitor and link per 30 minutes, never for bots.

    ``visitor`` identifies the browser (the signed-in user, else a hash of address and agent).
    The deduplication window is a cache key added atomically (Redis ``SET NX EX``).
    """
    link = (
        TrackedLink.objects.filter(code=code)
        .values("pk", "product_id", "creator_id", "note_id", "room_id")
        .first()
    )
    if link is None:
        raise NotFound("Unknown link.", code="link.not_found")
    if not user_agent or BOT_AGENTS.search(user_agent):
        return ClickOutcome(link["product_id"], False)
    window = settings.COMMERCE_CLICK_DEDUP_SECONDS
    if not cache.add(f"commerce:click:{link['pk']}:{visitor}", 1, timeout=window):
        return ClickOutcome(link["product_id"], False)
    Click.objects.create(
        link_id=link["pk"],
        product_id=link["product_id"],
        creator_id=link["creator_id"],
        note_id=link["note_id"],
        room_id=link["room_id"],
        buyer_id=buyer_id,
        created_at=now or timezone.now(),
    )
    server_event_enqueue(
        kind="link_click",
        actor_id=buyer_id,
        note_id=link["note_id"],
        target_user_id=link["creator_id"],
        source="live" if link["room_id"] else ("note" if link["note_id"] else "other"),
        source_id=link["room_id"],
        properties={"product_id": link["product_id"]},
    )
    return ClickOutcome(link["product_id"], True)
