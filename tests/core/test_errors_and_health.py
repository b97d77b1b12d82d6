"""The one error shape, the health endpoint and the schema."""

import pytest
from rest_framework.test import APIRequestFactory

from apps.core.errors import api_exception_handler

pytestmark = pytest.mark.django_db


def _shape(response) -> dict:
    body = response.json()
    assert set(body) == {"error"}
    assert set(body["error"]) == {"code", "message", "fields"}
    return body["error"]


def test_unauthenticated_is_401(anon_client) -> None:
    response = anon_client.get("/api/v1/me")
    assert response.status_code == 401
    assert _shape(response)["code"] == "not_authenticated"


def test_method_not_allowed_is_405(api) -> None:
    response = api.delete("/api/v1/me")
    assert response.status_code == 405
    assert _shape(response)["code"] == "method_not_allowed"


def test_malformed_json_is_400(api) -> None:
    response = api.generic("PATCH", "/api/v1/me", "{not json", content_type="application/json")
    assert response.status_code == 400
    assert _shape(response)["code"] == "parse_error"


def test_unsupported_media_type_is_415(api) -> None:
    response = api.generic("PATCH", "/api/v1/me", "<x/>", content_type="application/xml")
    assert response.status_code == 415
    assert _shape(response)["code"] == "unsupported_media_type"


def test_unknown_api_path_is_json_404(client, settings) -> None:
    settings.DEBUG = False
    response = client.get("/api/v1/does-not-exist")
    assert response.status_code == 404
    assert _shape(response)["code"] == "not_found"


def test_unknown_api_path_is_404_for_writes_too(api) -> None:
    response = api.post("/api/v1/users/not-a-number/follow", {})
    assert response.status_code == 404
    assert _shape(response)["code"] == "not_found"


def test_csrf_failure_uses_the_error_shape(user) -> None:
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    response = client.patch("/api/v1/me", "{}", content_type="application/json")
    assert response.status_code == 403
    assert _shape(response)["code"] in {"permission_denied", "csrf_failed"}


def test_unexpected_exception_becomes_500_without_traceback() -> None:
    request = APIRequestFactory().get("/api/v1/me")
    response = api_exception_handler(RuntimeError("secret internals"), {"request": request})
    assert response.status_code == 500
    assert response.data["error"]["code"] == "server_error"
    assert "secret internals" not in str(response.data)
    assert "Traceback" not in str(response.data)


def test_healthz_reports_each_dependency(client, settings) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["status"] == "ok"
    assert body["checks"]["database"] == "ok"
    assert body["checks"]["cache"] == "ok"
    expected_broker = "eager" if settings.CELERY_TASK_ALWAYS_EAGER else "ok"
    assert body["checks"]["broker"] == expected_broker


def test_healthz_is_503_when_broker_is_down(client, settings) -> None:
    from config.celery_app import app

    settings.CELERY_TASK_ALWAYS_EAGER = False
    original = app.conf.broker_url
    app.conf.broker_url = "redis://127.0.0.1:1/0"  # nothing listens on port 1
    try:
        response = client.get("/healthz")
    finally:
        app.conf.broker_url = original
    assert response.status_code == 503
    assert response.json()["checks"]["broker"].startswith("error")


def test_schema_and_docs_are_served(client) -> None:
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert schema.status_code == 200
    paths = schema.json()["paths"]
    assert "/api/v1/users/{user_id}/follow" in paths
    assert "429" in paths["/api/v1/users/{user_id}/follow"]["post"]["responses"]
    assert client.get("/api/docs/").status_code == 200


def test_deeply_nested_json_is_400_not_500(api) -> None:
    body = "[" * 100_000 + "]" * 100_000
    response = api.generic("PATCH", "/api/v1/me", body, content_type="application/json")
    assert response.status_code == 400
    assert _shape(response)["code"] == "parse_error"
