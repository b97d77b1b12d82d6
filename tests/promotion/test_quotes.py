"""Quotes and eligibility: the numbers, and every refusal with its code."""

from datetime import timedelta

import pytest
from django.utils import timezone

from apps.core.errors import Conflict, Forbidden, InvalidInput, NotFound
from apps.moderation.targets import Visibility
from apps.notes.models import NoteStatus, NoteVisibility
from apps.promotion import services
from tests.factories import UserFactory
from tests.moderation.factories import strike_user
from tests.notes.factories import NoteFactory
from tests.promotion.factories import audience, creator_with_note, paid_order, request_for

pytestmark = pytest.mark.django_db


def test_quote_estimates_impressions_and_the_smart_audience(settings) -> None:
    settings.PROMOTION_CPM_FEN = 3_000
    creator, note = creator_with_note()
    audience(3)
    audience(2, slug="tech")  # outside the smart audience
    quote = services.promotion_quote(creator=creator, request=request_for(note, budget=20_000))
    assert quote.audience == {"interests": [note.category_id]}
    assert quote.audience_size == 3
    assert quote.estimated_impressions == 20_000 * 1000 // 3_000 == 6_666
    assert quote.rate_source == "default"
    assert quote.results_low <= quote.estimated_impressions * quote.rate <= quote.results_high
    assert quote.ends_at - quote.starts_at == timedelta(hours=24)


def test_custom_targeting_counts_every_dimension(settings) -> None:
    creator, note = creator_with_note()
    year = timezone.now().year
    audience(2, gender="female", region="shanghai", birth_year=year - 20)
    audience(1, gender="male", region="shanghai", birth_year=year - 20)
    audience(1, gender="female", region="beijing", birth_year=year - 20)
    audience(1, gender="female", region="shanghai", birth_year=year - 40)
    request = request_for(
        note,
        targeting_mode="custom",
        targeting={"genders": ["female"], "regions": ["shanghai"], "age_bands": ["18-24"]},
    )
    assert services.promotion_quote(creator=creator, request=request).audience_size == 2


def test_an_audience_below_the_minimum_is_refused(settings) -> None:
    settings.PROMOTION_MIN_AUDIENCE = 5
    creator, note = creator_with_note()
    audience(4)
    with pytest.raises(InvalidInput) as refused:
        services.promotion_quote(creator=creator, request=request_for(note))
    assert refused.value.code == "promotion.audience_too_small"


@pytest.mark.parametrize(
    ("changes", "code"),
    [
        ({"budget": 7_450}, "promotion.budget_invalid"),
        ({"budget": 7_550}, "promotion.budget_invalid"),
        ({"budget": 750_100}, "promotion.budget_invalid"),
        ({"duration_hours": 5}, "promotion.duration_invalid"),
        ({"starts_at": "later"}, "promotion.start_invalid"),
        ({"targeting_mode": "custom", "targeting": {}}, "promotion.targeting_empty"),
        (
            {"targeting_mode": "custom", "targeting": {"regions": ["mars"]}},
            "promotion.targeting_invalid",
        ),
    ],
)
def test_invalid_requests_are_refused(changes: dict, code: str) -> None:
    creator, note = creator_with_note()
    audience(2)
    if changes.get("starts_at") == "later":
        changes["starts_at"] = timezone.now() + timedelta(days=8)
    with pytest.raises(InvalidInput) as refused:
        services.promotion_quote(creator=creator, request=request_for(note, **changes))
    assert refused.value.code == code


def test_custom_budget_in_whole_yuan_is_accepted() -> None:
    creator, note = creator_with_note()
    audience(2)
    quote = services.promotion_quote(creator=creator, request=request_for(note, budget=123_400))
    assert quote.request.budget == 123_400


@pytest.mark.parametrize(
    ("change", "error", "code"),
    [
        ({"status": NoteStatus.DRAFT}, Conflict, "promotion.note_not_published"),
        ({"visibility": NoteVisibility.PRIVATE}, Conflict, "promotion.note_private"),
        ({"moderation": Visibility.HIDDEN}, Conflict, "promotion.note_moderated"),
        ({"moderation": Visibility.REVIEW}, Conflict, "promotion.note_moderated"),
    ],
)
def test_only_published_public_approved_notes(change: dict, error: type, code: str) -> None:
    creator, note = creator_with_note()
    audience(2)
    type(note).objects.filter(pk=note.pk).update(**change)
    with pytest.raises(error) as refused:
        services.promotion_quote(creator=creator, request=request_for(note))
    assert refused.value.code == code


def test_someone_elses_note_is_refused_and_a_deleted_one_is_not_found() -> None:
    _creator, note = creator_with_note()
    audience(2)
    with pytest.raises(Forbidden) as refused:
        services.promotion_quote(creator=UserFactory(), request=request_for(note))
    assert refused.value.code == "promotion.not_author"
    mine = NoteFactory(status=NoteStatus.DELETED)
    with pytest.raises(NotFound):
        services.promotion_quote(creator=mine.author, request=request_for(mine))


def test_a_restricted_author_cannot_promote(settings) -> None:
    creator, note = creator_with_note()
    audience(2)
    for _ in range(3):
        strike_user(user=creator)
    with pytest.raises(Forbidden) as refused:
        services.promotion_quote(creator=creator, request=request_for(note))
    assert refused.value.code == "promotion.author_restricted"


def test_sponsored_notes_need_the_brands_boost_right(monkeypatch) -> None:
    creator, note = creator_with_note()
    audience(2)
    monkeypatch.setattr("apps.brands.selectors.sponsored_note_ids", lambda ids: {note.pk})
    with pytest.raises(Conflict) as refused:
        services.promotion_quote(creator=creator, request=request_for(note))
    assert refused.value.code == "promotion.sponsored_without_right"
    monkeypatch.setattr(
        "apps.brands.selectors.boost_right_holders", lambda ids, at=None: {note.pk: 9}
    )
    assert services.promotion_quote(creator=creator, request=request_for(note)).audience_size == 2


def test_one_live_order_per_note() -> None:
    creator, note = creator_with_note()
    audience(2)
    paid_order(creator, note)
    with pytest.raises(Conflict) as refused:
        paid_order(creator, note)
    assert refused.value.code == "promotion.note_has_live_order"
