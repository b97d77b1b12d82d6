"""Route checks for brands' cooperation routes (collected by tests/core).

The victim owns a verified, funded brand (with a manager, a finance and a viewer member) with a
campaign, or is the creator of a cooperation. The attacker (a stranger) gets 404 on every
object route, a member whose role lacks the right 403, and nothing changes. Lists never show
the victim's objects to the attacker.
"""

import time
from collections.abc import Callable
from contextlib import suppress

from apps.brands.aftercare_models import ProtectionRequest, UsageRight
from apps.brands.cooperation_models import Campaign, Cooperation, CooperationEvent
from apps.core.errors import DomainError
from apps.notes import services as notes
from tests.accounts.organisation_factories import assert_refused, client_for, make_organisation
from tests.brands.factories import World, cooperation_in, make_world

ALL = {"owner", "manager", "finance", "viewer"}
EDITORS = {"owner", "manager"}
MONEY = {"owner", "finance"}


def _key() -> dict[str, str]:
    return {"Idempotency-Key": f"attack-{time.monotonic_ns()}"}


def _world(victim) -> World:
    return make_world(owner=victim)


def _members(world: World) -> dict:
    return dict(world.members)


def _campaign_url(world: World) -> str:
    return f"/api/v1/organisations/{world.brand.pk}/campaigns/{world.campaign.pk}"


def _state(cooperation: Cooperation) -> tuple:
    cooperation.refresh_from_db()
    return (
        cooperation.status,
        cooperation.price,
        cooperation.escrow_paid,
        CooperationEvent.objects.filter(cooperation=cooperation).count(),
    )


def _brand_campaigns(client, victim) -> None:
    world = _world(victim)
    url = f"/api/v1/organisations/{world.brand.pk}/campaigns"
    assert_refused(client, _members(world), ALL, lambda c: c.get(url))
    body = {
        "title": "t",
        "description": "d",
        "deliverable_kind": "image_note",
        "publish_from": "2030-01-01",
        "publish_until": "2030-01-02",
        "budget": 1000,
        "mode": "open",
        "deadline": "2030-01-01T00:00:00Z",
    }
    assert_refused(client, _members(world), EDITORS, lambda c: c.post(url, body, format="json"))
    assert Campaign.objects.filter(brand=world.brand).count() == 1


def _brand_campaign(client, victim) -> None:
    world = _world(victim)
    url = _campaign_url(world)
    assert_refused(client, _members(world), ALL, lambda c: c.get(url))
    patch = {"title": "被改了"}
    assert_refused(client, _members(world), EDITORS, lambda c: c.patch(url, patch, format="json"))
    own = make_organisation(client.attacker, name="攻击者品牌", verified=True)
    other = f"/api/v1/organisations/{own.pk}/campaigns/{world.campaign.pk}"
    assert client.get(other).status_code == 404
    assert client.patch(other, patch, format="json").status_code == 404
    world.campaign.refresh_from_db()
    assert world.campaign.title == "春季新品"


def _invitations(client, victim) -> None:
    world = _world(victim)
    url = f"{_campaign_url(world)}/invitations"
    body = {"invitations": [{"creator_id": client.attacker.pk, "price": 1000}]}
    assert_refused(
        client, _members(world), EDITORS, lambda c: c.post(url, body, format="json", headers=_key())
    )
    assert not Cooperation.objects.filter(campaign=world.campaign).exists()


def _report(suffix: str) -> Callable:
    def check(client, victim) -> None:
        world = _world(victim)
        cooperation_in(world, "published")
        url = f"{_campaign_url(world)}/{suffix}"
        assert_refused(client, _members(world), ALL, lambda c: c.get(url))
        own = make_organisation(client.attacker, name="攻击者品牌", verified=True)
        assert (
            client.get(
                f"/api/v1/organisations/{own.pk}/campaigns/{world.campaign.pk}/{suffix}"
            ).status_code
            == 404
        )

    return check


def _brand_list(suffix: str) -> Callable:
    def check(client, victim) -> None:
        world = _world(victim)
        cooperation_in(world, "invited")
        url = f"/api/v1/organisations/{world.brand.pk}/{suffix}"
        assert_refused(client, _members(world), ALL, lambda c: c.get(url))

    return check


def _protected(world: World) -> tuple[Cooperation, ProtectionRequest]:
    cooperation = cooperation_in(world, "published")
    with suppress(DomainError):  # refused: the request goes to the brand
        notes.note_delete(note_id=cooperation.note_id, actor=cooperation.creator)
    return cooperation, ProtectionRequest.objects.get(cooperation=cooperation)


def _protection_decision(client, victim) -> None:
    world = _world(victim)
    cooperation, request = _protected(world)
    url = f"/api/v1/organisations/{world.brand.pk}/protection-requests/{request.pk}/decision"
    assert_refused(
        client, _members(world), EDITORS, lambda c: c.post(url, {"consent": True}, format="json")
    )
    own = make_organisation(client.attacker, name="攻击者品牌", verified=True)
    other = f"/api/v1/organisations/{own.pk}/protection-requests/{request.pk}/decision"
    assert client.post(other, {"consent": True}, format="json").status_code == 404
    request.refresh_from_db()
    assert request.status == "pending"
    cooperation.note.refresh_from_db()
    assert cooperation.note.status == "published"


