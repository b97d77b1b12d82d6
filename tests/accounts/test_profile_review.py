"""Profile texts held by screening: only their author sees them until an operator decides."""

import pytest

from apps.accounts.models import Profile
from apps.moderation import services as moderation
from apps.moderation.models import Case
from tests.moderation.factories import make_operator

pytestmark = pytest.mark.django_db


@pytest.fixture
def review_rule() -> None:
    moderation.keyword_rule_create(
        term="代购", category="ads", action="review", surfaces=["profile"]
    )


def _held(api, other_client, user) -> None:
    Profile.objects.filter(user=user).update(bio="旧的简介")
    response = api.patch("/api/v1/me", {"bio": "海外代购 每周更新"})
    assert response.status_code == 200, response.content
    mine = response.json()
    assert mine["bio"] == "旧的简介"
    assert mine["bio_under_review"] == "海外代购 每周更新"
    public = other_client.get(f"/api/v1/users/{user.pk}").json()
    assert public["bio"] == "旧的简介"
    assert "bio_under_review" not in public


def test_held_bio_is_published_when_approved(
    api, user, other_user, make_client, review_rule
) -> None:
    other_client = make_client(other_user)
    _held(api, other_client, user)
    case = Case.objects.get(target_key="user", object_id=user.pk)
    moderation.case_approve(case_id=case.pk, operator=make_operator(), reason="Not an ad.")
    assert other_client.get(f"/api/v1/users/{user.pk}").json()["bio"] == "海外代购 每周更新"
    assert api.get("/api/v1/me").json()["bio_under_review"] == ""


def test_held_bio_is_dropped_when_rejected(api, user, other_user, make_client, review_rule) -> None:
    other_client = make_client(other_user)
    _held(api, other_client, user)
    case = Case.objects.get(target_key="user", object_id=user.pk)
    moderation.case_reject(case_id=case.pk, operator=make_operator(), reason="Advertising.")
    profile = Profile.objects.get(user=user)
    assert (profile.bio, profile.pending_bio) == ("旧的简介", "")
    assert profile.display_name != f"user_{user.pk}"  # only the held text is dropped


def test_a_newer_clean_text_supersedes_the_held_one(
    api, user, other_user, make_client, review_rule
) -> None:
    _held(api, make_client(other_user), user)
    response = api.patch("/api/v1/me", {"bio": "认真生活"})
    assert response.json()["bio"] == "认真生活"
    assert response.json()["bio_under_review"] == ""


def test_held_display_name_at_registration_stays_private(anon_client, review_rule) -> None:
    response = anon_client.post(
        "/api/v1/auth/register",
        {"username": "newcomer", "password": "Sunny-garden-77", "display_name": "专业代购"},
    )
    assert response.status_code == 201, response.content
    body = response.json()["user"]
    assert body["display_name"] == "newcomer"
    assert body["display_name_under_review"] == "专业代购"
