"""Event ingestion services."""


def server_event_enqueue(**event: object) -> None:
    """Store a server event on commit (the event table comes with the ingestion work)."""
    return None
