"""Factories for analytics tests: stored events, client event payloads, notes to point at."""

import itertools
import uuid
from typing import Any

import factory
from django.utils import timezone

from apps.analytics.models import Event

_sequence = itertools.count(1)


class EventFactory(factory.django.DjangoModelFactory):
    """A stored event row (for admin and reading tests; ingestion goes through the API)."""

    class Meta:
        model = Event

    occurred_at = factory.LazyFunction(timezone.now)
    received_at = factory.LazyFunction(timezone.now)
    kind = "impression"
    source = "feed"
    note_id = factory.Sequence(lambda n: n + 1)
    author_id = 1
    actor_id = 1
    client_event_id = factory.LazyFunction(lambda: uuid.uuid4().hex)


def client_event(kind: str = "impression", **fields: Any) -> dict[str, Any]:
    """A valid client event of ``kind``; ``fields`` override or add keys."""
    base: dict[str, Any] = {
        "client_event_id": f"ev-{next(_sequence)}-{uuid.uuid4().hex[:8]}",
        "kind": kind,
        "source": "feed",
    }
    defaults: dict[str, dict[str, Any]] = {
        "impression": {"note_id": 1},
        "view": {"note_id": 1, "dwell_ms": 12_000},
        "video_watch": {"note_id": 1, "watch_ms": 30_000, "completion": 0.5},
        "share": {"note_id": 1, "properties": {"channel": "wechat"}},
        "profile_visit": {"target_user_id": 1},
        "product_click": {"properties": {"product_id": 7}},
        "live_enter": {"properties": {"room_id": 3}},
        "live_leave": {"properties": {"room_id": 3}, "watch_ms": 60_000},
    }
    return {**base, **defaults[kind], **fields}


def make_note(author, **fields: Any):
    """A published public note by ``author`` (the notes app's own factory)."""
    from tests.notes.factories import NoteFactory

    return NoteFactory(author=author, **fields)
