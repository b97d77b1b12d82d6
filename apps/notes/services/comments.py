"""Comment primitives: write, reply, delete, moderation decisions, and the locked writers the
creator center's comment management builds on (``apps/creators/comments_services.py``).

Lock order, everywhere: the note row, then comment rows (parent before reply, which is pk
order), then the author's profile row (through the counters). Every counter a request changes
is changed while the note is locked. A request touching several notes (a creator's batch of
comments) locks all its notes in pk order, then all its comments in pk order
(``comments_lock``).
"""

from collections import Counter
from collections.abc import Collection

from django.db import transaction
from django.db.models import BigIntegerField, Case, Count, F, Value, When
from django.utils import timezone

from apps.accounts.models import Follow, User
from apps.accounts.services import block_create, is_blocked_either_way
from apps.analytics.kinds import EventKind
from apps.analytics.services import server_event_enqueue
from apps.core.errors import Conflict, Forbidden, InvalidInput
from apps.core.states import IllegalTransition
from apps.moderation.screening import Surface, ensure_can_post, screen_text
from apps.moderation.targets import Visibility as ModerationVisibility
from apps.notes import hooks
from apps.notes.constants import COMMENT_MAX
from apps.notes.models import (
    COMMENT_MACHINE,
    COUNTED_COMMENT,
    Comment,
    CommentPermission,
    CommentStatus,
    CreatorState,
    Note,
    NoteStatus,
)
from apps.notes.services.access import (
    comment_not_found,
    comment_shown,
    comment_visible_to,
    note_visible_to,
)
from apps.notes.services.counters import _change_engagement, _refresh_rank
from apps.notes.services.engagement import _lock_note_for_engagement
from apps.notes.services.notes import _queue_for_review


def _counts_on_note(comment: Comment, parent: Comment | None) -> bool:
    """A comment adds to its note's count while visible and, for a reply, its parent is too."""
    return comment.counts_publicly and (parent is None or parent.counts_publicly)


def comment_create(
    *, author: User, note_id: int, body: str, reply_to_id: int | None = None
) -> Comment:
    """Comment on a note, or reply to a comment (one level deep, naming whom it answers)."""
    ensure_can_post(author)
    body = body.strip()
    if not body or len(body) > COMMENT_MAX:
        raise InvalidInput(
            f"A comment has 1 to {COMMENT_MAX} characters.",
            code="comment.invalid_length",
            fields={"body": [f"1 to {COMMENT_MAX} characters."]},
        )
    screening = screen_text(surface=Surface.COMMENT, text=body)
    screening.raise_if_blocked()
    with transaction.atomic():
        note = _lock_note_for_engagement(note_id=note_id, user=author)
        by_note_author = author.pk == note.author_id
        if not by_note_author:
            _ensure_may_comment(note=note, author=author)
        parent = reply_to = None
        if reply_to_id is not None:
            reply_to, parent = _reply_target(note=note, author=author, reply_to_id=reply_to_id)
        # Registered filters (the note author's words) see what was written, before masking.
        verdict = None
        if not by_note_author:
            verdict = hooks.comment_verdict(
                hooks.CommentDraft(
                    note_id=note.pk,
                    note_author_id=note.author_id,
                    commenter_id=author.pk,
                    text=body,
                    reply_to_id=reply_to_id,
                )
            )
        comment = Comment.objects.create(
            note=note,
            note_author_id=note.author_id,
            author=author,
            body=screening.text,
            parent=parent,
            reply_to=reply_to,
            reply_to_user_id=reply_to.author_id if reply_to else None,
            moderation=(
                ModerationVisibility.REVIEW
                if screening.needs_review
                else ModerationVisibility.VISIBLE
            ),
            creator_state=verdict.state if verdict else CreatorState.VISIBLE,
        )
        if parent is not None and comment.counts_publicly:
            Comment.objects.filter(pk=parent.pk).update(replies_count=F("replies_count") + 1)
        if by_note_author and parent is not None:
            # The author answered: the comment answered and its thread leave "not yet replied".
            Comment.objects.filter(
                pk__in={parent.pk, reply_to.pk}, creator_replied_at__isnull=True
            ).update(creator_replied_at=comment.created_at)
        if _counts_on_note(comment, parent):
            _change_engagement(note, comments=1)
        if screening.needs_review:
            _queue_for_review(target="comment", object_id=comment.pk, held=[screening])
        if verdict is not None and verdict.block_author:
            block_create(blocker=note.author, blocked_id=author.pk)
        server_event_enqueue(
            kind=EventKind.COMMENT,
            actor_id=author.pk,
            note_id=note.pk,
            target_user_id=note.author_id,
            properties={"comment_id": comment.pk, "reply": parent is not None},
        )
    return comment


