"""Comment management writes, the creator center's own: the inbox actions (hide, unhide,
approve, reject, delete, batches, pins, hiding a blocked user's comments), blocked words,
trusted commenters, replying and blocking from the inbox.

The rows and counters are notes': every action locks through ``notes.services.comments_lock``
(notes in pk order, then comments in pk order) and writes through notes' locked writers, which
move every counter. The moves between comment states are ``COMMENT_MACHINE``'s.
"""

from collections.abc import Collection, Sequence

from django.db import IntegrityError, transaction
from django.db.models import F

from apps.accounts.models import Profile, User
from apps.accounts.services import block_create, is_blocked_either_way
from apps.core.errors import Conflict, InvalidInput, NotFound
from apps.core.states import IllegalTransition
from apps.creators.comments_selectors import get_comment_for_creator
from apps.creators.models import BlockedWord, BlockedWordAction, TrustedCommenter
from apps.moderation.normalize import normalize
from apps.moderation.targets import Visibility as ModerationVisibility
from apps.notes.constants import MAX_ID
from apps.notes.models import (
    COMMENT_MACHINE,
    COUNTED_COMMENT,
    Comment,
    CommentStatus,
    CreatorState,
    Note,
    NoteStatus,
)
from apps.notes.services import (
    comment_create,
    comment_pin_set_locked,
    comments_creator_state_set_locked,
    comments_delete_locked,
    comments_lock,
)

COMMENT_ACTIONS = (*COMMENT_MACHINE.actions, "delete")
MAX_COMMENT_BATCH = 100
MAX_BLOCKED_WORDS = 200
MAX_TRUSTED_COMMENTERS = 1000
WORD_MAX = 30
NORMALIZED_MAX = 120


def _lock_creator(creator: User) -> None:
    """Serialise one creator's list changes (limits are counted under this lock)."""
    Profile.objects.select_for_update().filter(user_id=creator.pk).first()


def _normalized_word(word: str) -> tuple[str, str]:
    word = word.strip()
    normalized = normalize(word)
    if not word or len(word) > WORD_MAX:
        raise InvalidInput(
            f"A blocked word has 1 to {WORD_MAX} characters.",
            code="blocked_word.invalid",
            fields={"word": [f"1 to {WORD_MAX} characters."]},
        )
    if not normalized or len(normalized) > NORMALIZED_MAX:
        raise InvalidInput(
            "A blocked word needs letters or digits.",
            code="blocked_word.invalid",
            fields={"word": ["Spaces, punctuation and emoji are ignored when matching."]},
        )
    return word, normalized


def _duplicate_word() -> Conflict:
    return Conflict(
        "You already block this word.",
        code="blocked_word.duplicate",
        fields={"word": ["Already in your list (case, width and punctuation are ignored)."]},
    )


def _check_action(action: str) -> None:
    if action not in BlockedWordAction.values:
        raise InvalidInput(
            f"Unknown action {action!r}.",
            code="blocked_word.action",
            fields={"action": [f"One of {', '.join(BlockedWordAction.values)}."]},
        )


def blocked_word_create(*, creator: User, word: str, action: str) -> BlockedWord:
    """Add a word to the creator's list; it applies to comments written from now on."""
    word, normalized = _normalized_word(word)
    _check_action(action)
    try:
        with transaction.atomic():
            _lock_creator(creator)
            if BlockedWord.objects.filter(creator_id=creator.pk).count() >= MAX_BLOCKED_WORDS:
                raise Conflict(
                    f"At most {MAX_BLOCKED_WORDS} blocked words.", code="blocked_word.limit"
                )
            return BlockedWord.objects.create(
                creator=creator, word=word, normalized=normalized, action=action
            )
    except IntegrityError:
        raise _duplicate_word() from None


def _own_word(*, creator: User, word_id: int) -> BlockedWord:
    found = BlockedWord.objects.select_for_update().filter(pk=word_id, creator_id=creator.pk)
    word = found.first()
    if word is None:
        raise NotFound("Blocked word not found.", code="blocked_word.not_found")
    return word


