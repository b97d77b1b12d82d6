"""Applying to an open campaign passes the cooperation profile's eligibility gate; a brand's
invitation does not need it (docs/brands.md, "Applications and the eligibility gate")."""

import pytest

from apps.brands.cooperation_models import Cooperation
from tests.brands.discovery_factories import make_creator
from tests.brands.factories import PRICE, invite, make_world
from tests.moderation.factories import strike_user

pytestmark = pytest.mark.django_db
ELIGIBILITY = "/api/v1/creator/cooperation-profile/eligibility"


def _apply(client, world):
    return client.post(
        f"/api/v1/campaigns/{world.campaign.pk}/applications",
        {"price": PRICE, "message": "我很适合"},
        format="json",
    )


def test_an_ineligible_creator_is_refused_with_the_failing_conditions(make_client) -> None:
    world = make_world()
    creator = make_creator(fans=4_999, notes=0)
    client = make_client(creator)
    refused = _apply(client, world)
    assert refused.status_code == 403, refused.content
    error = refused.json()["error"]
    assert error["code"] == "campaign.creator_ineligible"
    # The same codes the eligibility endpoint answers with, and nothing written.
    assert sorted(error["fields"]) == sorted(client.get(ELIGIBILITY).json()["failing"])
    assert sorted(error["fields"]) == ["fans", "recent_notes"]
    assert "fans" in error["message"] and "recent_notes" in error["message"]
    assert not Cooperation.objects.filter(creator=creator).exists()


def test_only_the_failing_condition_is_named(make_client) -> None:
    world = make_world()
    refused = _apply(make_client(make_creator(fans=5_000, notes=9)), world)
    assert refused.status_code == 403
    assert list(refused.json()["error"]["fields"]) == ["recent_notes"]


def test_an_eligible_creator_applies(make_client) -> None:
    world = make_world()
    creator = make_creator(fans=5_000, notes=10)
    applied = _apply(make_client(creator), world)
    assert applied.status_code == 201, applied.content
    assert Cooperation.objects.get(creator=creator).status == "applied"


def test_the_gate_follows_the_settings_thresholds(make_client, settings) -> None:
    settings.BRANDS_MIN_FANS = 100
    settings.BRANDS_MIN_RECENT_NOTES = 1
    world = make_world()
    assert _apply(make_client(make_creator(fans=100, notes=1)), world).status_code == 201
    assert _apply(make_client(make_creator(fans=99, notes=1)), world).status_code == 403


def test_a_restricted_creator_is_stopped_by_moderation_first(make_client, settings) -> None:
    settings.MODERATION_STRIKE_THRESHOLD = 1
    world = make_world()
    creator = make_creator()
    strike_user(user=creator)
    refused = _apply(make_client(creator), world)
    assert refused.status_code == 403
    assert refused.json()["error"]["code"] != "campaign.creator_ineligible"
    assert not Cooperation.objects.filter(creator=creator).exists()


def test_a_hidden_campaign_stays_404_to_an_ineligible_creator(make_client) -> None:
    world = make_world(mode="invitation")
    refused = _apply(make_client(make_creator(fans=0, notes=0)), world)
    assert refused.status_code == 404


def test_a_brand_may_invite_a_creator_below_the_gate() -> None:
    world = make_world()
    creator = make_creator(fans=10, notes=0)
    cooperation = invite(world, creator=creator)
    assert (cooperation.status, cooperation.creator_id) == ("invited", creator.pk)
