"""Screening: each action on each surface, evasions, whole words, masking, contact details."""

import pytest

from apps.core.errors import InvalidInput
from apps.moderation import services
from apps.moderation.models import KeywordRule
from apps.moderation.screening import Action, ContentBlocked, Surface, screen_text

pytestmark = pytest.mark.django_db

SURFACES = list(Surface.values)


@pytest.mark.parametrize("surface", SURFACES)
@pytest.mark.parametrize("action", [Action.BLOCK, Action.REVIEW, Action.MASK])
def test_each_action_on_each_surface(make_rule, surface: str, action: str) -> None:
    make_rule("刷单返利", category="fraud", action=action, surfaces=[surface])
    text = "兼职刷单返利日结"
    result = screen_text(surface=surface, text=text)

    if action == Action.MASK and surface == Surface.USERNAME:
        action = Action.BLOCK  # a username cannot carry asterisks: masking refuses it
    assert result.action == action
    assert [(hit.category, hit.start, hit.end) for hit in result.hits] == [("fraud", 2, 6)]
    if action == Action.BLOCK:
        with pytest.raises(ContentBlocked) as raised:
            result.raise_if_blocked()
        assert raised.value.code == "moderation.blocked"
        assert "fraud" in raised.value.message
    elif action == Action.MASK:
        result.raise_if_blocked()
        assert result.text == "兼职****日结"
        assert not result.needs_review
    else:
        result.raise_if_blocked()
        assert result.needs_review
        assert result.text == text
    # The rule is limited to its surface.
    for other in SURFACES:
        if other != surface:
            assert screen_text(surface=other, text=text).action == Action.ALLOW


@pytest.mark.parametrize(
    "text",
    [
        "一起来赌 博",  # inserted space
        "一起来赌.博",  # inserted punctuation
        "一起来赌、博",  # full-width punctuation
        "一起来赌\u200b博",  # zero-width space
        "一起来赌\u200d博",  # zero-width joiner
        "一起来赌\ufeff博",  # byte-order mark
        "一起来赌🎲博",  # emoji
        "来玩ＢＥＴ３６５",  # full-width letters and digits
        "来玩 B e T 3 6 5",  # spaces and mixed case
        "来玩b.e.t.3.6.5",  # punctuation
        "来玩b\u200be\u200ct\u200d365",  # zero-width characters
    ],
)
def test_evasions_are_caught(make_rule, text: str) -> None:
    make_rule("赌博", category="gambling")
    make_rule("bet365", category="gambling")
    result = screen_text(surface=Surface.COMMENT, text=text)
    assert result.action == Action.BLOCK
    assert {hit.category for hit in result.hits} == {"gambling"}


@pytest.mark.parametrize(
    "text",
    [
        "my class starts at nine",
        "a personal assistant",
        "the passage is long",
        "Massachusetts",
        "grass is greener",
        "glass sand",  # "ass" across the word boundary of "glass sand"
        "visit pen island",  # "penis" across a word boundary
        "a therapist helps",  # "rapist" inside a word
        "Scunthorpe United",
    ],
)
def test_whole_word_rules_do_not_hit_inside_or_across_words(make_rule, text: str) -> None:
    for term in ("ass", "penis", "rapist", "cunt"):
        make_rule(term, category="abuse", action="block", whole_word=True)
    assert screen_text(surface=Surface.NOTE, text=text).action == Action.ALLOW


@pytest.mark.parametrize(
    "text",
    ["you ass", "ASS!", "what an a.s.s", "ａｓｓ", "an a s s here", "蠢ass", "(ass)"],
)
def test_whole_word_rules_still_hit_whole_words_and_their_evasions(make_rule, text) -> None:
    make_rule("ass", category="abuse", action="mask", whole_word=True)
    result = screen_text(surface=Surface.COMMENT, text=text)
    assert result.action == Action.MASK
    assert "ass" not in result.text.lower()


def test_without_whole_word_a_term_hits_inside_words(make_rule) -> None:
    make_rule("ass", category="abuse", action="mask")
    assert screen_text(surface=Surface.NOTE, text="classic").text == "cl***ic"


def test_whole_word_is_refused_for_non_latin_terms() -> None:
    with pytest.raises(InvalidInput) as raised:
        services.keyword_rule_create(
            term="赌博", category="gambling", action="block", whole_word=True
        )
    assert "whole_word" in raised.value.fields
    assert not KeywordRule.objects.exists()


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        ("加我微 信哦", "加我* *哦"),  # the space stays, the characters are masked
        ("加我微\u200b信", "加我*\u200b*"),
        ("加我ＷＥＩＸＩＮ", "加我******"),
        ("加我w-e-i-x-i-n啊", "加我*-*-*-*-*-*啊"),
        ("微信微信", "****"),
    ],
)
def test_mask_maps_hits_back_to_the_original_characters(make_rule, text, masked) -> None:
    make_rule("微信", category="contact", action="mask")
    make_rule("weixin", category="contact", action="mask")
    result = screen_text(surface=Surface.COMMENT, text=text)
    assert result.action == Action.MASK
    assert result.text == masked


