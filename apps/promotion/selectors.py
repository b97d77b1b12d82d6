"""What other apps may ask promotion: paid promotion spend per note (commerce's per-note return)."""

from collections.abc import Iterable


def spend_by_note(note_ids: Iterable[int]) -> dict[int, int]:
    """``note_id -> fen`` charged for promoting the note (all orders, charged spend only)."""
    return {}
