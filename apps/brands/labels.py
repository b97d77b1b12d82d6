"""The sponsored label on published cooperation notes (notes' ``note_labels`` registry)."""

from collections.abc import Mapping, Sequence
from typing import Any

from apps.brands.selectors import sponsor_names
from apps.notes.hooks import NoteLabel


def sponsored_labels(notes: Sequence[Any], viewer: Any) -> Mapping[int, Sequence[NoteLabel]]:
    """One query for the whole page: ``Sponsored · <brand>`` on each sponsored note."""
    names = sponsor_names(note.pk for note in notes)
    return {
        note_id: [NoteLabel(key="sponsored", text=f"Sponsored · {name}")]
        for note_id, name in names.items()
    }
