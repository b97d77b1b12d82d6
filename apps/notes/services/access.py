"""Who may see a note or a comment, and the not-found errors every notes read and write uses.

A viewer who may not see an object gets the same 404 as for an id that does not exist, so ids
reveal nothing; these are the only places that decide it.
"""

from apps.accounts.services import is_blocked_either_way
from apps.core.errors import NotFound
from apps.moderation.targets import Visibility as ModerationVisibility
from apps.notes.models import Comment, CommentStatus, CreatorState, Note, NoteStatus


def note_not_found() -> NotFound:
    return NotFound("Note not found.", code="note.not_found")


def comment_not_found() -> NotFound:
    return NotFound("Comment not found.", code="comment.not_found")


def note_visible_to(note: Note, viewer_id: int) -> bool:
    """Whether the viewer may see the note: the author sees their own, others public ones."""
    if note.status == NoteStatus.DELETED:
        return False
    if note.author_id == viewer_id:
        return True
    return note.counts_publicly and not is_blocked_either_way(viewer_id, note.author_id)


def comment_shown(comment: Comment, viewer_id: int) -> bool:
    """Not deleted, and approved by moderation and by the note's author unless the viewer wrote
    it (blocks aside)."""
    if comment.status != CommentStatus.VISIBLE:
        return False
    return comment.author_id == viewer_id or (
        comment.moderation == ModerationVisibility.VISIBLE
        and comment.creator_state == CreatorState.VISIBLE
    )


def comment_visible_to(comment: Comment, viewer_id: int) -> bool:
    """A comment's own visibility (its note is checked separately)."""
    if not comment_shown(comment, viewer_id):
        return False
    if comment.author_id == viewer_id:
        return True
    return not is_blocked_either_way(viewer_id, comment.author_id)
