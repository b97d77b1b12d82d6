"""What hosts and moderators do to a room's chat: delete, time out, ban, modes, helpers.

Sanctions live in the database, so they hold across reconnects and server processes; each is
also broadcast, so every process closes a banned user's sockets at once. Only the host
appoints moderators, allows speakers and edits blocked words.
"""

from datetime import timedelta
from typing import Any

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.utils import timezone

from apps.core.errors import Conflict, InvalidInput, NotFound
from apps.core.review_targets import Visibility
from apps.live import broadcast
from apps.live.models import (
    AllowedSpeaker,
    ChatMessage,
    LiveBlockedWord,
    MessageVisibility,
    Moderator,
    Room,
    Sanction,
    SanctionKind,
)
from apps.moderation.normalize import normalize

MAX_TIMEOUT = timedelta(days=7)


def _ensure_user(user_id: int) -> None:
    """404 for a user id that does not exist: checked before the insert, because SQLite checks
    foreign keys only at the outermost commit, after any handler could answer."""
    if not get_user_model().objects.filter(pk=user_id).exists():
        raise NotFound("User not found.", code="user.not_found")


def message_delete(*, room: Room, message_id: int) -> ChatMessage:
    """Delete a message of the room (host or moderator); every socket drops it."""
    with transaction.atomic():
        message = ChatMessage.objects.select_for_update().filter(pk=message_id, room=room).first()
        if message is None:
            raise NotFound("Message not found.", code="chat.message_not_found")
        message.visibility = MessageVisibility.DELETED
        message.save(update_fields=["visibility"])
        broadcast.room_send_on_commit(
            room.pk, {"type": "system", "event": "message_deleted", "message_id": message.pk}
        )
    return message


def sanction_add(
    *, room: Room, by: Any, user_id: int, kind: str, seconds: int | None = None, reason: str = ""
) -> Sanction:
    """Time a user out for ``seconds`` or ban them from the room."""
    if user_id == room.host_id:
        raise Conflict("The host cannot be sanctioned in their own room.", code="chat.host")
    if kind == SanctionKind.TIMEOUT:
        if not seconds or not 1 <= seconds <= MAX_TIMEOUT.total_seconds():
            raise InvalidInput(
                "A timeout lasts 1 second to 7 days.", fields={"seconds": ["1 to 604800."]}
            )
        until = timezone.now() + timedelta(seconds=seconds)
    else:
        until = None
    _ensure_user(user_id)
    with transaction.atomic():
        sanction = Sanction.objects.create(
            room=room, user_id=user_id, kind=kind, until=until, by=by, reason=reason
        )
        broadcast.room_send_on_commit(
            room.pk,
            {
                "type": "system",
                "event": "user_banned" if kind == SanctionKind.BAN else "user_timed_out",
                "user_id": user_id,
                "until": until.isoformat() if until else None,
            },
        )
    return sanction


def sanction_lift(*, room: Room, user_id: int) -> int:
    """Lift every timeout and ban of a user in the room; how many were lifted."""
    deleted, _ = Sanction.objects.filter(room=room, user_id=user_id).delete()
    return deleted


def chat_settings_update(*, room: Room, **changes: Any) -> Room:
    """Slow mode, followers-only and allow-list-only; every socket hears the new modes."""
    with transaction.atomic():
        locked = Room.objects.select_for_update().get(pk=room.pk)
        for name, value in changes.items():
            setattr(locked, name, value)
        locked.save(update_fields=[*changes, "updated_at"])
        broadcast.room_send_on_commit(
            locked.pk, {"type": "system", "event": "chat_settings", **chat_settings(locked)}
        )
    return locked


def chat_settings(room: Room) -> dict[str, Any]:
    return {
        "slow_mode_seconds": room.slow_mode_seconds,
        "followers_only_minutes": room.followers_only_minutes,
        "allow_list_only": room.allow_list_only,
    }


def moderator_add(*, host: Any, user_id: int, room: Room | None) -> Moderator:
    """Appoint a moderator for one of the host's rooms, or for all of them (``room`` None)."""
    if user_id == host.pk:
        raise Conflict("The host moderates their rooms already.", code="moderator.self")
    existing = Moderator.objects.filter(host=host, user_id=user_id, room=room).first()
    if existing is not None:
        return existing
    _ensure_user(user_id)
    try:
        with transaction.atomic():
            return Moderator.objects.create(host=host, user_id=user_id, room=room)
    except IntegrityError:  # appointed concurrently
        return Moderator.objects.get(host=host, user_id=user_id, room=room)


def moderator_remove(*, host: Any, moderator_id: int) -> None:
    deleted, _ = Moderator.objects.filter(host=host, pk=moderator_id).delete()
    if not deleted:
        raise NotFound("Moderator not found.", code="moderator.not_found")


def allowed_speaker_add(*, room: Room, user_id: int) -> AllowedSpeaker:
    _ensure_user(user_id)
    speaker, _ = AllowedSpeaker.objects.get_or_create(room=room, user_id=user_id)
    return speaker


def allowed_speaker_remove(*, room: Room, user_id: int) -> None:
    AllowedSpeaker.objects.filter(room=room, user_id=user_id).delete()


def blocked_word_add(*, host: Any, word: str, action: str) -> LiveBlockedWord:
    normalized = normalize(word)
    if not normalized:
        raise InvalidInput("The word has no letters once normalised.", fields={"word": ["Empty."]})
    if LiveBlockedWord.objects.filter(host=host, normalized=normalized).exists():
        raise Conflict("This word is already blocked.", code="blocked_word.exists")
    try:
        with transaction.atomic():
            return LiveBlockedWord.objects.create(
                host=host, word=word, normalized=normalized, action=action
            )
    except IntegrityError as exc:
        raise Conflict("This word is already blocked.", code="blocked_word.exists") from exc


def blocked_word_remove(*, host: Any, word_id: int) -> None:
    deleted, _ = LiveBlockedWord.objects.filter(host=host, pk=word_id).delete()
    if not deleted:
        raise NotFound("Blocked word not found.", code="blocked_word.not_found")


def message_moderation_set(message: ChatMessage, visibility: str) -> None:
    """Moderation's decision on a chat message (the review target's ``set_visibility``)."""
    mapped = {
        Visibility.VISIBLE: MessageVisibility.VISIBLE,
        Visibility.REVIEW: MessageVisibility.REVIEW,
        Visibility.HIDDEN: MessageVisibility.HIDDEN,
    }[visibility]
    ChatMessage.objects.filter(pk=message.pk).update(visibility=mapped)
    if mapped != MessageVisibility.VISIBLE:
        broadcast.room_send_on_commit(
            message.room_id,
            {"type": "system", "event": "message_deleted", "message_id": message.pk},
        )


def message_visible_to(message: ChatMessage, viewer: Any) -> bool:
    """Who can see a message: everyone while visible, its author while held."""
    if message.visibility == MessageVisibility.VISIBLE:
        return True
    return message.visibility == MessageVisibility.REVIEW and message.author_id == viewer.pk
