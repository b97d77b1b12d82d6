"""Engagement writes: likes, collects and shares of notes, boards, likes of comments.

Every one is idempotent (a repeat changes nothing) and changes its counters while the note (or,
for a comment like, the comment) is locked, so repeats and concurrent requests keep them exact.
"""

from django.db import IntegrityError, models, transaction
from django.db.models import F
from django.utils import timezone

from apps.accounts.models import User
from apps.analytics.kinds import EventKind
from apps.analytics.services import server_event_enqueue
from apps.core.errors import Conflict, InvalidInput, NotFound
from apps.notes.constants import MAX_BOARDS
from apps.notes.models import (
    Board,
    Collect,
    Comment,
    CommentLike,
    Note,
    NoteLike,
    NoteStatus,
    NoteVisibility,
    Share,
)
from apps.notes.services.access import (
    comment_not_found,
    comment_visible_to,
    note_not_found,
    note_visible_to,
)
from apps.notes.services.counters import _change_engagement

# --- likes, collects, shares ----------------------------------------------------------------


def _lock_note_for_engagement(*, note_id: int, user: User) -> Note:
    """Lock a published note the user can see (404 otherwise, 409 for the author's draft)."""
    note = Note.objects.select_for_update().filter(pk=note_id).first()
    if note is None or not note_visible_to(note, user.pk):
        raise note_not_found()
    if note.status != NoteStatus.PUBLISHED:
        raise Conflict("The note is not published.", code="note.not_published")
    return note


def note_like(*, user: User, note_id: int, source: str = "") -> tuple[Note, bool]:
    """Like a note; repeating it changes nothing. Returns the note and whether it is new."""
    with transaction.atomic():
        note = _lock_note_for_engagement(note_id=note_id, user=user)
        if NoteLike.objects.filter(note=note, user=user).exists():
            return note, False
        NoteLike.objects.create(note=note, user=user)
        _change_engagement(note, likes=1)
        server_event_enqueue(
            kind=EventKind.LIKE,
            actor_id=user.pk,
            note_id=note.pk,
            target_user_id=note.author_id,
            source=source,
        )
    return note, True


def _engagement_remove(
    *, user: User, note_id: int, model: type[models.Model], counter: str, kind: str, source: str
) -> tuple[Note, bool]:
    """Delete the user's like or collect of a note, with its counter and event, or nothing."""
    with transaction.atomic():
        note = _lock_note_for_engagement(note_id=note_id, user=user)
        deleted, _ = model.objects.filter(note=note, user=user).delete()
        if not deleted:
            return note, False
        _change_engagement(note, **{counter: -1})
        server_event_enqueue(
            kind=kind,
            actor_id=user.pk,
            note_id=note.pk,
            target_user_id=note.author_id,
            source=source,
        )
    return note, True


def note_unlike(*, user: User, note_id: int, source: str = "") -> tuple[Note, bool]:
    """Remove a like; repeating it changes nothing. Returns the note and whether one was removed."""
    return _engagement_remove(
        user=user,
        note_id=note_id,
        model=NoteLike,
        counter="likes",
        kind=EventKind.UNLIKE,
        source=source,
    )


def _own_board(*, owner: User, board_id: int) -> Board:
    board = Board.objects.filter(pk=board_id, owner=owner).first()
    if board is None:
        raise NotFound("Board not found.", code="board.not_found")
    return board


def note_collect(
    *, user: User, note_id: int, board_id: int | None = None, source: str = ""
) -> tuple[Collect, bool]:
    """Collect a note, filed in one of the user's boards if given; a repeat may move it."""
    board = _own_board(owner=user, board_id=board_id) if board_id is not None else None
    with transaction.atomic():
        note = _lock_note_for_engagement(note_id=note_id, user=user)
        existing = Collect.objects.filter(note=note, user=user).first()
        if existing is not None:
            if board is not None and existing.board_id != board.pk:
                existing.board = board
                existing.save(update_fields=["board"])
            existing.note = note
            return existing, False
        collect = Collect.objects.create(note=note, user=user, board=board)
        _change_engagement(note, collects=1)
        server_event_enqueue(
            kind=EventKind.COLLECT,
            actor_id=user.pk,
            note_id=note.pk,
            target_user_id=note.author_id,
            source=source,
            properties={"board_id": board.pk} if board else {},
        )
    return collect, True