def test_strongest_action_wins_and_mask_still_applies(make_rule) -> None:
    make_rule("代购", category="ads", action="review")
    make_rule("微信", category="contact", action="mask")
    result = screen_text(surface=Surface.NOTE, text="正品代购加微信")
    assert result.action == Action.REVIEW
    assert result.text == "正品代购加**"
    make_rule("高仿", category="fraud", action="block")
    blocked = screen_text(surface=Surface.NOTE, text="高仿代购加微信")
    assert blocked.action == Action.BLOCK
    with pytest.raises(ContentBlocked) as raised:
        blocked.raise_if_blocked()
    assert raised.value.categories == ["fraud"]


@pytest.mark.parametrize(
    "text",
    [
        "电话13800138000",
        "call 138 0013 8000 now",
        "138-0013-8000",
        "+86 13800138000",
        "８６１３８００１３８０００",
        "幺叁捌零零幺叁捌零零零",
        "微信：abc_12345",
        "加wx abc12345",
        "vx: coolguy",
        "WeChat: lily-2024 见",
        "wxid_abcdefg123",
    ],
)
@pytest.mark.parametrize("surface", [Surface.NOTE, Surface.COMMENT])
def test_phone_numbers_and_wechat_ids_are_contact_hits(text: str, surface: str) -> None:
    result = screen_text(surface=surface, text=text)
    assert result.action == Action.MASK  # MODERATION_CONTACT_ACTION
    assert {hit.category for hit in result.hits} == {"contact"}
    assert sum(char == "*" for char in result.text) >= 6


@pytest.mark.parametrize(
    "text",
    [
        "价格 ¥1399 ¥1599",
        "订单号 202401011234",
        "I use wxwidgets daily",
        "微信支付很方便",
        "2024-01-13 18:00",
    ],
)
def test_ordinary_numbers_and_words_are_not_contact_hits(text: str) -> None:
    assert screen_text(surface=Surface.NOTE, text=text).action == Action.ALLOW


def test_contact_details_only_on_their_surfaces(settings) -> None:
    assert screen_text(surface=Surface.PROFILE, text="13800138000").action == Action.ALLOW
    settings.MODERATION_CONTACT_ACTION = Action.REVIEW
    assert screen_text(surface=Surface.COMMENT, text="13800138000").action == Action.REVIEW


def test_inactive_and_deleted_rules_stop_hitting(make_rule, django_capture_on_commit_callbacks):
    rule = make_rule("赌博", category="gambling")
    assert screen_text(surface=Surface.NOTE, text="赌博").action == Action.BLOCK
    with django_capture_on_commit_callbacks(execute=True):
        services.keyword_rule_update(rule_id=rule.pk, is_active=False)
    assert screen_text(surface=Surface.NOTE, text="赌博").action == Action.ALLOW
    with django_capture_on_commit_callbacks(execute=True):
        services.keyword_rule_update(rule_id=rule.pk, is_active=True, action="mask")
    assert screen_text(surface=Surface.NOTE, text="赌博").text == "**"
    with django_capture_on_commit_callbacks(execute=True):
        services.keyword_rule_delete(rule_id=rule.pk)
    assert screen_text(surface=Surface.NOTE, text="赌博").action == Action.ALLOW


def test_empty_text_and_no_rules_are_allowed() -> None:
    assert screen_text(surface=Surface.NOTE, text="").action == Action.ALLOW
    assert screen_text(surface=Surface.NOTE, text="普通的一天").hits == ()


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"term": " !!! "}, "term"),
        ({"category": "nonsense"}, "category"),
        ({"action": "allow"}, "action"),
        ({"surfaces": []}, "surfaces"),
        ({"surfaces": ["email"]}, "surfaces"),
    ],
)
def test_invalid_rules_are_refused_with_the_field(fields: dict, field: str) -> None:
    values = {"term": "赌博", "category": "gambling", "action": "block", **fields}
    with pytest.raises(InvalidInput) as raised:
        services.keyword_rule_create(**values)
    assert field in raised.value.fields
    assert not KeywordRule.objects.exists()


def test_duplicate_rule_after_normalisation_is_refused(make_rule) -> None:
    make_rule("赌博", category="gambling")
    with pytest.raises(InvalidInput) as raised:
        services.keyword_rule_create(term="赌 博", category="gambling", action="block")
    assert raised.value.code == "rule.duplicate"