def _ensure_may_comment(*, note: Note, author: User) -> None:
    """The note's "who may comment" setting (its author always may)."""
    if note.who_can_comment == CommentPermission.NOBODY:
        raise Forbidden("Comments are turned off on this note.", code="comment.closed")
    if (
        note.who_can_comment == CommentPermission.FANS
        and not Follow.objects.filter(follower_id=author.pk, followee_id=note.author_id).exists()
    ):
        raise Forbidden(
            "Only the author's fans can comment on this note.", code="comment.fans_only"
        )


def _reply_target(*, note: Note, author: User, reply_to_id: int) -> tuple[Comment, Comment]:
    """The comment answered and the top-level comment the reply hangs under (locked).

    Caller holds the note's lock; the parent is locked next (note, then comments).
    """
    invalid = InvalidInput(
        "You can only reply to a visible comment on this note.",
        code="comment.invalid_reply_target",
        fields={"reply_to": ["No such comment on this note."]},
    )
    target = Comment.objects.filter(pk=reply_to_id, note=note).first()
    if target is None:
        raise invalid
    parent = Comment.objects.select_for_update().get(pk=target.parent_id or target.pk)
    if target.pk == parent.pk:
        target = parent
    if not comment_shown(parent, author.pk) or not comment_shown(target, author.pk):
        raise invalid
    for other_id in {parent.author_id, target.author_id} - {author.pk}:
        if is_blocked_either_way(author.pk, other_id):
            raise Forbidden("You cannot reply to this user.", code="comment.blocked")
    return target, parent


def comments_lock(comment_ids: Collection[int]) -> tuple[dict[int, Note], dict[int, Comment]]:
    """Lock comments with their notes and parents, in the house order (caller's transaction).

    All the notes first (pk order), then the comments and their parents together (pk order, so
    a parent before its replies). Returns both by id; an id that does not exist is absent. The
    two dicts are what the ``*_locked`` writers below take.
    """
    found = list(Comment.objects.filter(pk__in=comment_ids).values_list("note_id", "parent_id"))
    rows = set(comment_ids) | {parent_id for _, parent_id in found if parent_id is not None}
    notes = Note.objects.select_for_update().filter(pk__in={n for n, _ in found}).order_by("pk")
    comments = Comment.objects.select_for_update().filter(pk__in=rows).order_by("pk")
    return {n.pk: n for n in notes}, {c.pk: c for c in comments}


def _change_comments(
    *,
    notes: dict[int, Note],
    comments: dict[int, Comment],
    changed: Collection[int],
    **fields: object,
) -> None:
    """Write ``fields`` on the changed comments and move every counter the change touches.

    ``notes`` and ``comments`` (the changed comments and their parents) come locked from
    ``comments_lock``. A comment counts on its note while it and, for a reply, its parent count
    publicly; a top-level comment carries its counted replies in and out of the count, and
    deleting it deletes them. Set-based: the same few statements for one comment or a hundred.
    """
    if not changed:
        return
    before = {pk: comment.counts_publicly for pk, comment in comments.items()}
    for pk in changed:
        for name, value in fields.items():
            setattr(comments[pk], name, value)
    after = {pk: comment.counts_publicly for pk, comment in comments.items()}
    deleting = fields.get("status") == CommentStatus.DELETED

    def counted(own: dict[int, bool], comment: Comment) -> bool:
        return own[comment.pk] and (comment.parent_id is None or own[comment.parent_id])

    note_deltas: Counter[int] = Counter()
    reply_deltas: Counter[int] = Counter()
    flipped_tops = []
    for pk in changed:
        comment = comments[pk]
        note_deltas[comment.note_id] += counted(after, comment) - counted(before, comment)
        if comment.parent_id is None:
            if after[pk] != before[pk]:
                flipped_tops.append(pk)
        elif after[pk] != before[pk] and not (deleting and comment.parent_id in changed):
            reply_deltas[comment.parent_id] += after[pk] - before[pk]
    if flipped_tops:  # their counted replies outside this change follow them
        carried = (
            Comment.objects.filter(parent_id__in=flipped_tops, **COUNTED_COMMENT)
            .exclude(pk__in=changed)
            .order_by()
            .values_list("parent_id")
            .annotate(n=Count("pk"))
        )
        for parent_id, n in carried:
            top = comments[parent_id]
            note_deltas[top.note_id] += n * (after[parent_id] - before[parent_id])

    Comment.objects.filter(pk__in=changed).update(**fields)
    if deleting:
        tops = [pk for pk in changed if comments[pk].parent_id is None]
        if tops:
            Comment.objects.filter(parent_id__in=tops, status=CommentStatus.VISIBLE).update(
                status=CommentStatus.DELETED, deleted_at=fields.get("deleted_at")
            )
            Comment.objects.filter(pk__in=tops).update(replies_count=0)
            for pk in tops:
                comments[pk].replies_count = 0
    reply_deltas = Counter({pk: d for pk, d in reply_deltas.items() if d})
    if reply_deltas:
        Comment.objects.filter(pk__in=reply_deltas).update(
            replies_count=F("replies_count")
            + Case(
                *(When(pk=pk, then=Value(d)) for pk, d in reply_deltas.items()),
                default=Value(0),
                output_field=BigIntegerField(),
            )
        )
        for pk, delta in reply_deltas.items():
            comments[pk].replies_count += delta
    moved = []
    for note_id, delta in note_deltas.items():
        note = notes[note_id]
        if delta and note.status == NoteStatus.PUBLISHED:
            note.comments_count += delta
            _refresh_rank(note)
            moved.append(note)
    # Absolute values are safe: every note here is locked and was read under its lock.
    Note.objects.bulk_update(moved, ["comments_count", "rank"])