def note_uncollect(*, user: User, note_id: int, source: str = "") -> tuple[Note, bool]:
    """Remove a collect (from whichever board holds it); repeating it changes nothing."""
    return _engagement_remove(
        user=user,
        note_id=note_id,
        model=Collect,
        counter="collects",
        kind=EventKind.UNCOLLECT,
        source=source,
    )


def note_share(*, user: User, note_id: int, channel: str) -> tuple[Note, bool]:
    """Count a share once per user and note; a repeat records the latest channel only."""
    with transaction.atomic():
        note = _lock_note_for_engagement(note_id=note_id, user=user)
        if note.visibility != NoteVisibility.PUBLIC:
            raise Conflict("A private note cannot be shared.", code="note.private")
        updated = Share.objects.filter(note=note, user=user).update(
            channel=channel, updated_at=timezone.now()
        )
        if updated:
            return note, False
        Share.objects.create(note=note, user=user, channel=channel)
        _change_engagement(note, shares=1)
    return note, True


# --- boards -------------------------------------------------------------------------------


def board_create(*, owner: User, name: str) -> Board:
    """Create a named board; names are unique per owner."""
    name = name.strip()
    if not name:
        raise InvalidInput("A board needs a name.", fields={"name": ["Required."]})
    if Board.objects.filter(owner=owner).count() >= MAX_BOARDS:
        raise Conflict(f"At most {MAX_BOARDS} boards.", code="board.limit")
    try:
        with transaction.atomic():
            return Board.objects.create(owner=owner, name=name)
    except IntegrityError:
        raise _board_name_taken() from None


def _board_name_taken() -> Conflict:
    return Conflict(
        "You already have a board with this name.",
        code="board.name_taken",
        fields={"name": ["Already used by another of your boards."]},
    )


def board_rename(*, owner: User, board_id: int, name: str) -> Board:
    """Rename one of the owner's boards."""
    board = _own_board(owner=owner, board_id=board_id)
    name = name.strip()
    if not name:
        raise InvalidInput("A board needs a name.", fields={"name": ["Required."]})
    board.name = name
    try:
        with transaction.atomic():
            board.save(update_fields=["name"])
    except IntegrityError:
        raise _board_name_taken() from None
    return board


def board_delete(*, owner: User, board_id: int) -> None:
    """Delete a board; its notes stay collected, outside any board."""
    _own_board(owner=owner, board_id=board_id).delete()


def _lock_comment_for_engagement(*, comment_id: int, user: User) -> Comment:
    comment = (
        Comment.objects.select_for_update(of=("self",))
        .select_related("note")
        .filter(pk=comment_id)
        .first()
    )
    if (
        comment is None
        or not comment_visible_to(comment, user.pk)
        or not note_visible_to(comment.note, user.pk)
    ):
        raise comment_not_found()
    return comment


def comment_like(*, user: User, comment_id: int) -> tuple[Comment, bool]:
    """Like a comment; repeating it changes nothing."""
    with transaction.atomic():
        comment = _lock_comment_for_engagement(comment_id=comment_id, user=user)
        if CommentLike.objects.filter(comment=comment, user=user).exists():
            return comment, False
        CommentLike.objects.create(comment=comment, user=user)
        Comment.objects.filter(pk=comment.pk).update(likes_count=F("likes_count") + 1)
        comment.likes_count += 1
    return comment, True


def comment_unlike(*, user: User, comment_id: int) -> tuple[Comment, bool]:
    """Remove a comment like; repeating it changes nothing."""
    with transaction.atomic():
        comment = _lock_comment_for_engagement(comment_id=comment_id, user=user)
        deleted, _ = CommentLike.objects.filter(comment=comment, user=user).delete()
        if not deleted:
            return comment, False
        Comment.objects.filter(pk=comment.pk).update(likes_count=F("likes_count") - 1)
        comment.likes_count -= 1
    return comment, True
