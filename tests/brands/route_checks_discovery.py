"""Route checks for cooperation profiles and discovery (collected by tests/core).

Profiles: the route has no creator id; the attacker reads and writes only their own profile,
and the victim's stays as it was. Discovery: the victim's verified brand is searched by an
attacker who is not a member (404 like a missing id), by a member of an MCN agency (403) and by
a member of an unverified brand (409); the victim's data card likewise.
"""

from collections.abc import Callable

from apps.accounts.models import Organisation
from apps.brands.profile_models import CooperationProfile
from tests.accounts.organisation_factories import add_member, client_for, make_organisation
from tests.brands.discovery_factories import listed_creator, opt_in
from tests.notes.factories import category


def _profile_state(user) -> dict | None:
    return CooperationProfile.objects.filter(pk=user.pk).values().first()


def _cooperation_profile(client, victim) -> None:
    opt_in(victim, pitch="受害者的简介")
    before = _profile_state(victim)
    assert client.get("/api/v1/creator/cooperation-profile").status_code == 404
    category("food")
    body = {"rates": {"image_note": 100}, "availability": "available", "categories": ["food"]}
    response = client.put("/api/v1/creator/cooperation-profile", body, format="json")
    assert response.status_code == 200
    assert response.json()["creator_id"] == client.attacker.pk
    client.patch("/api/v1/creator/cooperation-profile", {"pitch": "改了"}, format="json")
    assert client.delete("/api/v1/creator/cooperation-profile").status_code == 204
    assert _profile_state(victim) == before
    # A creator id in the body or the query is not read.
    client.put(
        "/api/v1/creator/cooperation-profile?creator_id=" + str(victim.pk),
        {**body, "creator_id": victim.pk},
        format="json",
    )
    assert _profile_state(victim) == before


def _eligibility(client, victim) -> None:
    listed_creator()
    body = client.get(f"/api/v1/creator/cooperation-profile/eligibility?user_id={victim.pk}").json()
    fans = next(c for c in body["conditions"] if c["code"] == "fans")
    assert fans["actual"] == 0  # the attacker's own figures, never the victim's


def _refused(client, victim, url_of: Callable[[Organisation], str]) -> None:
    brand = make_organisation(victim, verified=True)
    url = url_of(brand)
    assert client_for(victim).get(url).status_code == 200
    response = client.get(url)
    assert response.status_code == 404, response.content
    assert response.json()["error"]["code"] == "organisation.not_found"
    agency = make_organisation(victim, kind="mcn", verified=True)
    add_member(agency, "manager", client.attacker)
    assert client.get(url_of(agency)).status_code == 403
    pending = make_organisation(victim, verified=False)
    add_member(pending, "owner", client.attacker)
    assert client.get(url_of(pending)).status_code == 409


def _discovery(client, victim) -> None:
    listed_creator()
    _refused(client, victim, lambda org: f"/api/v1/organisations/{org.pk}/discovery/creators")


def _data_card(client, victim) -> None:
    creator = listed_creator()
    _refused(
        client,
        victim,
        lambda org: f"/api/v1/organisations/{org.pk}/discovery/creators/{creator.pk}",
    )


ROUTE_CHECKS: dict[str, Callable] = {
    "cooperation-profile": _cooperation_profile,
    "cooperation-profile-eligibility": _eligibility,
    "brand-discovery-creators": _discovery,
    "brand-discovery-creator-card": _data_card,
}
