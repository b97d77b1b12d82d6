"""Text normalisation for keyword matching, with a map back to the original characters.

A term and a text are compared after the same steps, applied character by character:

1. NFKD compatibility decomposition: full-width letters, digits and punctuation become their
   half-width forms, circled and styled letters become plain ones, accents split off.
2. Case folding (``str.casefold``): ``ＡＢＣ``, ``Abc`` and ``abc`` compare equal.
3. Deletion of everything that is not a letter or a digit: spaces, punctuation, symbols and
   emoji, control and format characters (zero-width spaces and joiners), combining marks.

Every step maps one original character to zero or more characters independently of its
neighbours, so normalising a whole string at once (three C-level passes, the fast path used
when nothing is found) gives exactly the string built character by character with offsets (the
slow path, used only to place hits in the original text and check word boundaries).
"""

import re
import unicodedata
from dataclasses import dataclass
from functools import cache

# Unicode general categories deleted by normalisation.
DELETED_CATEGORIES = frozenset(
    {
        "Zs", "Zl", "Zp",  # spaces and separators
        "Pc", "Pd", "Ps", "Pe", "Pi", "Pf", "Po",  # punctuation
        "Sm", "Sc", "Sk", "So",  # symbols, emoji
        "Cc", "Cf",  # control and format (zero-width space, joiners, BOM, tags)
        "Mn", "Mc", "Me",  # combining marks (accents, variation selectors)
    }
)  # fmt: skip
# Deleted characters that do not separate words: "cl\u200bass" is still one word.
INVISIBLE_CATEGORIES = frozenset({"Cf", "Mn", "Mc", "Me"})

# Chinese numerals read as digits when looking for phone numbers.
NUMERAL_DIGITS = {
    "〇": "0", "零": "0", "洞": "0",
    "一": "1", "幺": "1", "壹": "1",
    "二": "2", "两": "2", "贰": "2",
    "三": "3", "叁": "3",
    "四": "4", "肆": "4",
    "五": "5", "伍": "5",
    "六": "6", "陆": "6",
    "七": "7", "柒": "7", "拐": "7",
    "八": "8", "捌": "8",
    "九": "9", "玖": "9", "勾": "9",
}  # fmt: skip
NUMERAL_TABLE = str.maketrans(NUMERAL_DIGITS)


@cache
def deletion_table() -> dict[int, None]:
    """``str.translate`` table deleting every code point of a deleted category.

    Built once per process (about 40 ms): the Basic and Supplementary Multilingual Planes and
    the tag block, where invisible characters used for evasion live.
    """
    ranges = (range(0, 0x20000), range(0xE0000, 0xE1000))
    return {
        cp: None
        for block in ranges
        for cp in block
        if unicodedata.category(chr(cp)) in DELETED_CATEGORIES
    }


# The fast path indexes a list instead of looking characters up in a dict (six times faster for
# Chinese text); the list covers the two planes almost every text stays in.
FAST_TABLE_SIZE = 0x20000
BEYOND_FAST_TABLE = re.compile("[\U000e0000-\U000e0fff]")  # deleted, above the list: tags


@cache
def _fast_deletion_table() -> list[int | None]:
    table: list[int | None] = list(range(FAST_TABLE_SIZE))
    for cp in deletion_table():
        if cp < FAST_TABLE_SIZE:
            table[cp] = None
    return table


def normalize(text: str) -> str:
    """The normalised form of a text (fast path: no offsets)."""
    folded = unicodedata.normalize("NFKD", text).casefold()
    if BEYOND_FAST_TABLE.search(folded):
        return folded.translate(deletion_table())
    return folded.translate(_fast_deletion_table())  # characters past the list stay as they are


@dataclass(frozen=True)
class Normalized:
    """A normalised text with, for each of its characters, where it came from.

    ``offsets[i]`` is the index in the original text of the character that produced
    normalised character ``i``; ``separated[i]`` says whether a visible separator (space,
    punctuation, symbol) was deleted just before normalised character ``i``
    (``separated[len(text)]`` covers the end).
    """

    text: str
    offsets: tuple[int, ...]
    separated: tuple[bool, ...]

    def original_span(self, start: int, end: int) -> tuple[int, int]:
        """Original [start, end) covering normalised characters [start, end)."""
        return self.offsets[start], self.offsets[end - 1] + 1


def normalize_with_offsets(text: str) -> Normalized:
    """The normalised form of a text with its offset map (slow path, only for texts with hits)."""
    table = deletion_table()
    chars: list[str] = []
    offsets: list[int] = []
    separated: list[bool] = []
    pending_separator = True  # the start of the text is a boundary
    for index, original in enumerate(text):
        for char in unicodedata.normalize("NFKD", original).casefold():
            if ord(char) in table:
                if unicodedata.category(char) not in INVISIBLE_CATEGORIES:
                    pending_separator = True
                continue
            chars.append(char)
            offsets.append(index)
            separated.append(pending_separator)
            pending_separator = False
    separated.append(True)  # the end of the text is a boundary
    return Normalized(text="".join(chars), offsets=tuple(offsets), separated=tuple(separated))


def is_latin_word_char(char: str) -> bool:
    """Letters and digits of Latin script (after normalisation, mostly ASCII)."""
    if char.isascii():
        return char.isalnum()
    return char.isalpha() and "LATIN" in unicodedata.name(char, "")


def is_latin_term(term: str) -> bool:
    """Whether a normalised term is written in Latin letters and digits only."""
    return bool(term) and all(is_latin_word_char(char) for char in term)


def at_word_boundaries(normalized: Normalized, start: int, end: int) -> bool:
    """Whether normalised [start, end) is a whole word: no Latin letter or digit glued to it.

    Separators deleted by normalisation count as boundaries, as do script changes (a Latin
    term right after a Chinese character is a whole word).
    """
    text = normalized.text
    left_ok = start == 0 or normalized.separated[start] or not is_latin_word_char(text[start - 1])
    right_ok = end == len(text) or normalized.separated[end] or not is_latin_word_char(text[end])
    return left_ok and right_ok


def contact_view(normalized_text: str) -> str:
    """The normalised text with Chinese numerals read as digits (same length, same offsets)."""
    return normalized_text.translate(NUMERAL_TABLE)
