"""Protection requests, usage rights, the seams other apps call, ratings and card stats."""

from datetime import timedelta

import pytest
from django.utils import timezone

from apps.brands import selectors
from apps.brands.aftercare_models import NoteEditRecord, ProtectionRequest, UsageRight
from apps.brands.cooperation_stats import card_cooperation_stats
from apps.brands.cooperations import cooperation_deadline_move
from apps.core.errors import DomainError
from apps.notes import services as notes
from apps.notes.models import Note
from tests.brands.factories import PRICE, cooperation_in, make_world
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _completed(world):
    cooperation = cooperation_in(world, "published")
    cooperation_deadline_move(
        cooperation_id=cooperation.pk, action="complete", now=cooperation.deadline_at
    )
    cooperation.refresh_from_db()
    return cooperation


def test_delete_of_a_protected_note_becomes_a_request_and_consent_applies_it(make_client) -> None:
    world = make_world()
    cooperation = cooperation_in(world, "published")
    for _ in range(2):  # a repeat finds the request already waiting
        with pytest.raises(DomainError) as refused:
            notes.note_delete(note_id=cooperation.note_id, actor=cooperation.creator)
        assert refused.value.code == "note.protected"
    request = ProtectionRequest.objects.get(cooperation=cooperation)
    assert Note.objects.get(pk=cooperation.note_id).status == "published"
    client = make_client(world.members["manager"])
    listed = client.get(f"/api/v1/organisations/{world.brand.pk}/protection-requests").json()
    assert [row["id"] for row in listed["results"]] == [request.pk]
    url = f"/api/v1/organisations/{world.brand.pk}/protection-requests/{request.pk}/decision"
    decided = client.post(url, {"consent": True}, format="json")
    assert decided.status_code == 200 and decided.json()["status"] == "consented"
    assert Note.objects.get(pk=cooperation.note_id).status == "deleted"
    again = client.post(url, {"consent": False}, format="json")
    assert again.status_code == 409
    assert again.json()["error"]["code"] == "protection_request.illegal_transition"


def test_refused_make_private_keeps_the_note_public_and_edits_are_recorded(make_client) -> None:
    world = make_world()
    cooperation = cooperation_in(world, "published")
    with pytest.raises(DomainError):
        notes.note_update(
            note_id=cooperation.note_id, actor=cooperation.creator, visibility="private"
        )
    request = ProtectionRequest.objects.get(cooperation=cooperation, change="make_private")
    client = make_client(world.members["owner"])
    url = f"/api/v1/organisations/{world.brand.pk}/protection-requests/{request.pk}/decision"
    assert client.post(url, {"consent": False}, format="json").json()["status"] == "refused"
    assert Note.objects.get(pk=cooperation.note_id).visibility == "public"
    old_title = Note.objects.get(pk=cooperation.note_id).title
    notes.note_update(note_id=cooperation.note_id, actor=cooperation.creator, title="新标题")
    assert NoteEditRecord.objects.get(cooperation=cooperation).title == old_title


def test_after_the_protection_period_the_creator_is_free() -> None:
    world = make_world()
    cooperation = cooperation_in(world, "published")
    cooperation.__class__.objects.filter(pk=cooperation.pk).update(
        protection_until=timezone.now() - timedelta(minutes=1)
    )
    notes.note_delete(note_id=cooperation.note_id, actor=cooperation.creator)
    assert not ProtectionRequest.objects.exists()


def test_seams_sponsored_boost_rights_and_income() -> None:
    world = make_world()
    published = cooperation_in(world, "published")
    completed = _completed(world)
    drafting = cooperation_in(world, "submitted")
    ids = [published.note_id, completed.note_id, drafting.note_id, 999_999]
    assert selectors.sponsored_note_ids(ids) == {published.note_id, completed.note_id}
    holders = selectors.boost_right_holders(ids)
    assert holders == {published.note_id: world.brand.pk, completed.note_id: world.brand.pk}
    last = UsageRight.objects.order_by("-expires_at").first().expires_at
    assert selectors.boost_right_holders(ids, at=last) == {}  # expired: no right left
    assert selectors.cooperation_income_by_note(ids) == {completed.note_id: PRICE}


def test_sponsored_label_names_the_brand_on_published_notes(make_client) -> None:
    world = make_world()
    cooperation = cooperation_in(world, "published")
    detail = make_client(UserFactory()).get(f"/api/v1/notes/{cooperation.note_id}").json()
    assert detail["labels"] == [{"key": "sponsored", "text": f"Sponsored · {world.brand.name}"}]


def test_ratings_both_ways_once_editable_seven_days(make_client) -> None:
    world = make_world()
    cooperation = _completed(world)
    creator = make_client(cooperation.creator)
    manager = make_client(world.members["manager"])
    url = f"/api/v1/cooperations/{cooperation.pk}/rating"
    assert creator.post(url, {"score": 4, "comment": "沟通顺畅"}, format="json").status_code == 200
    assert manager.post(url, {"score": 5}, format="json").status_code == 200
    edited = creator.post(url, {"score": 5}, format="json").json()
    assert edited["score"] == 5
    assert cooperation.ratings.count() == 2
    viewer = make_client(world.members["viewer"]).post(url, {"score": 1}, format="json")
    assert viewer.status_code == 403
    cooperation.ratings.update(editable_until=timezone.now())
    late = creator.post(url, {"score": 1}, format="json")
    assert late.status_code == 409 and late.json()["error"]["code"] == "rating.edit_closed"
    summary = make_client(UserFactory()).get(f"/api/v1/brands/{world.brand.pk}/rating-summary")
    assert summary.json() == {"average": 5.0, "count": 1}
    stats = card_cooperation_stats([cooperation.creator_id, UserFactory().pk])
    assert stats[cooperation.creator_id] == {
        "completed": 1,
        "rating_average": 5.0,
        "rating_count": 1,
    }


def test_rating_before_completion_is_refused(make_client) -> None:
    world = make_world()
    cooperation = cooperation_in(world, "published")
    response = make_client(cooperation.creator).post(
        f"/api/v1/cooperations/{cooperation.pk}/rating", {"score": 3}, format="json"
    )
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "rating.not_completed"


def test_card_stats_is_one_query(count_queries) -> None:
    world = make_world()
    creators = [_completed(world).creator_id for _ in range(3)]
    found: dict = {}
    assert count_queries(lambda: found.update(card_cooperation_stats(creators))) == 1
    assert {row["completed"] for row in found.values()} == {1}


def test_usage_rights_listed_for_both_sides(make_client) -> None:
    world = make_world()
    cooperation = cooperation_in(world, "published")
    mine = make_client(cooperation.creator).get("/api/v1/usage-rights").json()["results"]
    theirs = make_client(world.members["viewer"]).get(
        f"/api/v1/organisations/{world.brand.pk}/usage-rights"
    )
    assert [row["kind"] for row in mine] == ["boost"]
    assert [row["id"] for row in theirs.json()["results"]] == [row["id"] for row in mine]


def test_the_notes_api_answers_409_for_a_protected_note(make_client) -> None:
    world = make_world()
    cooperation = cooperation_in(world, "published")
    response = make_client(cooperation.creator).delete(f"/api/v1/notes/{cooperation.note_id}")
    assert response.status_code == 409, response.content
    assert response.json()["error"]["code"] == "note.protected"
    assert ProtectionRequest.objects.filter(cooperation=cooperation, change="delete").exists()
    assert Note.objects.get(pk=cooperation.note_id).status == "published"
