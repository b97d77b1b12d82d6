"""The media server's hooks: nginx-rtmp asks before a publish, reports its end, and asks
again every few seconds while it lasts (deploy/nginx-rtmp.conf, docs/live.md).

- ``publish`` (``name`` = the host's public stream id, ``key`` = the secret, from the publish
  URL's query): a good pair starts the host's room (HLS is written under the stream id, never
  the secret); a bad or rotated key, or a host without an open room, is refused (403: nginx
  drops the stream).
- ``publish_done``: the stream stopped; the room ends with its duration.
- ``update``: while the room is live the stream may go on; once it ended (the host or an
  operator ended it) the answer is 403 and nginx drops the publisher: that is how a force-end
  kills the stream.
"""

from contextlib import suppress
from dataclasses import dataclass

from django.db.models import Case, IntegerField, Value, When
from django.utils import timezone

from apps.core.errors import DomainError
from apps.live.models import Publish, Room, RoomStatus, StreamKey
from apps.live.selectors import OPEN_STATUSES
from apps.live.services.rooms import key_hash, room_end, room_start


@dataclass(frozen=True)
class HookAnswer:
    allowed: bool
    reason: str = ""


def _host_for_key(stream_id: str, secret: str) -> int | None:
    if not stream_id or not secret:
        return None
    return (
        StreamKey.objects.filter(stream_id=stream_id, key_hash=key_hash(secret))
        .values_list("host_id", flat=True)
        .first()
    )


def _room_to_start(host_id: int) -> Room | None:
    """The host's live room (an encoder reconnecting), else the earliest scheduled one."""
    return (
        Room.objects.filter(host_id=host_id, status__in=OPEN_STATUSES)
        .annotate(
            live_first=Case(
                When(status=RoomStatus.LIVE, then=Value(0)),
                default=Value(1),
                output_field=IntegerField(),
            )
        )
        .order_by("live_first", "scheduled_at", "id")
        .first()
    )


def hook_publish(*, name: str, key: str, client_id: str = "", address: str = "") -> HookAnswer:
    host_id = _host_for_key(name, key)
    if host_id is None:
        return HookAnswer(False, reason="unknown stream key")
    room = _room_to_start(host_id)
    if room is None:
        return HookAnswer(False, reason="no open room")
    try:
        room = room_start(room_id=room.pk, stream_name=name)
    except DomainError as exc:
        return HookAnswer(False, reason=exc.message)
    Publish.objects.create(room=room, client_id=client_id[:40], address=address[:64])
    return HookAnswer(True)


def _room_for_stream(name: str) -> Room | None:
    """The live room streaming under ``name``, else its most recent room by that name."""
    if not name:
        return None
    return Room.objects.filter(stream_name=name, status=RoomStatus.LIVE).first()


def hook_publish_done(*, name: str, client_id: str = "") -> HookAnswer:
    room = _room_for_stream(name)
    if room is None:
        return HookAnswer(True, reason="no live room for this stream")  # ended already
    Publish.objects.filter(room=room, ended_at__isnull=True).update(ended_at=timezone.now())
    with suppress(DomainError):  # ended meanwhile by the host or an operator
        room_end(room_id=room.pk, by="stream")
    return HookAnswer(True)


def hook_update(*, name: str) -> HookAnswer:
    room = _room_for_stream(name)
    if room is None or room.status != RoomStatus.LIVE:
        return HookAnswer(False, reason="the room is not live")
    return HookAnswer(True)
