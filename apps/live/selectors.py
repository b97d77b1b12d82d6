"""Live reads: rooms as viewers and hosts see them, chat history, who may write and moderate."""

from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.db.models import Exists, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from apps.accounts.selectors import follow_edge
from apps.core.errors import Forbidden, NotFound
from apps.live.models import (
    AllowedSpeaker,
    ChatMessage,
    LiveBlockedWord,
    MessageVisibility,
    Moderator,
    Report,
    Room,
    RoomStatus,
    Sanction,
    SanctionKind,
    ShelfItem,
    StreamKey,
)

OPEN_STATUSES = (RoomStatus.SCHEDULED, RoomStatus.LIVE)


def room_list() -> QuerySet[Room]:
    """Rooms anyone can browse: live and scheduled ones."""
    return Room.objects.filter(status__in=OPEN_STATUSES).select_related("host")


def my_rooms(*, host) -> QuerySet[Room]:
    return Room.objects.filter(host=host).select_related("host")


def room_get(*, room_id: int) -> Room:
    """A room by id (rooms are public once created), or 404."""
    room = Room.objects.select_related("host").filter(pk=room_id).first()
    if room is None:
        raise NotFound("Live room not found.", code="room.not_found")
    return room


def moderator_rooms_q(user_id: int) -> Q:
    """Rooms ``user_id`` moderates: appointed for the room or for all the host's rooms."""
    appointed = Moderator.objects.filter(user_id=user_id, host_id=OuterRef("host_id")).filter(
        Q(room__isnull=True) | Q(room_id=OuterRef("pk"))
    )
    return Q(Exists(appointed))


def room_for_host(*, room_id: int, host) -> Room:
    """The host's own room; anyone else's answers 404 like a missing id."""
    room = Room.objects.select_related("host").filter(pk=room_id, host=host).first()
    if room is None:
        raise NotFound("Live room not found.", code="room.not_found")
    return room


def room_for_moderator(*, room_id: int, user) -> Room:
    """A room the user hosts or moderates; 404 if it does not exist, 403 if not theirs."""
    room = (
        Room.objects.select_related("host")
        .filter(pk=room_id)
        .annotate(
            moderates=Exists(
                Room.objects.filter(pk=OuterRef("pk")).filter(moderator_rooms_q(user.pk))
            )
        )
        .first()
    )
    if room is None:
        raise NotFound("Live room not found.", code="room.not_found")
    if room.host_id != user.pk and not room.moderates:
        raise Forbidden(
            "Only the host and the room's moderators may do this.", code="room.not_moderator"
        )
    return room


@dataclass(frozen=True)
class SpeakerContext:
    room: Room
    is_host: bool
    is_moderator: bool
    allowed: bool
    follow_since: datetime | None
    banned: bool
    timed_out_until: datetime | None

    @property
    def privileged(self) -> bool:
        return self.is_host or self.is_moderator


def speaker_context(*, room_id: int, user_id: int) -> SpeakerContext:
    """Everything that decides whether a user may write in a room now (one query)."""
    now = timezone.now()
    sanctions = Sanction.objects.filter(room_id=OuterRef("pk"), user_id=user_id)
    room = (
        Room.objects.filter(pk=room_id)
        .annotate(
            is_moderator=Exists(
                Room.objects.filter(pk=OuterRef("pk")).filter(moderator_rooms_q(user_id))
            ),
            allowed=Exists(AllowedSpeaker.objects.filter(room_id=OuterRef("pk"), user_id=user_id)),
            follow_since=Subquery(
                follow_edge(follower_id=user_id, followee_id=OuterRef("host_id")).values(
                    "created_at"
                )[:1]
            ),
            banned=Exists(sanctions.filter(kind=SanctionKind.BAN)),
            timed_out_until=Subquery(
                sanctions.filter(kind=SanctionKind.TIMEOUT, until__gt=now)
                .order_by("-until")
                .values("until")[:1]
            ),
        )
        .first()
    )
    if room is None:
        raise NotFound("Live room not found.", code="room.not_found")
    return SpeakerContext(
        room=room,
        is_host=room.host_id == user_id,
        is_moderator=room.is_moderator,
        allowed=room.allowed,
        follow_since=room.follow_since,
        banned=room.banned,
        timed_out_until=room.timed_out_until,
    )


def stream_key_of(*, host) -> StreamKey:
    """The host's stream key row (its hint and rotation time; the secret is never stored)."""
    stream_key = StreamKey.objects.filter(host=host).first()
    if stream_key is None:
        raise NotFound("No stream key yet: rotate to get one.", code="stream_key.not_found")
    return stream_key


def is_banned(*, room_id: int, user_id: int) -> bool:
    return Sanction.objects.filter(room_id=room_id, user_id=user_id, kind=SanctionKind.BAN).exists()


def chat_history(*, room_id: int) -> list[ChatMessage]:
    """The room's last visible messages, oldest first (what a late joiner reads)."""
    rows = (
        ChatMessage.objects.filter(room_id=room_id, visibility=MessageVisibility.VISIBLE)
        .select_related("author")
        .order_by("-id")[: settings.LIVE_CHAT_HISTORY]
    )
    return list(reversed(rows))


def moderators_of(*, host) -> QuerySet[Moderator]:
    return Moderator.objects.filter(host=host).select_related("user").order_by("-created_at", "-id")


def allowed_speakers_of(*, room: Room) -> QuerySet[AllowedSpeaker]:
    return AllowedSpeaker.objects.filter(room=room).select_related("user")


def sanctions_of(*, room: Room) -> QuerySet[Sanction]:
    return Sanction.objects.filter(room=room).select_related("user")


def blocked_words_of(*, host) -> QuerySet[LiveBlockedWord]:
    return LiveBlockedWord.objects.filter(host=host)


def shelf_items(*, room_id: int) -> list[ShelfItem]:
    return list(ShelfItem.objects.filter(room_id=room_id).order_by("position", "id"))


def report_for_host(*, room_id: int, host) -> Report:
    report = Report.objects.filter(room_id=room_id, room__host=host).select_related("room").first()
    if report is None:
        raise NotFound("No report for this room yet.", code="report.not_found")
    return report


def reports_of(*, host) -> QuerySet[Report]:
    return Report.objects.filter(room__host=host).select_related("room")
