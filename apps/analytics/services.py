"""Event ingestion services: client batches and the server's own events.

Both end in ``storage.insert_events``: one insert per batch, with the note's author and the
actor's snapshot resolved once per batch (one query each), so the cost in queries never grows
with the batch.
"""

import json
from dataclasses import dataclass, field
from datetime import datetime
from functools import partial

from django.db import transaction
from django.utils import timezone

from apps.analytics import selectors, storage
from apps.analytics.kinds import SERVER_KINDS, EventKind, EventSource
from apps.analytics.validation import ClientEvent, EventError

FOLLOW_KINDS = frozenset({EventKind.FOLLOW, EventKind.UNFOLLOW})
SOURCES = frozenset(EventSource.values)


@dataclass(slots=True)
class BatchResult:
    stored: int = 0
    duplicates: int = 0
    errors: list[EventError] = field(default_factory=list)

    def as_dict(self) -> dict:
        errors = sorted(self.errors, key=lambda error: error.index)
        return {
            "stored": self.stored,
            "duplicates": self.duplicates,
            "rejected": len(errors),
            "errors": [error.as_dict() for error in errors],
        }


def event_batch_record(
    *,
    actor_id: int | None,
    events: list[ClientEvent],
    received_at: datetime,
    errors: list[EventError] | None = None,
) -> BatchResult:
    """Store a validated client batch; unknown notes or users are reported, retries skipped.

    ``errors`` (from validation) are carried into the result so the caller reports one list.
    """
    result = BatchResult(errors=list(errors or ()))
    unique: list[ClientEvent] = []
    seen: set[str] = set()
    for event in events:
        if event.client_event_id in seen:
            result.duplicates += 1  # the same event twice in one batch: stored once
            continue
        seen.add(event.client_event_id)
        unique.append(event)
    if not unique:
        return result

    authors = selectors.visible_note_authors(
        note_ids=[e.note_id for e in unique if e.note_id is not None], viewer_id=actor_id
    )
    target_ids = {e.target_user_id for e in unique if e.target_user_id is not None}
    known_users = selectors.active_user_ids(user_ids=target_ids) if target_ids else set()

    rows = []
    for event in unique:
        author_id = event.target_user_id
        if event.note_id is not None and authors is not None:
            note_author = authors.get(event.note_id)
            if note_author is None:
                result.errors.append(_unknown(event, "note_id", "note.not_found", "No such note."))
                continue
            # A profile visit counts for the visited user, even from someone else's note.
            if event.kind != EventKind.PROFILE_VISIT:
                author_id = note_author
        if event.target_user_id is not None and event.target_user_id not in known_users:
            result.errors.append(
                _unknown(event, "target_user_id", "user.not_found", "No such user.")
            )
            continue
        rows.append(
            (
                event.occurred_at,
                event.note_id,
                author_id,
                event.target_user_id,
                event.source_id,
                event.completion,
                event.dwell_ms,
                event.watch_ms,
                event.kind,
                event.source,
                event.client_event_id,
                event.properties,
            )
        )
    if not rows:
        return result
    snapshot = selectors.actor_snapshot(actor_id=actor_id, at=received_at)
    stored = storage.insert_events(
        rows=rows,
        received_at=received_at,
        actor_id=actor_id,
        gender=snapshot.gender,
        age_band=snapshot.age_band,
        region=snapshot.region,
        interests=snapshot.interests,
    )
    result.stored = stored
    result.duplicates += len(rows) - stored
    return result


def _unknown(event: ClientEvent, name: str, code: str, message: str) -> EventError:
    return EventError(
        event.index, event.client_event_id, code, f"{name}: {message}", {name: [message]}
    )


def server_event_record(
    *,
    kind: str,
    actor_id: int | None,
    note_id: int | None = None,
    target_user_id: int | None = None,
    source: str = "",
    source_id: int | None = None,
    properties: dict | None = None,
    occurred_at: datetime | None = None,
) -> int:
    """Store one server event now (``server_event_enqueue`` defers this to the commit).

    Follows count for the followed user; a follow from a note also names that note, so the
    rollups can credit the note that brought the fan.
    """
    now = timezone.now()
    if kind in FOLLOW_KINDS:
        author_id = target_user_id
        if note_id is None and source == EventSource.NOTE:
            note_id = source_id
    elif note_id is not None:
        authors = selectors.note_authors(note_ids=[note_id]) or {}
        author_id = authors.get(note_id, target_user_id)
    else:
        author_id = target_user_id
    snapshot = selectors.actor_snapshot(actor_id=actor_id, at=now)
    row = (
        occurred_at or now,
        note_id,
        author_id,
        target_user_id,
        source_id,
        None,
        None,
        None,
        kind,
        source,
        None,
        json.dumps(properties or {}, ensure_ascii=False, separators=(",", ":")),
    )
    return storage.insert_events(
        rows=[row],
        received_at=now,
        actor_id=actor_id,
        gender=snapshot.gender,
        age_band=snapshot.age_band,
        region=snapshot.region,
        interests=snapshot.interests,
    )


def server_event_enqueue(
    *,
    kind: str,
    actor_id: int | None,
    note_id: int | None = None,
    target_user_id: int | None = None,
    source: str = "",
    source_id: int | None = None,
    properties: dict | None = None,
) -> None:
    """Store a server event once the current transaction commits; never for a rolled-back write.

    A wrong kind or source is a programming error and raises at once, inside the caller's
    transaction. A failure while storing after the commit is logged, not raised: the user's
    like or follow has already happened and must not turn into an error.
    """
    if kind not in SERVER_KINDS:
        raise ValueError(f"{kind!r} is not a server event kind")
    if source and source not in SOURCES:
        raise ValueError(f"{source!r} is not an event source")
    transaction.on_commit(
        partial(
            server_event_record,
            kind=kind,
            actor_id=actor_id,
            note_id=note_id,
            target_user_id=target_user_id,
            source=source,
            source_id=source_id,
            properties=dict(properties or {}),
            occurred_at=timezone.now(),
        ),
        robust=True,
    )