def blocked_word_update(
    *, creator: User, word_id: int, word: str | None = None, action: str | None = None
) -> BlockedWord:
    """Change one of the creator's blocked words or its action."""
    if action is not None:
        _check_action(action)
    normalized_pair = _normalized_word(word) if word is not None else None
    try:
        with transaction.atomic():
            row = _own_word(creator=creator, word_id=word_id)
            if normalized_pair is not None:
                row.word, row.normalized = normalized_pair
            if action is not None:
                row.action = action
            row.save(update_fields=["word", "normalized", "action"])
    except IntegrityError:
        raise _duplicate_word() from None
    return row


def blocked_word_delete(*, creator: User, word_id: int) -> None:
    """Remove one of the creator's blocked words; comments it already caught stay as they are."""
    with transaction.atomic():
        _own_word(creator=creator, word_id=word_id).delete()


def trusted_commenter_add(*, creator: User, user_id: int) -> tuple[TrustedCommenter, bool]:
    """Trust a user: their comments on the creator's notes skip the blocked words.

    Returns the row and whether it is new; trusting a trusted user changes nothing.
    """
    if user_id == creator.pk:
        raise Conflict("You cannot add yourself.", code="trusted.self")
    if not User.objects.filter(pk=user_id, is_active=True).exists():
        raise NotFound("User not found.", code="user.not_found")
    with transaction.atomic():
        _lock_creator(creator)
        existing = TrustedCommenter.objects.filter(creator_id=creator.pk, user_id=user_id).first()
        if existing is not None:
            return existing, False
        if is_blocked_either_way(creator.pk, user_id):
            raise Conflict("You cannot trust a user blocked either way.", code="trusted.blocked")
        if TrustedCommenter.objects.filter(creator_id=creator.pk).count() >= MAX_TRUSTED_COMMENTERS:
            raise Conflict(
                f"At most {MAX_TRUSTED_COMMENTERS} trusted commenters.", code="trusted.limit"
            )
        return TrustedCommenter.objects.create(creator=creator, user_id=user_id), True


def trusted_commenter_remove(*, creator: User, user_id: int) -> bool:
    """Stop trusting a user; repeating it changes nothing. Returns whether a row was removed."""
    deleted, _ = TrustedCommenter.objects.filter(creator_id=creator.pk, user_id=user_id).delete()
    return bool(deleted)


def comment_reply_as_creator(*, creator: User, comment_id: int, body: str) -> Comment:
    """Answer a comment on one of the creator's notes (a notes reply by the note's author)."""
    comment = get_comment_for_creator(comment_id=comment_id, creator=creator)
    return comment_create(
        author=creator, note_id=comment.note_id, body=body, reply_to_id=comment.pk
    )


def comment_author_block(
    *, creator: User, comment_id: int, hide_comments: bool = True
) -> tuple[int, int]:
    """Block the author of a comment on the creator's notes, hiding what they wrote there.

    Returns the blocked user's id and how many comments were hidden. Hiding locks notes and
    comments, blocking locks profiles: in that order, the house order.
    """
    comment = get_comment_for_creator(comment_id=comment_id, creator=creator)
    if comment.author_id == creator.pk:
        raise Conflict("You cannot block yourself.", code="block.self")
    with transaction.atomic():
        hidden = (
            comments_hide_by_author(note_author=creator, author_id=comment.author_id)
            if hide_comments
            else 0
        )
        block_create(blocker=creator, blocked_id=comment.author_id)
    return comment.author_id, hidden


# --- the inbox actions --------------------------------------------------------------------


def _managed_comments(
    *, note_author: User, comment_ids: Collection[int]
) -> tuple[dict[int, Note], dict[int, Comment]]:
    """Lock comments on the author's own notes, or refuse the whole request with 404.

    A comment counts as the author's to manage while it is on one of their notes (not deleted),
    not deleted itself and not held or hidden by moderation; any other id, however it fails,
    gives the same 404, so ids of other creators' comments reveal nothing.
    """
    ids = set(comment_ids)
    possible = {pk for pk in ids if 0 < pk <= MAX_ID}  # a path can carry any number of digits
    owned = set(
        Comment.objects.filter(pk__in=possible, note_author_id=note_author.pk).values_list(
            "pk", flat=True
        )
    )
    notes: dict[int, Note] = {}
    comments: dict[int, Comment] = {}
    missing = sorted(ids - owned)
    if not missing:  # lock only what is the author's, then look again under the locks
        notes, comments = comments_lock(ids)
        missing = sorted(
            pk
            for pk in ids
            if comments[pk].status != CommentStatus.VISIBLE
            or comments[pk].moderation != ModerationVisibility.VISIBLE
            or notes[comments[pk].note_id].status == NoteStatus.DELETED
        )
    if missing:
        raise NotFound(
            "Comment not found.",
            code="comment.not_found",
            fields={"ids": [f"Not a comment on your notes: {', '.join(map(str, missing))}."]},
        )
    return notes, comments


