"""Gifts: a viewer pays a catalogue gift from their wallet to the host, through the ledger.

One ``gift`` move per request (sender wallet -amount, host wallet +(amount - fee), platform
revenue +fee, ``fee = floor(amount * LIVE_GIFT_PLATFORM_SHARE)``), keyed by the request's
idempotency key: a repeat returns the first gift. The room row is read, not locked: concurrent
gifts queue only on the sender's wallet, and the host's (hot) wallet takes credits on shards.
"""

from typing import Any

from django.conf import settings
from django.db import transaction

from apps.analytics.kinds import EventKind, EventSource
from apps.analytics.services import server_event_enqueue
from apps.core.errors import Conflict, Forbidden, InvalidInput, NotFound
from apps.ledger.services import Owner, gift, gift_fee
from apps.live import broadcast, selectors
from apps.live.models import ChatMessage, GiftKind, MessageKind, RoomGift, RoomStatus

MAX_COUNT = 99


def gift_send(*, room_id: int, sender: Any, gift_id: int, count: int, key: str) -> RoomGift:
    """Send ``count`` of a gift to the room's host; ``key`` makes it idempotent."""
    if not 1 <= count <= MAX_COUNT:
        raise InvalidInput(f"1 to {MAX_COUNT} at a time.", fields={"count": ["1 to 99."]})
    room = selectors.room_get(room_id=room_id)
    if room.status != RoomStatus.LIVE:
        raise Conflict("The room is not live.", code="room.not_live")
    if selectors.is_banned(room_id=room.pk, user_id=sender.pk):
        raise Forbidden("You are banned from this room.", code="chat.banned")
    kind = GiftKind.objects.filter(pk=gift_id, active=True).first()
    if kind is None:
        raise NotFound("Gift not found.", code="gift.not_found")
    amount = kind.price * count
    share = settings.LIVE_GIFT_PLATFORM_SHARE
    with transaction.atomic():
        posted = gift(
            sender=Owner.user(sender.pk),
            recipient=Owner.user(room.host_id),
            amount=amount,
            fee_rate=share,
            key=f"live:{sender.pk}:{key}",
        )
        existing = RoomGift.objects.filter(transaction_id=posted.pk).first()
        if existing is not None:
            return existing
        room_gift = RoomGift.objects.create(
            room=room,
            sender=sender,
            gift=kind,
            count=count,
            amount=amount,
            income=amount - gift_fee(amount, share),
            transaction_id=posted.pk,
        )
        text = f"sent {kind.name} x{count}"
        message = ChatMessage.objects.create(
            room=room, author=sender, kind=MessageKind.GIFT, text=text
        )
        server_event_enqueue(
            kind=EventKind.LIVE_GIFT,
            actor_id=sender.pk,
            target_user_id=room.host_id,
            source=EventSource.LIVE,
            source_id=room.pk,
            properties={
                "count": count,
                "amount": amount,
                "income": room_gift.income,
                "gift_id": kind.pk,
            },
        )
        broadcast.room_send_on_commit(
            room.pk,
            {
                "type": "gift",
                "id": message.pk,
                "gift": {"id": kind.pk, "name": kind.name, "icon": kind.icon},
                "count": count,
                "user": {"id": sender.pk, "username": sender.username},
                "text": text,
            },
        )
    return room_gift
