"""CSV endpoints answer CSV whatever the Accept header says, and their errors stay JSON.

One negotiation class (``apps.core.negotiation``) serves every file endpoint; it is checked here
through an endpoint of each app that uses it, with the Accept header a CSV client sends.
"""

import pytest
from rest_framework.parsers import FormParser, JSONParser
from rest_framework.renderers import BrowsableAPIRenderer, JSONRenderer
from rest_framework.test import APIRequestFactory

from apps.core.negotiation import JsonErrorsNegotiation

pytestmark = pytest.mark.django_db
CSV = "text/csv"
ENDPOINTS = [
    ("/api/v1/wallet/statement", {"month": "2026-13"}, {"month": "2026-01"}),
    ("/api/v1/creator/analytics/notes/export", {"period": 8}, {"period": 7}),
]


def test_the_first_renderer_and_parser_win_over_accept() -> None:
    request = APIRequestFactory().get("/", HTTP_ACCEPT="text/html")
    negotiation = JsonErrorsNegotiation()
    renderers = [JSONRenderer(), BrowsableAPIRenderer()]
    renderer, media_type = negotiation.select_renderer(request, renderers)
    assert (type(renderer), media_type) == (JSONRenderer, "application/json")
    assert isinstance(negotiation.select_parser(request, [JSONParser(), FormParser()]), JSONParser)
    assert negotiation.select_parser(request, []) is None


@pytest.mark.parametrize(("path", "bad", "good"), ENDPOINTS)
def test_errors_are_json_when_csv_is_asked(api, path: str, bad: dict, good: dict) -> None:
    response = api.get(path, bad, HTTP_ACCEPT=CSV)
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert set(response.json()["error"]) == {"code", "message", "fields"}
    ok = api.get(path, good, HTTP_ACCEPT=CSV)
    assert ok.status_code == 200
    assert ok["Content-Type"].startswith(CSV)


@pytest.mark.parametrize(("path", "bad", "good"), ENDPOINTS)
def test_anonymous_is_401_in_json_when_csv_is_asked(anon_client, path, bad, good) -> None:
    response = anon_client.get(path, good, HTTP_ACCEPT=CSV)
    assert response.status_code == 401
    assert response["Content-Type"] == "application/json"
    assert response.json()["error"]["code"]
