"""Who may write in a room and the host's words, kept per process between chat messages.

A chat message used to load the speaker's context (room, modes, ban, timeout, moderator,
allow-list, follow) and the host's blocked words from the database: two queries and most of a
message's server time, for answers that change a few times per show. Both are now kept per
process and labelled with the room's chat version, a Redis counter (``LiveState.chat_version``)
that every change which could alter an answer bumps once its transaction commits: a ban, a
timeout or its lift, a mode, the room's status, a moderator, an allowed speaker, a blocked word,
an unfollow of the host (``apps/live/invalidation.py``, on the models' signals, so the admin's
edits count too). A message reads the version first and the database only when it moved, so a
ban takes effect for the banned user's next message, on every process.

Entries also expire after ``LIVE_SPEAKER_CACHE_SECONDS``. A refusal is never taken from the cache
alone: the caller reloads and checks again (``fresh``), so what only ever lifts a refusal
(a timeout running out, a new follow) needs no invalidation.
"""

import threading
import time
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

from django.conf import settings

from apps.live import selectors
from apps.live.chat_filters import Words, host_words
from apps.live.state import live_state

MAX_ENTRIES = 20_000  # speakers kept per process (least recently used go first)


@dataclass(frozen=True, slots=True)
class _Entry:
    version: int
    loaded: float
    value: Any


class _VersionedCache:
    """Values by key, each valid while its room's version is unchanged and young enough."""

    def __init__(self, max_entries: int) -> None:
        self.entries: OrderedDict[Any, _Entry] = OrderedDict()
        self.max_entries = max_entries
        self.lock = threading.Lock()

    def get(self, key: Any, version: int) -> Any:
        max_age = settings.LIVE_SPEAKER_CACHE_SECONDS
        with self.lock:
            entry = self.entries.get(key)
            if entry is None:
                return None
            if entry.version != version or time.monotonic() - entry.loaded >= max_age:
                del self.entries[key]
                return None
            self.entries.move_to_end(key)
            return entry.value

    def put(self, key: Any, version: int, value: Any) -> None:
        with self.lock:
            self.entries[key] = _Entry(version, time.monotonic(), value)
            self.entries.move_to_end(key)
            while len(self.entries) > self.max_entries:
                self.entries.popitem(last=False)

    def clear(self) -> None:
        with self.lock:
            self.entries.clear()


_speakers = _VersionedCache(MAX_ENTRIES)
_words = _VersionedCache(1_000)


def room_version(room_id: int) -> int:
    """The room's chat version now: read before anything it labels is loaded."""
    return live_state().chat_version(room_id)


def speaker_context(
    *, room_id: int, user_id: int, version: int, fresh: bool = False
) -> selectors.SpeakerContext:
    """The speaker's context under ``version`` (``fresh``: from the database, whatever is kept)."""
    key = (room_id, user_id)
    if not fresh:
        context = _speakers.get(key, version)
        if context is not None:
            return context
    context = selectors.speaker_context(room_id=room_id, user_id=user_id)
    _speakers.put(key, version, context)
    return context


def room_words(*, room_id: int, host_id: int, version: int) -> Words:
    """The host's blocked words, as the room's version last saw them."""
    words = _words.get(room_id, version)
    if words is None:
        words = host_words(host_id)
        _words.put(room_id, version, words)
    return words


def forget_all() -> None:
    """Drop what this process keeps (tests that edit rows behind the signals' back)."""
    _speakers.clear()
    _words.clear()
