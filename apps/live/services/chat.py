"""Writing in a room's chat: who may write now, screening, limits, and the stored message.

``chat_message_post`` is what the chat consumer calls for every message (in a worker thread);
refusals are ``DomainError``s the consumer turns into an ``error`` frame. The order of checks
makes each refusal cheap and leaves nothing behind: room live, ban, timeout, allow-list,
followers-only, rate limit, account strikes, platform screening (``live_chat`` surface), the
host's words, and only then slow mode (a refused message does not use the slow-mode slot).
The speaker's context and the host's words come from ``apps.live.speakers`` (kept per process
under the room's chat version), so an allowed message costs two statements: the account's
strikes and the INSERT.
"""

from contextlib import nullcontext
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from apps.analytics.kinds import EventKind, EventSource
from apps.analytics.services import server_event_record
from apps.core.errors import Conflict, DomainError, Forbidden, InvalidInput
from apps.live import selectors, speakers
from apps.live.chat_filters import host_words_verdict
from apps.live.models import ChatMessage, LiveBlockedWordAction, MessageVisibility, RoomStatus
from apps.live.state import live_state
from apps.moderation.screening import Surface, ensure_can_post, screen_text, submit_for_review

MAX_LENGTH = 200
REVIEW_TARGET = "live_chat_message"


class Throttled(DomainError):
    status = 429
    code = "chat.rate_limited"

    def __init__(self, message: str, *, code: str, retry_after: float) -> None:
        super().__init__(message, code=code, fields={"retry_after": [f"{retry_after:.1f}"]})
        self.retry_after = retry_after


@dataclass(frozen=True)
class Posted:
    message: ChatMessage
    held: bool  # stored for review: shown to its author only


def clean_text(text: Any) -> str:
    if not isinstance(text, str) or not text.strip():
        raise InvalidInput("A message needs some text.", fields={"text": ["Required."]})
    text = text.strip()
    if len(text) > MAX_LENGTH or "\x00" in text:
        raise InvalidInput(
            f"At most {MAX_LENGTH} characters, no NUL.", fields={"text": ["Too long or invalid."]}
        )
    return text


def check_may_write(context: selectors.SpeakerContext) -> None:
    """Refuse a writer the room's state, sanctions or modes keep out (host and moderators
    pass the modes, not a ban)."""
    room = context.room
    if room.status != RoomStatus.LIVE:
        raise Conflict("The room is not live.", code="room.not_live")
    if context.banned:
        raise Forbidden("You are banned from this room.", code="chat.banned")
    until = context.timed_out_until  # kept contexts outlive a timeout: compare with now
    if until is not None and until > timezone.now() and not context.is_host:
        raise Forbidden(
            f"You are timed out until {until.isoformat()}.",
            code="chat.timed_out",
        )
    if context.privileged:
        return
    if room.allow_list_only and not context.allowed:
        raise Forbidden("Only people the host allowed may write now.", code="chat.allow_list_only")
    if room.followers_only_minutes is not None:
        since = context.follow_since
        needed = timezone.now() - timedelta(minutes=room.followers_only_minutes)
        if since is None or since > needed:
            raise Forbidden(
                f"Only fans who followed at least {room.followers_only_minutes} minutes ago may "
                "write now.",
                code="chat.followers_only",
            )


def _rate_limit(room_id: int, user_id: int) -> None:
    window = settings.LIVE_CHAT_RATE_WINDOW_SECONDS
    count = live_state().hit(f"rate:{room_id}:{user_id}", window)
    if count > settings.LIVE_CHAT_RATE:
        raise Throttled(
            f"At most {settings.LIVE_CHAT_RATE} messages per {window} seconds.",
            code="chat.rate_limited",
            retry_after=float(window),
        )


def _slow_mode(room_id: int, user_id: int, seconds: int) -> None:
    wait = live_state().claim(f"slow:{room_id}:{user_id}", seconds)
    if wait:
        raise Throttled(
            f"Slow mode: one message every {seconds} seconds.",
            code="chat.slow_mode",
            retry_after=wait,
        )


def chat_message_post(*, room_id: int, user: Any, text: Any) -> Posted:
    """Screen and store one chat message; the caller broadcasts it unless it is held, then
    records it (``chat_message_record``)."""
    text = clean_text(text)
    version = speakers.room_version(room_id)  # before anything it labels is read
    context = speakers.speaker_context(room_id=room_id, user_id=user.pk, version=version)
    try:
        check_may_write(context)
    except DomainError:  # a refusal is checked against the database, never the cache alone
        context = speakers.speaker_context(
            room_id=room_id, user_id=user.pk, version=version, fresh=True
        )
        check_may_write(context)
    room = context.room
    if not context.is_host:
        _rate_limit(room.pk, user.pk)
    ensure_can_post(user)
    result = screen_text(surface=Surface.LIVE_CHAT, text=text)
    result.raise_if_blocked()
    words = speakers.room_words(room_id=room.pk, host_id=room.host_id, version=version)
    verdict = host_words_verdict(words=words, text=result.text)
    if verdict.action == LiveBlockedWordAction.BLOCK and not context.privileged:
        raise InvalidInput(
            "The host does not allow this word in their chat.",
            code="chat.blocked_word",
            fields={"text": [f"Blocked by the host: {verdict.word}"]},
        )
    held = result.needs_review or (
        verdict.action == LiveBlockedWordAction.HOLD and not context.privileged
    )
    if room.slow_mode_seconds and not context.privileged:
        _slow_mode(room.pk, user.pk, room.slow_mode_seconds)
    # One INSERT in autocommit; a message held by screening joins the review queue with it.
    with transaction.atomic() if result.needs_review else nullcontext():
        message = ChatMessage.objects.create(
            room_id=room.pk,
            author=user,
            text=verdict.text,
            visibility=MessageVisibility.REVIEW if held else MessageVisibility.VISIBLE,
        )
        if result.needs_review:
            submit_for_review(target=REVIEW_TARGET, object_id=message.pk, result=result)
    message.author = user
    return Posted(message=message, held=held)


def chat_message_record(*, message: ChatMessage, host_id: int) -> None:
    """The message's analytics event; the consumer calls it after the broadcast, so the
    event's queries are not on the path between a send and its delivery."""
    server_event_record(
        kind=EventKind.LIVE_CHAT,
        actor_id=message.author_id,
        target_user_id=host_id,
        source=EventSource.LIVE,
        source_id=message.room_id,
        occurred_at=message.created_at,
    )


def message_event(message: ChatMessage) -> dict[str, Any]:
    """The ``chat`` frame every socket of the room gets."""
    author = message.author
    return {
        "type": "chat",
        "id": message.pk,
        "kind": message.kind,
        "text": message.text,
        "user": None if author is None else {"id": author.pk, "username": author.username},
        "at": message.created_at.isoformat(),
    }