def _invitation_only(victim) -> World:
    return make_world(owner=victim, mode="invitation")


def _open_campaigns(client, victim) -> None:
    world = _invitation_only(victim)
    ids = [row["id"] for row in client.get("/api/v1/campaigns").json()["results"]]
    assert world.campaign.pk not in ids


def _open_campaign(client, victim) -> None:
    world = _invitation_only(victim)
    assert client.get(f"/api/v1/campaigns/{world.campaign.pk}").status_code == 404


def _applications(client, victim) -> None:
    world = _invitation_only(victim)
    url = f"/api/v1/campaigns/{world.campaign.pk}/applications"
    assert client.post(url, {"price": 1000}, format="json").status_code == 404
    assert not Cooperation.objects.filter(campaign=world.campaign).exists()


def _victim_cooperation(victim, state: str = "invited") -> tuple[World, Cooperation]:
    """A cooperation whose creator is the victim."""
    world = make_world()
    cooperation = cooperation_in(world, state)
    Cooperation.objects.filter(pk=cooperation.pk).update(creator=victim)
    UsageRight.objects.filter(cooperation=cooperation).update(creator=victim)
    cooperation.refresh_from_db()
    return world, cooperation


def _my_cooperations(client, victim) -> None:
    cooperation = _victim_cooperation(victim)[1]
    ids = [row["id"] for row in client.get("/api/v1/cooperations").json()["results"]]
    assert cooperation.pk not in ids


def _my_usage_rights(client, victim) -> None:
    world = make_world()
    cooperation = cooperation_in(world, "published")
    assert UsageRight.objects.filter(cooperation=cooperation).exists()
    ids = [row["id"] for row in client.get("/api/v1/usage-rights").json()["results"]]
    assert not set(ids) & set(
        UsageRight.objects.filter(cooperation=cooperation).values_list("pk", flat=True)
    )


def _cooperation_get(suffix: str) -> Callable:
    def check(client, victim) -> None:
        world = _world(victim)
        cooperation = cooperation_in(world, "negotiating")
        url = f"/api/v1/cooperations/{cooperation.pk}{suffix}"
        assert_refused(client, _members(world), ALL, lambda c: c.get(url))

    return check


# action route -> (state to attack in, brand roles allowed (None: creator only), body)
ACTIONS = {
    "offers": (
        "invited",
        None,
        {
            "price": 1,
            "deliverable_kind": "image_note",
            "publish_from": "2030-01-01",
            "publish_until": "2030-01-02",
        },
    ),
    "accept": ("invited", None, {}),
    "decline": ("applied", EDITORS, {}),
    "fund": ("accepted", MONEY, {}),
    "start": ("funded", None, {}),
    "submit": ("drafting", None, {"note_id": 1}),
    "request-revision": ("submitted", EDITORS, {"comment": "改"}),
    "approve": ("submitted", EDITORS, {}),
    "publish": ("approved", None, {}),
    "cancel": ("drafting", EDITORS, {}),
    "dispute": ("submitted", EDITORS, {"reason": "不符"}),
    "rating": ("completed", EDITORS, {"score": 1}),
}


def _action(route: str) -> Callable:
    state, roles, body = ACTIONS[route]

    def check(client, victim) -> None:
        world = _world(victim)
        cooperation = cooperation_in(world, state)
        before = _state(cooperation)
        url = f"/api/v1/cooperations/{cooperation.pk}/{route}"

        def post(c):
            return c.post(url, body, format="json", headers=_key())

        if roles is not None:
            assert_refused(client, _members(world), roles, post)
        else:
            assert post(client).status_code == 404
            for role, member in world.members.items():
                response = post(client_for(member))
                # a brand member never acts for the creator; counter/accept: it is not their turn
                assert response.status_code in (403, 409), (role, response.content)
        assert _state(cooperation) == before

    return check


def _brand_ratings(suffix: str) -> Callable:
    def check(client, victim) -> None:
        unverified = make_organisation(victim, name="未认证品牌")
        assert client.get(f"/api/v1/brands/{unverified.pk}/{suffix}").status_code == 404
        mcn = make_organisation(victim, kind="mcn", name="机构", verified=True)
        assert client.get(f"/api/v1/brands/{mcn.pk}/{suffix}").status_code == 404

    return check


ROUTE_CHECKS = {
    "brand-campaigns": _brand_campaigns,
    "brand-campaign": _brand_campaign,
    "brand-campaign-invitations": _invitations,
    "brand-campaign-report": _report("report"),
    "brand-campaign-report-csv": _report("report/csv"),
    "brand-cooperations": _brand_list("cooperations"),
    "brand-protection-requests": _brand_list("protection-requests"),
    "brand-protection-request-decision": _protection_decision,
    "brand-usage-rights": _brand_list("usage-rights"),
    "open-campaigns": _open_campaigns,
    "open-campaign": _open_campaign,
    "campaign-applications": _applications,
    "my-cooperations": _my_cooperations,
    "my-usage-rights": _my_usage_rights,
    "cooperation": _cooperation_get(""),
    "cooperation-offers": _action("offers"),
    **{
        f"cooperation-{route}": _action(route)
        for route in ACTIONS
        if route not in ("offers", "rating")
    },
    "cooperation-rating": _action("rating"),
    "brand-ratings": _brand_ratings("ratings"),
    "brand-rating-summary": _brand_ratings("rating-summary"),
}
