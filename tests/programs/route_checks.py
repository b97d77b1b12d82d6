"""Route checks for the agency routes (collected by tests/core/test_object_permissions.py).

The victim owns a verified MCN agency with a manager, a finance member and a viewer, and signed
creators (one sharing data, one not, one only asked). The attacker (not a member) gets 404 on
every route and, through their own agency, 404 on the victim's contracts; members whose role
may not act get 403; nothing changes; the dashboard lists only consenting signed creators.
Creator-side and academy routes are in ``route_checks_creator.py``.
"""

from apps.analytics.days import local_yesterday
from apps.analytics.models import CreatorDaily
from apps.programs.models import AgencyContract, ContractEvent
from tests.accounts.organisation_factories import add_member, assert_refused, client_for
from tests.factories import UserFactory
from tests.programs.factories import agency, contract_requested, contract_signed

ADMIN = {"owner", "manager"}
EVERYONE = {"owner", "manager", "finance", "viewer"}


def _victim_agency(victim) -> tuple:
    organisation = agency(victim)
    members = {"owner": victim}
    for role in ("manager", "finance", "viewer"):
        members[role] = add_member(organisation, role)
    sharing = contract_signed(organisation, data_sharing=True)
    private = contract_signed(organisation, data_sharing=False)
    asked = contract_requested(organisation, data_sharing=True)
    day = local_yesterday()
    for contract in (sharing, private, asked):
        CreatorDaily.objects.create(creator_id=contract.creator_id, day=day, views=50)
    return organisation, members, {"sharing": sharing, "private": private, "asked": asked}


def _unchanged(contracts: dict) -> None:
    for contract in contracts.values():
        fresh = AgencyContract.objects.get(pk=contract.pk)
        assert fresh.status == contract.status
    assert (
        not ContractEvent.objects.filter(contract__in=[c.pk for c in contracts.values()])
        .exclude(action__in=["request", "accept"])
        .exists()
    )


def _own_agency_path(client) -> str:
    return f"/api/v1/organisations/{agency(client.attacker).pk}"


def _agency_contracts(client, victim) -> None:
    organisation, members, contracts = _victim_agency(victim)
    url = f"/api/v1/organisations/{organisation.pk}/contracts"
    assert_refused(client, members, EVERYONE, lambda c: c.get(url))
    body = {
        "creator_id": UserFactory().pk,
        "revenue_share": "0.2",
        "starts_on": "2026-12-01",
        "term_months": 6,
        "data_sharing": True,
    }
    before = AgencyContract.objects.count()
    assert_refused(client, members, ADMIN, lambda c: c.post(url, body, format="json"))
    assert AgencyContract.objects.count() == before
    listed = client_for(members["viewer"]).get(url).json()["results"]
    assert {row["id"] for row in listed} == {c.pk for c in contracts.values()}
    own = client.get(f"{_own_agency_path(client)}/contracts").json()["results"]
    assert own == []
    _unchanged(contracts)


def _contract_action(action: str, contract_key: str):
    def check(client, victim) -> None:
        organisation, members, contracts = _victim_agency(victim)
        target = contracts[contract_key]
        url = f"/api/v1/organisations/{organisation.pk}/contracts/{target.pk}/{action}"
        assert_refused(client, members, ADMIN, lambda c: c.post(url))
        response = client.post(f"{_own_agency_path(client)}/contracts/{target.pk}/{action}")
        assert response.status_code == 404
        _unchanged(contracts)

    return check


def _dashboard(suffix: str):
    def check(client, victim) -> None:
        organisation, members, contracts = _victim_agency(victim)
        url = f"/api/v1/organisations/{organisation.pk}/dashboard{suffix}?days=7"
        assert_refused(client, members, EVERYONE, lambda c: c.get(url))
        response = client_for(members["viewer"]).get(url)
        assert response.status_code == 200
        if suffix:
            body = b"".join(response.streaming_content).decode()
            lines = body.strip().splitlines()
            assert len(lines) == 2 and lines[1].startswith(str(contracts["sharing"].creator_id))
        else:
            rows = response.json()["creators"]
            assert [row["creator_id"] for row in rows] == [contracts["sharing"].creator_id]
            assert rows[0]["views"] == 50

    return check


ROUTE_CHECKS = {
    "programs-agency-contracts": _agency_contracts,
    "programs-agency-contract-withdraw": _contract_action("withdraw", "asked"),
    "programs-agency-contract-terminate": _contract_action("terminate", "sharing"),
    "programs-agency-dashboard": _dashboard(""),
    "programs-agency-dashboard-export": _dashboard("/export"),
}
