"""The programs API end to end: shapes, status codes and the one error shape."""

import pytest

from apps.programs.models import AgencyContract
from tests.accounts.organisation_factories import client_for
from tests.factories import UserFactory
from tests.programs.factories import agency, growth_program, public_class

pytestmark = pytest.mark.django_db


def _request_body(creator_id: int, **overrides: object) -> dict:
    return {
        "creator_id": creator_id,
        "revenue_share": "0.2500",
        "starts_on": "2026-12-01",
        "term_months": 12,
        "data_sharing": True,
        "note": "欢迎加入",
        **overrides,
    }


def test_contract_journey_through_the_api() -> None:
    owner, creator = UserFactory(), UserFactory()
    organisation = agency(owner)
    agency_client, creator_client = client_for(owner), client_for(creator)
    url = f"/api/v1/organisations/{organisation.pk}/contracts"
    created = agency_client.post(url, _request_body(creator.pk), format="json")
    assert created.status_code == 201, created.content
    body = created.json()
    assert (body["status"], body["revenue_share"], body["agency_name"]) == (
        "requested",
        "0.2500",
        organisation.name,
    )
    mine = creator_client.get("/api/v1/contracts").json()["results"]
    assert [row["id"] for row in mine] == [body["id"]]
    accepted = creator_client.post(f"/api/v1/contracts/{body['id']}/accept")
    assert accepted.json()["status"] == "active"
    again = creator_client.post(f"/api/v1/contracts/{body['id']}/decline")
    assert again.status_code == 409
    assert again.json()["error"]["code"] == "agency_contract.illegal_transition"
    ending = creator_client.post(f"/api/v1/contracts/{body['id']}/terminate")
    assert ending.json()["status"] == "terminating"
    ended = agency_client.post(f"{url}/{body['id']}/terminate")
    assert ended.json()["status"] == "ended"
    dashboard = agency_client.get(f"/api/v1/organisations/{organisation.pk}/dashboard?days=7")
    assert dashboard.json()["creators"] == []  # no longer signed


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"revenue_share": "0.51"}, "revenue_share"),
        ({"term_months": 0}, "term_months"),
        ({"starts_on": "soon"}, "starts_on"),
    ],
)
def test_bad_requests_are_400_with_the_field(overrides: dict, field: str) -> None:
    owner = UserFactory()
    organisation = agency(owner)
    response = client_for(owner).post(
        f"/api/v1/organisations/{organisation.pk}/contracts",
        _request_body(UserFactory().pk, **overrides),
        format="json",
    )
    assert response.status_code == 400
    assert field in response.json()["error"]["fields"]
    assert not AgencyContract.objects.exists()


def test_unknown_creator_and_bad_period_are_clear_errors() -> None:
    owner = UserFactory()
    organisation = agency(owner)
    client = client_for(owner)
    missing = client.post(
        f"/api/v1/organisations/{organisation.pk}/contracts",
        _request_body(987_654_321),
        format="json",
    )
    assert missing.status_code == 404
    period = client.get(f"/api/v1/organisations/{organisation.pk}/dashboard?days=8")
    assert period.status_code == 400


def test_dashboard_export_is_csv() -> None:
    owner = UserFactory()
    organisation = agency(owner)
    response = client_for(owner).get(
        f"/api/v1/organisations/{organisation.pk}/dashboard/export?days=30"
    )
    assert response["Content-Type"].startswith("text/csv")
    header = b"".join(response.streaming_content).decode().splitlines()[0]
    assert header.startswith("creator_id,username,display_name,revenue_share,fans")


def test_programs_apply_and_class_registration() -> None:
    user = UserFactory()
    client = client_for(user)
    program = growth_program(min_fans=5)
    refused = client.post(f"/api/v1/programs/{program.pk}/apply")
    assert refused.status_code == 409
    assert refused.json()["error"]["code"] == "program.not_eligible"
    seats = public_class(capacity=1)
    first = client.post(f"/api/v1/academy/classes/{seats.pk}/register")
    assert first.status_code == 201
    assert first.json()["status"] == "registered" and len(first.json()["checkin_code"]) == 8
    assert client.post(f"/api/v1/academy/classes/{seats.pk}/register").status_code == 409
    cancelled = client.post(f"/api/v1/academy/registrations/{first.json()['id']}/cancel")
    assert cancelled.json()["status"] == "cancelled"
    bad = client.get("/api/v1/listening/topics?status=nope")
    assert bad.status_code == 400


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        ("/api/v1/listening/topics", {"title": "话题", "body": 0}, "body"),
        ("/api/v1/listening/topics", {"title": 5}, "title"),
    ],
)
def test_text_fields_refuse_other_json_types(path: str, body: dict, field: str) -> None:
    response = client_for(UserFactory()).post(path, body, format="json")
    assert response.status_code == 400
    assert field in response.json()["error"]["fields"]
