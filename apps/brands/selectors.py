"""What other apps may ask brands: sponsored notes, boost rights, cooperation income per note.

Promotion (Fries eligibility) and commerce (per-note return) call these; they read brands'
tables only, in one query per call whatever the number of notes.
"""

from collections.abc import Iterable
from datetime import datetime


def sponsored_note_ids(note_ids: Iterable[int]) -> set[int]:
    """The notes among ``note_ids`` that are published cooperation (sponsored) notes."""
    return set()


def boost_right_holders(note_ids: Iterable[int], at: datetime | None = None) -> dict[int, int]:
    """``note_id -> brand organisation id`` for notes whose brand holds a boost right at ``at``."""
    return {}


def cooperation_income_by_note(note_ids: Iterable[int]) -> dict[int, int]:
    """``note_id -> fen`` released to the creator for the cooperation that produced the note."""
    return {}
