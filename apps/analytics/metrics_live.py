"""A live room's figures, read from the event table: what the post-live report shows.

Live records its own events (``live_watch`` with ``properties.watch_ms``, ``live_chat``,
``live_like``, ``live_gift``) with
``source="live"`` and ``source_id=<room id>``; fans who followed from the room and product
clicks from its shelf carry the same source. One aggregate query over the room's events (the
partial index ``event_live_room_time_idx``), whatever their number.
"""

from dataclasses import dataclass
from datetime import datetime

from django.db.models import BigIntegerField, Count, Q, Sum
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import Cast, Coalesce

from apps.analytics.kinds import EventKind, EventSource
from apps.analytics.models import Event


@dataclass(frozen=True)
class RoomFigures:
    unique_viewers: int
    watch_ms: int
    chat_messages: int
    likes: int
    gifts_count: int
    gifts_income: int  # fen the host received
    new_fans: int
    product_clicks: int


def _property(name: str) -> Cast:
    return Cast(KeyTextTransform(name, "properties"), BigIntegerField())


def live_room_figures(*, room_id: int, since: datetime, until: datetime) -> RoomFigures:
    """The room's figures from its events between ``since`` and ``until`` (one query).

    Unique viewers count signed-in viewers once each and every anonymous watch session.
    """
    zero = 0
    rows = Event.objects.filter(
        source=EventSource.LIVE,
        source_id=room_id,
        occurred_at__gte=since,
        occurred_at__lte=until,
    ).aggregate(
        signed_in=Count("actor_id", distinct=True, filter=Q(kind=EventKind.LIVE_WATCH)),
        anonymous=Count("id", filter=Q(kind=EventKind.LIVE_WATCH, actor_id__isnull=True)),
        watch_ms=Coalesce(Sum(_property("watch_ms"), filter=Q(kind=EventKind.LIVE_WATCH)), zero),
        chat_messages=Count("id", filter=Q(kind=EventKind.LIVE_CHAT)),
        likes=Coalesce(Sum(_property("count"), filter=Q(kind=EventKind.LIVE_LIKE)), zero),
        gifts_count=Coalesce(Sum(_property("count"), filter=Q(kind=EventKind.LIVE_GIFT)), zero),
        gifts_income=Coalesce(Sum(_property("income"), filter=Q(kind=EventKind.LIVE_GIFT)), zero),
        new_fans=Count("id", filter=Q(kind=EventKind.FOLLOW)),
        product_clicks=Count("id", filter=Q(kind=EventKind.PRODUCT_CLICK)),
    )
    return RoomFigures(
        unique_viewers=rows["signed_in"] + rows["anonymous"],
        watch_ms=int(rows["watch_ms"]),
        chat_messages=rows["chat_messages"],
        likes=int(rows["likes"]),
        gifts_count=int(rows["gifts_count"]),
        gifts_income=int(rows["gifts_income"]),
        new_fans=rows["new_fans"],
        product_clicks=rows["product_clicks"],
    )


def average_viewers(*, watch_ms: int, duration_seconds: int) -> float:
    """Concurrent viewers on average: total watch time over the room's duration."""
    if duration_seconds <= 0:
        return 0.0
    return round(watch_ms / 1000 / duration_seconds, 2)
