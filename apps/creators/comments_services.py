"""Writes for comment management that are the creator center's own: blocked words, trusted
commenters, replying and blocking from the inbox.

Hiding, approving, pinning and deleting change notes' rows and counters, so they are notes
services (``comments_manage``, ``comment_pin``...) called by the views directly.
"""

from django.db import IntegrityError, transaction

from apps.accounts.models import Profile, User
from apps.accounts.services import block_create, is_blocked_either_way
from apps.core.errors import Conflict, InvalidInput, NotFound
from apps.creators.comments_selectors import get_comment_for_creator
from apps.creators.models import BlockedWord, BlockedWordAction, TrustedCommenter
from apps.moderation.normalize import normalize
from apps.notes.models import Comment
from apps.notes.services import comment_create, comments_hide_by_author

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
