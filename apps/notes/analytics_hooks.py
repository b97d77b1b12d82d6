"""What the notes app tells analytics: which notes a viewer may send events about."""

from collections.abc import Collection

from django.db.models import Q

from apps.accounts.models import Block
from apps.notes.models import PUBLICLY_VISIBLE, Note, NoteStatus


def visible_note_authors(note_ids: Collection[int], viewer_id: int | None) -> dict[int, int]:
    """Author of each note among ``note_ids`` that the viewer may see, in one query.

    The set-based form of ``note_visible_to``: never a deleted note; the author's own notes in
    any other state; other people's only when publicly visible and nobody blocked anybody.
    """
    ids = set(note_ids)
    if not ids:
        return {}
    shown = PUBLICLY_VISIBLE
    if viewer_id is not None:
        blocked = Block.objects.filter(blocker_id=viewer_id).values("blocked_id")
        blockers = Block.objects.filter(blocked_id=viewer_id).values("blocker_id")
        shown = Q(author_id=viewer_id) | (
            PUBLICLY_VISIBLE & ~Q(author_id__in=blocked) & ~Q(author_id__in=blockers)
        )
    rows = (
        Note.objects.filter(pk__in=ids)
        .exclude(status=NoteStatus.DELETED)
        .filter(shown)
        .values_list("pk", "author_id")
    )
    return dict(rows)
