"""Route checks for the organisation routes (collected by tests/core/test_object_permissions.py).

The victim owns an organisation with a manager, a finance member and a viewer. The attacker,
not a member, gets 404 on every object route; a member whose role does not allow the action gets
403; and nothing about the organisation or its members changes.
"""

from collections.abc import Callable

from apps.accounts.models import Membership, Organisation
from tests.accounts.organisation_factories import (
    add_member,
    assert_refused,
    client_for,
    make_organisation,
)
from tests.factories import UserFactory

ALL = {"owner", "manager", "finance", "viewer"}


def _victim_organisation(victim) -> tuple[Organisation, dict]:
    organisation = make_organisation(victim, name="受害者品牌")
    members = {"owner": victim}
    for role in ("manager", "finance", "viewer"):
        members[role] = add_member(organisation, role)
    return organisation, members


def _members_state(organisation: Organisation) -> list:
    return sorted(
        Membership.objects.filter(organisation=organisation).values_list("user_id", "role")
    )


def _organisation_list(client, victim) -> None:
    organisation, _ = _victim_organisation(victim)
    listed = client.get("/api/v1/organisations").json()["results"]
    assert organisation.pk not in [row["id"] for row in listed]
    response = client.post(
        "/api/v1/organisations",
        {
            "kind": "brand",
            "name": "攻击者品牌",
            "business_licence_number": "91310000MA1FL8XQ3C",
            "contact_name": "张三",
            "contact_phone": "13900000000",
            "organisation_id": organisation.pk,
        },
    )
    assert response.status_code == 201
    created = Organisation.objects.get(pk=response.json()["id"])
    assert created.pk != organisation.pk
    assert list(created.memberships.values_list("user_id", flat=True)) == [client.attacker.pk]


def _organisation_detail(client, victim) -> None:
    organisation, members = _victim_organisation(victim)
    url = f"/api/v1/organisations/{organisation.pk}"
    assert_refused(client, members, ALL, lambda c: c.get(url))
    # An id that does not exist answers like one the attacker may not see.
    assert client.get("/api/v1/organisations/999999999").status_code == 404


def _organisation_members(client, victim) -> None:
    organisation, members = _victim_organisation(victim)
    before = _members_state(organisation)
    url = f"/api/v1/organisations/{organisation.pk}/members"
    assert_refused(client, members, ALL, lambda c: c.get(url))
    newcomer = UserFactory()
    assert_refused(
        client,
        members,
        {"owner", "manager"},
        lambda c: c.post(url, {"username": newcomer.username, "role": "finance"}),
    )
    # The attacker cannot add themselves either.
    response = client.post(url, {"username": client.attacker.username, "role": "owner"})
    assert response.status_code == 404
    assert _members_state(organisation) == before


def _organisation_member(client, victim) -> None:
    organisation, members = _victim_organisation(victim)
    before = _members_state(organisation)
    finance = members["finance"]
    url = f"/api/v1/organisations/{organisation.pk}/members/{finance.pk}"
    assert_refused(client, members, {"owner"}, lambda c: c.patch(url, {"role": "owner"}))
    assert_refused(
        client,
        {role: user for role, user in members.items() if role != "finance"},
        {"owner", "manager"},
        lambda c: c.delete(url),
    )
    # A manager may remove members, but never an owner.
    owner_url = f"/api/v1/organisations/{organisation.pk}/members/{victim.pk}"
    response = client_for(members["manager"]).delete(owner_url)
    assert response.status_code == 403
    assert client.delete(owner_url).status_code == 404
    assert _members_state(organisation) == before


ROUTE_CHECKS: dict[str, Callable] = {
    "organisation-list": _organisation_list,
    "organisation-detail": _organisation_detail,
    "organisation-members": _organisation_members,
    "organisation-member": _organisation_member,
}