def comment_delete(*, comment_id: int, actor: User) -> None:
    """Soft-delete a comment (by its author or the note's author); a top-level comment's
    replies go with it."""
    with transaction.atomic():
        notes, comments = comments_lock([comment_id])
        comment = comments.get(comment_id)
        if comment is None:
            raise comment_not_found()
        note = notes[comment.note_id]
        if comment.status == CommentStatus.DELETED or not note_visible_to(note, actor.pk):
            raise comment_not_found()
        if actor.pk not in (comment.author_id, note.author_id):
            if comment_visible_to(comment, actor.pk):
                raise Forbidden(
                    "Only the comment's author or the note's author can delete it.",
                    code="comment.not_author",
                )
            raise comment_not_found()
        comments_delete_locked(notes=notes, comments=comments, ids=[comment_id])


def comment_moderation_set(*, comment: Comment, visibility: str) -> Comment:
    """Apply a moderation decision to a comment and move the note's comment count."""
    if visibility not in ModerationVisibility.values:
        raise InvalidInput(f"Unknown visibility {visibility!r}.", code="moderation.visibility")
    with transaction.atomic():
        notes, comments = comments_lock([comment.pk])
        locked = comments[comment.pk]
        if locked.moderation != visibility:
            _change_comments(
                notes=notes, comments=comments, changed=[comment.pk], moderation=visibility
            )
    comment.moderation = visibility
    return locked


def comments_delete_locked(
    *, notes: dict[int, Note], comments: dict[int, Comment], ids: Collection[int]
) -> None:
    """Soft-delete comments (a top-level comment's replies go with it), moving every counter.

    ``notes`` and ``comments`` come locked from ``comments_lock`` in the caller's transaction.
    """
    _change_comments(
        notes=notes,
        comments=comments,
        changed=ids,
        status=CommentStatus.DELETED,
        deleted_at=timezone.now(),
        pinned_at=None,
    )


def comments_creator_state_set_locked(
    *, notes: dict[int, Note], comments: dict[int, Comment], ids: Collection[int], state: str
) -> None:
    """Set the note author's decision on comments, moving every counter; anything but visible
    unpins. The caller checked the move (``COMMENT_MACHINE``) and holds ``comments_lock``."""
    if state not in CreatorState.values:
        raise InvalidInput(f"Unknown state {state!r}.", code="comment.unknown_state")
    extra = {} if state == CreatorState.VISIBLE else {"pinned_at": None}
    _change_comments(notes=notes, comments=comments, changed=ids, creator_state=state, **extra)


def comment_pin_set_locked(*, comment: Comment, pinned: bool) -> Comment:
    """Pin a visible top-level comment (moving the note's earlier pin) or unpin it; a repeat
    changes nothing. The caller checked who may pin and holds ``comments_lock`` on it."""
    if pinned and comment.parent_id is not None:
        raise Conflict("Only a top-level comment can be pinned.", code="comment.pin_reply")
    if pinned and comment.creator_state != CreatorState.VISIBLE:
        raise IllegalTransition(
            f"A {comment.creator_state} comment cannot be pinned.",
            code=COMMENT_MACHINE.code,
            state=comment.creator_state,
            action="pin",
        )
    if pinned and comment.pinned_at is None:
        Comment.objects.filter(note_id=comment.note_id, pinned_at__isnull=False).update(
            pinned_at=None
        )
        comment.pinned_at = timezone.now()
        comment.save(update_fields=["pinned_at"])
    elif not pinned and comment.pinned_at is not None:
        comment.pinned_at = None
        comment.save(update_fields=["pinned_at"])
    return comment
