"""Schemathesis findings: what the schema says about queries, cursors and event batches holds."""

from base64 import b64encode

import pytest

from apps.accounts.models import Follow
from tests.analytics.factories import client_event, make_note
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def fans_url(user) -> str:
    for _ in range(5):
        Follow.objects.create(follower=UserFactory(), followee=user)
    return f"/api/v1/users/{user.pk}/fans"


@pytest.mark.parametrize("value", ["null", "true", "false", "0", "-1", "1.5", "abc"])
def test_a_page_size_that_is_not_a_whole_number_is_400(api, fans_url, value) -> None:
    response = api.get(fans_url, {"page_size": value})
    assert response.status_code == 400, response.content
    assert "page_size" in response.json()["error"]["fields"]


def test_a_repeated_or_empty_query_parameter_is_400(api, fans_url) -> None:
    repeated = api.get(f"{fans_url}?page_size=2&page_size=3")
    assert repeated.status_code == 400
    assert "page_size" in repeated.json()["error"]["fields"]
    for path in (
        "/api/v1/creator/comments?state=",
        "/api/v1/creator/analytics/overview?start=",
        f"{fans_url}?cursor=",
    ):
        response = api.get(path)
        assert response.status_code == 400, (path, response.content)
        assert set(response.json()["error"]["fields"]) == {path.split("?")[1][:-1]}


def test_a_large_page_size_is_read_as_the_maximum(api, fans_url) -> None:
    assert api.get(fans_url, {"page_size": "100000000000"}).status_code == 200


def test_a_tampered_cursor_is_404_and_a_real_one_pages_on(api, fans_url) -> None:
    first = api.get(fans_url, {"page_size": 2}).json()
    second = api.get(first["next"])
    assert second.status_code == 200
    assert len(second.json()["results"]) == 2
    cursor = first["next"].split("cursor=")[1].split("&")[0]
    forged = [
        cursor[:-2] + ("AA" if cursor[-2:] != "AA" else "BB"),  # edited
        b64encode(b"p=2020-01-01+00%3A00%3A00").decode(),  # well-formed but never issued
        b64encode(b"x=1").decode(),  # DRF read this as the first page
        b64encode(b"").decode() + "=",
    ]
    for value in forged:
        response = api.get(fans_url, {"cursor": value})
        assert response.status_code == 404, (value, response.content)
        assert response.json()["error"]["code"] == "not_found"


def test_the_schema_says_what_the_query_checks_say(anon_client) -> None:
    schema = anon_client.get("/api/schema/?format=json").json()
    fans = schema["paths"]["/api/v1/users/{user_id}/fans"]["get"]["parameters"]
    by_name = {parameter["name"]: parameter["schema"] for parameter in fans}
    assert by_name["page_size"]["minimum"] == 1
    assert by_name["cursor"]["minLength"] == 1
    inbox = schema["paths"]["/api/v1/creator/comments"]["get"]["parameters"]
    assert all(p["schema"].get("minLength", 1) >= 1 for p in inbox if p["in"] == "query")


def test_an_event_without_source_is_refused_alone_as_the_schema_says(api, anon_client) -> None:
    note = make_note(UserFactory())
    event = client_event("impression", note_id=note.pk)
    del event["source"]
    response = api.post("/api/v1/events", {"events": [event]}, format="json")
    assert response.status_code == 200
    assert response.json()["errors"][0]["fields"] == {
        "source": [response.json()["errors"][0]["fields"]["source"][0]]
    }
    schema = anon_client.get("/api/schema/?format=json").json()
    body = schema["paths"]["/api/v1/events"]["post"]["requestBody"]["content"]["application/json"]
    items = body["schema"]["properties"]["events"]
    assert (items["minItems"], items["maxItems"]) == (1, 500)
    client_event_schema, anything = items["items"]["anyOf"]
    assert "source" in client_event_schema["required"]
    assert "type" not in anything  # any other item is taken and refused on its own


@pytest.mark.parametrize("cursor", ["\x1f", " ", "%%%"])
def test_a_forged_discovery_cursor_is_404_even_when_it_is_whitespace(api, cursor) -> None:
    """The docs say 404 for a cursor the server did not issue; blank-looking ones included."""
    make_note(UserFactory())
    response = api.get("/api/v1/feed/discover", {"cursor": cursor})
    assert response.status_code == 404, response.content
