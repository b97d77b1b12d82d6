"""A creator's own comment filters, applied to every new comment on their notes.

Registered with notes' ``comment_filters`` (``apps/notes/hooks.py``) in ``CreatorsConfig.ready``:
notes' ``comment_create`` asks ``creator_comment_filter`` what to do with a comment by someone
other than the note's author: the creator's blocked words are matched after
moderation's normalisation (full-width, case, spaces, punctuation, emoji and invisible
characters do not matter), so "Ｌ i n k" matches "link"; a word in Latin letters matches whole
words only (as moderation's whole-word rules do), a Chinese word anywhere. Trusted commenters
skip the words. The strongest hit decides: block > hold > hide.
"""

from django.db.models import Exists, OuterRef

from apps.creators.models import BlockedWord, BlockedWordAction, TrustedCommenter
from apps.moderation.normalize import (
    at_word_boundaries,
    is_latin_term,
    normalize,
    normalize_with_offsets,
)
from apps.notes.hooks import ALLOWED, CommentDraft, CommentVerdict
from apps.notes.models import CreatorState

ACTION_RANK = {BlockedWordAction.HIDE: 1, BlockedWordAction.HOLD: 2, BlockedWordAction.BLOCK: 3}
STATE_FOR_ACTION = {
    BlockedWordAction.HIDE: CreatorState.HIDDEN,
    BlockedWordAction.HOLD: CreatorState.HELD,
    BlockedWordAction.BLOCK: CreatorState.HIDDEN,
}


def _occurs(word: str, text: str, normalized_text: str) -> bool:
    """Whether a normalised word occurs in the text (whole words for Latin words)."""
    if word not in normalized_text:
        return False
    if not is_latin_term(word):
        return True
    with_offsets = normalize_with_offsets(text)
    start = with_offsets.text.find(word)
    while start != -1:
        if at_word_boundaries(with_offsets, start, start + len(word)):
            return True
        start = with_offsets.text.find(word, start + 1)
    return False


def matching_action(words: list[tuple[str, str, str]], text: str) -> tuple[str, str] | None:
    """The strongest (action, word) among ``(normalized, action, word)`` rows found in text."""
    normalized_text = normalize(text)
    best: tuple[str, str] | None = None
    for normalized, action, word in words:
        if best is not None and ACTION_RANK[action] <= ACTION_RANK[best[0]]:
            continue
        if _occurs(normalized, text, normalized_text):
            best = (action, word)
    return best


def comment_verdict(*, creator_id: int, commenter_id: int, text: str) -> CommentVerdict:
    """What the creator's filters do to a comment on their note (one query)."""
    trusted = TrustedCommenter.objects.filter(creator_id=creator_id, user_id=commenter_id)
    words = list(
        BlockedWord.objects.filter(creator_id=creator_id)
        .filter(~Exists(trusted.filter(creator_id=OuterRef("creator_id"))))
        .values_list("normalized", "action", "word")
    )
    if not words:
        return ALLOWED
    found = matching_action(words, text)
    if found is None:
        return ALLOWED
    action, word = found
    return CommentVerdict(
        state=STATE_FOR_ACTION[action],
        block_author=action == BlockedWordAction.BLOCK,
        word=word,
    )


def creator_comment_filter(draft: CommentDraft) -> CommentVerdict:
    """The note author's filters on a draft comment (notes' ``comment_filters`` entry)."""
    return comment_verdict(
        creator_id=draft.note_author_id, commenter_id=draft.commenter_id, text=draft.text
    )
