"""Normalisation: what evasions it undoes, and that its fast and mapped paths agree."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from apps.moderation.normalize import (
    at_word_boundaries,
    normalize,
    normalize_with_offsets,
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("ＷｅＣｈａｔ", "wechat"),  # full-width letters, case
        ("赌　博！", "赌博"),  # ideographic space, full-width punctuation
        ("f\u200bu\u200cc\u200dk\ufeff", "fuck"),  # zero-width space, joiners, BOM
        ("b.e-t_3/6 5", "bet365"),  # punctuation and spaces between the characters
        ("🎲赌🎲博🎲", "赌博"),  # emoji between the characters
        ("Ｃａｆé", "cafe"),  # accents split off and dropped
        ("①③⑧", "138"),  # circled digits
        ("STRASSE straße", "strassestrasse"),  # full case folding
    ],
)
def test_normalisation_undoes_common_evasions(text: str, expected: str) -> None:
    assert normalize(text) == expected
    assert normalize_with_offsets(text).text == expected


def test_offsets_point_at_the_original_characters() -> None:
    normalized = normalize_with_offsets("加我 微 信!")
    assert normalized.text == "加我微信"
    assert normalized.offsets == (0, 1, 3, 5)
    assert normalized.original_span(2, 4) == (3, 6)


def test_word_boundaries_come_from_deleted_separators_and_script_changes() -> None:
    text = normalize_with_offsets("my class, an ass; 买ass")
    key = text.text
    assert key == "myclassanass买ass"
    inside_class = key.index("ass")
    assert not at_word_boundaries(text, inside_class, inside_class + 3)
    standalone = key.index("ass", inside_class + 3 + 2)
    assert at_word_boundaries(text, standalone, standalone + 3)
    after_chinese = key.rindex("ass")
    assert at_word_boundaries(text, after_chinese, after_chinese + 3)
    # A zero-width space does not split a word: "cl\u200bass" is still "class".
    glued = normalize_with_offsets("cl\u200bass")
    assert not at_word_boundaries(glued, 2, 5)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=60))
def test_fast_path_equals_mapped_path(text: str) -> None:
    mapped = normalize_with_offsets(text)
    assert normalize(text) == mapped.text
    assert len(mapped.offsets) == len(mapped.text)
    assert len(mapped.separated) == len(mapped.text) + 1
    assert list(mapped.offsets) == sorted(mapped.offsets)
    assert all(0 <= offset < len(text) for offset in mapped.offsets)


def test_tag_characters_above_the_fast_table_are_deleted_too() -> None:
    hidden = "赌\U000e0041\U000e0020博"  # invisible tag characters between the two
    assert normalize(hidden) == "赌博" == normalize_with_offsets(hidden).text
    assert normalize("\U00020000字") == "\U00020000字"  # letters past the table are kept
