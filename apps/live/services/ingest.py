"""The media server's hooks: nginx-rtmp asks before a publish, reports its end, and asks
again every few seconds while it lasts (deploy/nginx-rtmp.conf, docs/live.md).

- ``publish`` (``name`` = the stream key): a good key starts the host's room and renames the
  stream to the room's ``stream_name`` (HLS is written under that name, never the key); a bad
  or rotated key, or a host without an open room, is refused (403: nginx drops the stream).
- ``publish_done``: the stream stopped; the room ends with its duration.
- ``update``: while the room is live the stream may go on; once it ended (the host or an
  operator ended it) the answer is 403 and nginx drops the publisher: that is how a force-end
  kills the stream.
"""

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
    stream_name: str = ""  # set on a good publish: nginx renames the stream to it
    reason: str = ""


def _host_for_key(key: str) -> int | None:
    if not key:
        return None
    return (
        StreamKey.objects.filter(key_hash=key_hash(key)).values_list("host_id", flat=True).first()
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


def hook_publish(*, key: str, client_id: str = "", address: str = "") -> HookAnswer:
    host_id = _host_for_key(key)
    if host_id is None:
        return HookAnswer(False, reason="unknown stream key")
    room = _room_to_start(host_id)
    if room is None:
        return HookAnswer(False, reason="no open room")
    try:
        room = room_start(room_id=room.pk)
    except DomainError as exc:
        return HookAnswer(False, reason=exc.message)
    Publish.objects.create(room=room, client_id=client_id[:40], address=address[:64])
    return HookAnswer(True, stream_name=room.stream_name)


def _room_for_stream(name: str) -> Room | None:
    room = Room.objects.filter(stream_name=name).first()
    if room is not None:
        return room
    host_id = _host_for_key(name)  # a media server that did not rename reports the key
    if host_id is None:
        return None
    return Room.objects.filter(host_id=host_id, status=RoomStatus.LIVE).first()


def hook_publish_done(*, name: str, client_id: str = "") -> HookAnswer:
    room = _room_for_stream(name)
    if room is None:
        return HookAnswer(False, reason="unknown stream")
    Publish.objects.filter(room=room, ended_at__isnull=True).update(ended_at=timezone.now())
    if room.status == RoomStatus.LIVE:
        room_end(room_id=room.pk, by="stream")
    return HookAnswer(True)


def hook_update(*, name: str) -> HookAnswer:
    room = _room_for_stream(name)
    if room is None or room.status != RoomStatus.LIVE:
        return HookAnswer(False, reason="the room is not live")
    return HookAnswer(True)
