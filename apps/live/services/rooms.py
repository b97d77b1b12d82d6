"""Room lifecycle: schedule, edit, cancel, start (a good publish), end; reminders; stream keys.

Lock order: the room row (``select_for_update``), then ledger accounts (making the host's
wallet hot happens after the room's transaction commits). Every state change goes through
``ROOM_MACHINE`` (409 ``room.illegal_transition``).
"""

import hashlib
import logging
import secrets
import urllib.parse
import urllib.request
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from apps.core.errors import Conflict, InvalidInput
from apps.ledger.services import Owner, account_make_hot, owner_wallet
from apps.live import broadcast, tasks
from apps.live.models import ROOM_MACHINE, Publish, Reminder, Room, RoomStatus, StreamKey
from apps.live.state import live_state
from apps.moderation.screening import Surface, ensure_can_post, screen_text
from apps.notifications.services import notification_send

logger = logging.getLogger(__name__)
ROOM_STARTED_NOTIFICATION = "live.room_started"
KEY_PREFIX = "lk_"


def screened_title(title: str) -> str:
    """A room title as it may be stored: blocked -> 400; held for review -> 400 too (a live
    room cannot wait for an operator); masked words stay masked."""
    result = screen_text(surface=Surface.LIVE_CHAT, text=title)
    result.raise_if_blocked()
    if result.needs_review:
        raise InvalidInput(
            "This title needs a review; choose another one.",
            code="room.title_held",
            fields={"title": ["This title needs a review."]},
        )
    return result.text


def _lock(room_id: int) -> Room:
    return Room.objects.select_for_update().get(pk=room_id)


def room_create(
    *, host: Any, title: str, category: str, cover: str = "", scheduled_at: datetime | None
) -> Room:
    """Schedule a room, or (no time given) open one for now: the next publish starts it."""
    ensure_can_post(host)
    now = timezone.now()
    if scheduled_at is not None and scheduled_at < now - timedelta(minutes=5):
        raise InvalidInput(
            "A room cannot be scheduled in the past.",
            fields={"scheduled_at": ["Must not be in the past."]},
        )
    return Room.objects.create(
        host=host,
        title=screened_title(title),
        category=category,
        cover=cover,
        scheduled_at=scheduled_at or now,
    )


@transaction.atomic
def room_update(*, room: Room, **changes: Any) -> Room:
    """Edit a scheduled room's title, cover, category or time (409 once it started)."""
    locked = _lock(room.pk)
    if locked.status != RoomStatus.SCHEDULED:
        raise Conflict("Only a scheduled room can be edited.", code="room.not_scheduled")
    if "title" in changes:
        changes["title"] = screened_title(changes["title"])
    for name, value in changes.items():
        setattr(locked, name, value)
    locked.save()
    return locked


@transaction.atomic
def room_cancel(*, room: Room) -> Room:
    locked = _lock(room.pk)
    ROOM_MACHINE.move(locked, "cancel")
    locked.save(update_fields=["status", "updated_at"])
    broadcast.room_send_on_commit(locked.pk, {"type": "system", "event": "room_cancelled"})
    return locked


def room_start(*, room_id: int, stream_name: str = "") -> Room:
    """A good publish: the room goes live under the host's stream id (a repeat while live
    changes nothing)."""
    with transaction.atomic():
        room = _lock(room_id)
        before, _ = ROOM_MACHINE.move(room, "start")
        if before == RoomStatus.LIVE:
            return room
        room.started_at = timezone.now()
        room.stream_name = stream_name or f"h{room.host_id}"
        try:
            with transaction.atomic():
                room.save(update_fields=["status", "started_at", "stream_name", "updated_at"])
        except IntegrityError as exc:  # another of the host's rooms went live meanwhile
            raise Conflict("The host already has a live room.", code="room.host_live") from exc
        for user_id in Reminder.objects.filter(room=room).values_list("user_id", flat=True):
            notification_send(
                recipient_id=user_id,
                kind=ROOM_STARTED_NOTIFICATION,
                payload={"room_id": room.pk, "title": room.title, "host_id": room.host_id},
            )
        broadcast.room_send_on_commit(room.pk, {"type": "system", "event": "room_live"})
    # Gifts credit the host's wallet from many viewers at once: shards, not one row.
    account_make_hot(
        account=owner_wallet(owner_type=Owner.user(room.host_id).type, owner_id=room.host_id)
    )
    return room


def room_end(*, room_id: int, by: str) -> Room:
    """End a live room (the stream stopped, the host or an operator): duration, figures, report."""
    state = live_state()
    with transaction.atomic():
        room = _lock(room_id)
        ROOM_MACHINE.move(room, "end")
        room.ended_at = timezone.now()
        room.ended_by = by
        room.likes = state.likes(room.pk)
        room.peak_viewers = max(room.peak_viewers, state.viewers(room.pk)[1])
        room.save(
            update_fields=["status", "ended_at", "ended_by", "likes", "peak_viewers", "updated_at"]
        )
        Publish.objects.filter(room=room, ended_at__isnull=True).update(ended_at=room.ended_at)
        broadcast.room_send_on_commit(
            room.pk,
            {"type": "system", "event": "room_ended", "duration_seconds": room.duration_seconds},
        )
        tasks.report_after_commit(room.pk)
    return room


def reminder_set(*, room: Room, user: Any, on: bool) -> bool:
    """Ask (or stop asking) to be told when a scheduled room starts; whether one is set."""
    if on:
        if room.status != RoomStatus.SCHEDULED:
            raise Conflict("Only a scheduled room takes reminders.", code="room.not_scheduled")
        Reminder.objects.get_or_create(room=room, user=user)
    else:
        Reminder.objects.filter(room=room, user=user).delete()
    return on


def key_hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def stream_key_rotate(*, host: Any) -> tuple[StreamKey, str]:
    """A new stream key for the host (the old one stops working at once), returned here only:
    ``<stream_id>?key=<secret>``, of which only the secret's hash is stored."""
    secret = KEY_PREFIX + secrets.token_urlsafe(24)
    stream_key, _ = StreamKey.objects.update_or_create(
        host=host,
        defaults={"key_hash": key_hash(secret), "hint": secret[-4:], "rotated_at": timezone.now()},
        create_defaults={
            "stream_id": f"s{secrets.token_hex(8)}",
            "key_hash": key_hash(secret),
            "hint": secret[-4:],
        },
    )
    return stream_key, f"{stream_key.stream_id}?key={secret}"


def stream_drop(*, room: Room) -> bool:
    """Ask nginx-rtmp's control endpoint to drop the room's publisher now (when configured);
    without it the next ``on_update`` does. Whether the media server said it dropped one."""
    base = settings.LIVE_FORCE_END_CONTROL_URL
    if not base or not room.stream_name:
        return False
    query = urllib.parse.urlencode({"app": "live", "name": room.stream_name})
    try:
        with urllib.request.urlopen(f"{base}/drop/publisher?{query}", timeout=3) as answer:
            return answer.status == 200
    except OSError:
        logger.warning("live: the media server did not answer the drop of room %s", room.pk)
        return False
