"""The creator's cooperation profile: opt in, edit, opt out, the eligibility gate, the pitch."""

from datetime import timedelta

import pytest
from django.utils import timezone

from apps.brands.profile_models import CooperationProfile, CreatorDiscoveryRow
from apps.moderation import services as moderation
from apps.moderation.models import Case
from apps.moderation.services import keyword_rule_create
from tests.brands.discovery_factories import brand_member, listed_creator, make_creator, opt_in
from tests.moderation.factories import make_operator, strike_user
from tests.notes.factories import category

pytestmark = pytest.mark.django_db
URL = "/api/v1/creator/cooperation-profile"
BODY = {
    "rates": {"image_note": 300_000, "video_note": 800_000},
    "categories": ["beauty", "fashion"],
    "availability": "available",
    "pitch": "专注护肤测评五年",
}


@pytest.fixture(autouse=True)
def _categories() -> None:
    for slug in ("beauty", "fashion", "food"):
        category(slug)


def _state(creator) -> tuple:
    profile = CooperationProfile.objects.filter(pk=creator.pk).values().first()
    row = CreatorDiscoveryRow.objects.filter(pk=creator.pk).values("rate_image_note").first()
    return profile, row


def test_opt_in_then_read_my_profile(make_client) -> None:
    creator = make_creator()
    client = make_client(creator)
    assert client.get(URL).status_code == 404
    response = client.put(URL, BODY, format="json")
    assert response.status_code == 200, response.content
    body = client.get(URL).json()
    assert body["rates"] == {"image_note": 300_000, "video_note": 800_000, "live_mention": None}
    assert sorted(body["categories"]) == ["beauty", "fashion"]
    assert body["pitch"] == "专注护肤测评五年" and body["pending_pitch"] == ""
    assert body["eligibility"]["eligible"] is True
    # The discovery row follows the profile in the same transaction.
    row = CreatorDiscoveryRow.objects.get(pk=creator.pk)
    assert (row.rate_image_note, row.rate_video_note, row.eligible) == (300_000, 800_000, True)


def test_put_replaces_and_patch_changes_only_what_is_given(make_client) -> None:
    creator = make_creator()
    client = make_client(creator)
    assert client.patch(URL, {"availability": "busy"}, format="json").status_code == 404
    client.put(URL, BODY, format="json")
    response = client.patch(URL, {"rates": {"live_mention": 150_000}}, format="json")
    assert response.json()["rates"] == {
        "image_note": 300_000,
        "video_note": 800_000,
        "live_mention": 150_000,
    }
    busy = (timezone.localdate() + timedelta(days=20)).isoformat()
    body = client.patch(URL, {"availability": "busy", "busy_until": busy}, format="json").json()
    assert (body["availability"], body["busy_until"]) == ("busy", busy)
    # Back to available clears the date; PUT clears what it does not name.
    body = client.patch(URL, {"availability": "available"}, format="json").json()
    assert body["busy_until"] is None
    body = client.put(
        URL, {"rates": {"video_note": 500_000}, "availability": "not_taking_work"}, format="json"
    ).json()
    assert body["rates"] == {"image_note": None, "video_note": 500_000, "live_mention": None}
    assert body["categories"] == [] and body["pitch"] == ""
    assert CreatorDiscoveryRow.objects.get(pk=creator.pk).availability == "not_taking_work"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"rates": {"image_note": None, "video_note": None}}, "rates"),
        ({"rates": {"image_note": 99}}, "rates"),
        ({"availability": "busy"}, "busy_until"),
        ({"availability": "busy", "busy_until": "2020-01-01"}, "busy_until"),
        ({"busy_until": "2999-01-01"}, "busy_until"),
        ({"categories": ["beauty", "no-such-category"]}, "categories"),
        ({"categories": ["a", "b", "c", "d", "e", "f"]}, "categories"),
        ({"pitch": "x" * 301}, "pitch"),
    ],
)
def test_invalid_changes_are_refused_and_write_nothing(make_client, change, field) -> None:
    creator = make_creator()
    client = make_client(creator)
    client.put(URL, BODY, format="json")
    before = _state(creator)
    response = client.patch(URL, change, format="json")
    assert response.status_code == 400, response.content
    error = response.json()["error"]
    assert any(key.startswith(field) for key in error["fields"]), error
    assert _state(creator) == before


def test_creating_with_invalid_body_creates_nothing(make_client) -> None:
    creator = make_creator()
    response = make_client(creator).put(
        URL, {"rates": {}, "availability": "available"}, format="json"
    )
    assert response.status_code == 400
    assert not CooperationProfile.objects.filter(pk=creator.pk).exists()


def test_opt_out_removes_the_profile_and_its_discovery_row(make_client) -> None:
    creator = opt_in(make_creator())
    client = make_client(creator)
    assert CreatorDiscoveryRow.objects.filter(pk=creator.pk).exists()
    assert client.delete(URL).status_code == 204
    assert not CooperationProfile.objects.filter(pk=creator.pk).exists()
    assert not CreatorDiscoveryRow.objects.filter(pk=creator.pk).exists()
    assert client.delete(URL).status_code == 404


# --- eligibility ----------------------------------------------------------------------------


def _eligibility(client) -> dict:
    response = client.get(f"{URL}/eligibility")
    assert response.status_code == 200
    return response.json()


