"""A published brand cooperation note is promoted only while the brand holds a boost right.

The cooperation is driven to ``published`` through the brands services, and the quote and the
paid order go through the promotion services: nothing of either app is replaced."""

from datetime import timedelta

import pytest
from django.utils import timezone

from apps.brands.aftercare_models import UsageRight, UsageRightKind
from apps.core.errors import Conflict
from apps.notes.models import Note
from apps.promotion import services
from apps.promotion.models import PromotionOrder
from tests.brands.factories import PATHS, drive, invite, make_world
from tests.factories import UserFactory
from tests.ledger.factories import top_up
from tests.promotion.factories import audience, paid_order, request_for

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _small_audiences(settings) -> None:
    settings.PROMOTION_MIN_AUDIENCE = 1


def published_cooperation_note(*, boost_right: bool) -> tuple[Note, object]:
    """A creator with funds and their note, published as a brand cooperation."""
    world = make_world(boost_right=boost_right)
    creator = UserFactory()
    top_up(creator, 100_000)
    cooperation = drive(world, invite(world, creator=creator), PATHS["published"])
    assert cooperation.status == "published"
    note = Note.objects.get(pk=cooperation.note_id)
    audience(2, slug=note.category.slug)
    return note, cooperation


def test_sponsored_note_without_boost_right_is_refused() -> None:
    note, _ = published_cooperation_note(boost_right=False)
    with pytest.raises(Conflict) as quoted:
        services.promotion_quote(creator=note.author, request=request_for(note))
    assert quoted.value.code == "promotion.sponsored_without_right"
    with pytest.raises(Conflict) as ordered:
        paid_order(note.author, note)
    assert ordered.value.code == "promotion.sponsored_without_right"
    assert not PromotionOrder.objects.filter(note_id=note.pk).exists()


def test_sponsored_note_with_expired_boost_right_is_refused() -> None:
    note, cooperation = published_cooperation_note(boost_right=True)
    past = timezone.now() - timedelta(days=1)
    UsageRight.objects.filter(cooperation=cooperation).update(
        starts_at=past - timedelta(days=60), expires_at=past
    )
    with pytest.raises(Conflict) as quoted:
        services.promotion_quote(creator=note.author, request=request_for(note))
    assert quoted.value.code == "promotion.sponsored_without_right"


def test_sponsored_note_with_active_boost_right_is_accepted() -> None:
    note, cooperation = published_cooperation_note(boost_right=True)
    right = UsageRight.objects.get(cooperation=cooperation, kind=UsageRightKind.BOOST)
    assert right.note_id == note.pk and right.expires_at > timezone.now()
    quote = services.promotion_quote(creator=note.author, request=request_for(note))
    assert quote.audience_size == 2
    order = paid_order(note.author, note)
    assert order.note_id == note.pk and order.budget == 20_000


def test_the_boost_right_must_outlast_the_run() -> None:
    note, cooperation = published_cooperation_note(boost_right=True)
    UsageRight.objects.filter(cooperation=cooperation).update(
        expires_at=timezone.now() + timedelta(hours=12)
    )
    with pytest.raises(Conflict) as too_long:
        services.promotion_quote(creator=note.author, request=request_for(note, duration_hours=24))
    assert too_long.value.code == "promotion.boost_right_ends_early"
    later = timezone.now() + timedelta(hours=8)
    with pytest.raises(Conflict) as too_late:
        paid_order(note.author, note, duration_hours=6, starts_at=later)
    assert too_late.value.code == "promotion.boost_right_ends_early"
    assert not PromotionOrder.objects.filter(note_id=note.pk).exists()
    order = paid_order(note.author, note, duration_hours=6)
    assert order.ends_at < UsageRight.objects.get(cooperation=cooperation, kind="boost").expires_at


def test_sponsored_note_through_the_api(client) -> None:
    note, _ = published_cooperation_note(boost_right=False)
    client.force_login(note.author)
    response = client.post(
        "/api/v1/promotion/quotes",
        {
            "note_id": note.pk,
            "objective": "reads",
            "budget": 20_000,
            "duration_hours": 24,
            "targeting_mode": "smart",
        },
        content_type="application/json",
    )
    assert response.status_code == 409, response.content
    assert response.json()["error"]["code"] == "promotion.sponsored_without_right"
