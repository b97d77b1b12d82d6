"""Server-side events: other apps call ``record_server_event`` inside their write transaction.

The event is written after the transaction commits (never for a rolled-back write), with the
snapshot of the actor (gender, age band, region, interests) and the note's author, so rollups
need no joins.
"""


def record_server_event(
    *,
    kind: str,
    actor_id: int | None,
    note_id: int | None = None,
    target_user_id: int | None = None,
    source: str = "",
    source_id: int | None = None,
    properties: dict | None = None,
) -> None:
    """Record a like, collect, comment, follow or unfollow once the current transaction commits."""
    from apps.analytics.services import server_event_enqueue

    server_event_enqueue(
        kind=kind,
        actor_id=actor_id,
        note_id=note_id,
        target_user_id=target_user_id,
        source=source,
        source_id=source_id,
        properties=properties or {},
    )