def test_eligibility_names_each_failing_condition(make_client) -> None:
    body = _eligibility(make_client(make_creator(fans=4_999, notes=9)))
    assert body["eligible"] is False
    assert body["failing"] == ["fans", "recent_notes"]
    fans = next(c for c in body["conditions"] if c["code"] == "fans")
    assert (fans["required"], fans["actual"], fans["met"]) == (5_000, 4_999, False)

    assert _eligibility(make_client(make_creator(fans=5_000, notes=10)))["eligible"] is True


def test_notes_older_than_the_window_do_not_count(make_client) -> None:
    creator = make_creator(notes=10, published_days_ago=181)
    assert _eligibility(make_client(creator))["failing"] == ["recent_notes"]


def test_a_posting_restriction_makes_a_creator_ineligible(make_client, settings) -> None:
    settings.MODERATION_STRIKE_THRESHOLD = 1
    creator = opt_in(make_creator())
    assert CreatorDiscoveryRow.objects.get(pk=creator.pk).eligible is True
    strike_user(user=creator)
    body = _eligibility(make_client(creator))
    assert body["failing"] == ["no_posting_restriction"]
    assert body["restricted_until"] is not None
    # The next write (or the nightly refresh) takes the creator out of discovery.
    make_client(creator).patch(URL, {"availability": "available"}, format="json")
    assert CreatorDiscoveryRow.objects.get(pk=creator.pk).eligible is False


def test_thresholds_come_from_settings(make_client, settings) -> None:
    settings.BRANDS_MIN_FANS = 100
    settings.BRANDS_MIN_RECENT_NOTES = 1
    assert _eligibility(make_client(make_creator(fans=100, notes=1)))["eligible"] is True


def test_an_ineligible_creator_may_opt_in_but_is_not_listed(make_client) -> None:
    creator = opt_in(make_creator(fans=10, notes=0))
    body = make_client(creator).get(URL).json()
    assert body["eligibility"]["failing"] == ["fans", "recent_notes"]
    assert CreatorDiscoveryRow.objects.get(pk=creator.pk).eligible is False


# --- the pitch through moderation -----------------------------------------------------------


def test_a_blocked_pitch_is_refused_and_nothing_changes(make_client) -> None:
    keyword_rule_create(term="赌博", category="gambling", action="block")
    creator = make_creator()
    client = make_client(creator)
    client.put(URL, BODY, format="json")
    before = _state(creator)
    response = client.patch(URL, {"pitch": "带你赌博赚钱"}, format="json")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "moderation.blocked"
    assert _state(creator) == before


def test_pitch_rules_can_target_the_pitch_surface_alone(make_client) -> None:
    keyword_rule_create(
        term="私信下单", category="ads", action="block", surfaces=["cooperation_pitch"]
    )
    creator = make_creator()
    response = make_client(creator).put(URL, {**BODY, "pitch": "私信下单"}, format="json")
    assert response.status_code == 400
    assert not CooperationProfile.objects.filter(pk=creator.pk).exists()


def test_a_held_pitch_waits_for_review_then_an_operator_publishes_it(make_client) -> None:
    keyword_rule_create(term="最低价", category="ads", action="review")
    creator = make_creator()
    client = make_client(creator)
    body = client.put(URL, {**BODY, "pitch": "全网最低价合作"}, format="json").json()
    assert (body["pitch"], body["pending_pitch"]) == ("", "全网最低价合作")
    case = Case.objects.get(target_key="cooperation_profile", object_id=creator.pk)
    assert case.held and "最低价" in case.excerpt
    moderation.case_approve(case_id=case.pk, operator=make_operator(), reason="Fine")
    body = client.get(URL).json()
    assert (body["pitch"], body["pending_pitch"]) == ("全网最低价合作", "")


def test_a_rejected_pitch_is_dropped(make_client) -> None:
    keyword_rule_create(term="最低价", category="ads", action="review")
    creator = make_creator()
    client = make_client(creator)
    client.put(URL, {**BODY, "pitch": "全网最低价合作"}, format="json")
    case = Case.objects.get(target_key="cooperation_profile", object_id=creator.pk)
    moderation.case_reject(
        case_id=case.pk, operator=make_operator(), reason="Advertising", category="ads"
    )
    body = client.get(URL).json()
    assert (body["pitch"], body["pending_pitch"]) == ("", "")


def test_a_masked_pitch_is_stored_masked(make_client) -> None:
    keyword_rule_create(term="代购", category="ads", action="mask")
    creator = make_creator()
    body = make_client(creator).put(URL, {**BODY, "pitch": "可以代购"}, format="json").json()
    assert body["pitch"] == "可以**"


def test_members_of_verified_brands_can_report_a_listed_pitch(make_client) -> None:
    creator = listed_creator(pitch="专注护肤")
    _, member = brand_member()
    body = {"target": "cooperation_profile", "object_id": creator.pk, "reason": "spam"}
    response = make_client(member).post("/api/v1/reports", body, format="json")
    assert response.status_code == 201, response.content
    _, pending_member = brand_member(verified=False)
    assert make_client(pending_member).post("/api/v1/reports", body, format="json").status_code == (
        404
    )
    unlisted = opt_in(make_creator(fans=10), pitch="专注护肤")
    response = make_client(member).post(
        "/api/v1/reports", {**body, "object_id": unlisted.pk}, format="json"
    )
    assert response.status_code == 404