def comments_manage(*, note_author: User, comment_ids: Sequence[int], action: str) -> list[Comment]:
    """Hide, unhide, approve, reject or delete comments on the author's notes: all or none.

    Up to ``MAX_COMMENT_BATCH`` ids; one foreign, missing or deleted id refuses the whole
    request (404), one comment in a state the action cannot leave refuses it too (409
    ``comment.illegal_transition``). A repeat (hiding a hidden comment) changes nothing. Never
    touches moderation or strikes. Set-based: the same statements for one comment or a hundred.
    """
    if action not in COMMENT_ACTIONS:
        raise InvalidInput(f"Unknown action {action!r}.", code="comment.unknown_action")
    ids = list(dict.fromkeys(comment_ids))
    if not 1 <= len(ids) <= MAX_COMMENT_BATCH:
        raise InvalidInput(
            f"Send 1 to {MAX_COMMENT_BATCH} comment ids.",
            code="comment.batch_size",
            fields={"ids": [f"1 to {MAX_COMMENT_BATCH} ids."]},
        )
    with transaction.atomic():
        notes, comments = _managed_comments(note_author=note_author, comment_ids=ids)
        if action == "delete":
            comments_delete_locked(notes=notes, comments=comments, ids=ids)
            return [comments[pk] for pk in ids]
        (target,) = COMMENT_MACHINE.targets(action)
        allowed = COMMENT_MACHINE.sources(action)
        if action in COMMENT_MACHINE.repeatable:  # a repeat is allowed and changes nothing
            allowed |= {target}
        stuck = sorted(pk for pk in ids if comments[pk].creator_state not in allowed)
        if stuck:
            states = ", ".join(f"{pk} is {comments[pk].creator_state}" for pk in stuck)
            error = IllegalTransition(
                f"Cannot {action} these comments ({states}).",
                code=COMMENT_MACHINE.code,
                state=comments[stuck[0]].creator_state,
                action=action,
            )
            error.fields = {"ids": [states]}
            raise error
        changed = [pk for pk in ids if comments[pk].creator_state != target]
        comments_creator_state_set_locked(notes=notes, comments=comments, ids=changed, state=target)
    return [comments[pk] for pk in ids]


def comments_hide_by_author(*, note_author: User, author_id: int) -> int:
    """Hide every visible comment a user wrote on the note author's notes (when blocking them).

    Returns how many were hidden. Unbounded, unlike ``comments_manage``: every note involved is
    locked first, in pk order, then the comments, as everywhere.
    """
    with transaction.atomic():
        ids = list(
            Comment.objects.filter(
                note_author_id=note_author.pk, author_id=author_id, **COUNTED_COMMENT
            )
            .exclude(author=F("note_author"))  # the condition of the inbox's author index
            .values_list("pk", flat=True)
        )
        if not ids:
            return 0
        notes, comments = comments_lock(ids)
        changed = [pk for pk in ids if comments[pk].counts_publicly]  # looked at under the lock
        comments_creator_state_set_locked(
            notes=notes, comments=comments, ids=changed, state=CreatorState.HIDDEN
        )
    return len(changed)


def comment_pin(*, note_author: User, comment_id: int) -> Comment:
    """Pin a visible top-level comment on the author's note; it replaces any earlier pin."""
    with transaction.atomic():
        _, comments = _managed_comments(note_author=note_author, comment_ids=[comment_id])
        return comment_pin_set_locked(comment=comments[comment_id], pinned=True)


def comment_unpin(*, note_author: User, comment_id: int) -> Comment:
    """Unpin a comment on the author's note; unpinning an unpinned comment changes nothing."""
    with transaction.atomic():
        _, comments = _managed_comments(note_author=note_author, comment_ids=[comment_id])
        return comment_pin_set_locked(comment=comments[comment_id], pinned=False)
