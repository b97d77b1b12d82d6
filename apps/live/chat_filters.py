"""A host's blocked words applied to chat in their rooms, each word with its own action.

Matched after moderation's normalisation (full-width, case, spaces, punctuation and invisible
characters do not matter), as creators' comment filters match: a Latin word matches whole
words only, a Chinese word anywhere. The strongest hit decides: block > hold > mask; a mask
replaces each occurrence of every mask word in the original text with asterisks.
"""

from dataclasses import dataclass

from apps.live.models import LiveBlockedWord, LiveBlockedWordAction
from apps.moderation.normalize import at_word_boundaries, is_latin_term, normalize_with_offsets

RANK = {
    LiveBlockedWordAction.MASK: 1,
    LiveBlockedWordAction.HOLD: 2,
    LiveBlockedWordAction.BLOCK: 3,
}


@dataclass(frozen=True)
class WordVerdict:
    action: str | None  # None: no word hit
    text: str  # masked where a mask word hit
    word: str = ""


def _spans(word: str, text: str) -> list[tuple[int, int]]:
    """Original-text spans where the normalised ``word`` occurs (whole words if Latin)."""
    normalized = normalize_with_offsets(text)
    spans: list[tuple[int, int]] = []
    start = normalized.text.find(word)
    while start != -1:
        end = start + len(word)
        if not is_latin_term(word) or at_word_boundaries(normalized, start, end):
            spans.append(normalized.original_span(start, end))
        start = normalized.text.find(word, start + 1)
    return spans


Words = tuple[tuple[str, str, str], ...]  # (normalised word, action, word as written)


def host_words(host_id: int) -> Words:
    """The host's blocked words (one query; ``apps.live.speakers`` keeps them per room)."""
    rows = LiveBlockedWord.objects.filter(host_id=host_id).values_list(
        "normalized", "action", "word"
    )
    return tuple(rows)


def host_words_verdict(*, words: Words, text: str) -> WordVerdict:
    """What the host's words do to one chat message."""
    if not words:
        return WordVerdict(action=None, text=text)
    best: tuple[str, str] | None = None
    masked = list(text)
    for normalized, action, word in words:
        spans = _spans(normalized, text)
        if not spans:
            continue
        if action == LiveBlockedWordAction.MASK:
            for start, end in spans:
                masked[start:end] = ["*"] * (end - start)
        if best is None or RANK[action] > RANK[best[0]]:
            best = (action, word)
    if best is None:
        return WordVerdict(action=None, text=text)
    return WordVerdict(action=best[0], text="".join(masked), word=best[1])
