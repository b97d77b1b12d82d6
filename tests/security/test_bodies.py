"""Finding 7: bodies too big, or with too many fields or files, answer 4xx in the error shape.

Before the fix each of these was a 500 with a traceback; the unauthenticated endpoints also read
(and the webhook hashed) up to 25 MB before refusing anything.
"""

import uuid

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test.client import encode_multipart

pytestmark = pytest.mark.django_db

BIG_JSON = b'{"username": "' + b"a" * (26 * 1024 * 1024) + b'"}'  # 26 MB


def _assert_error_shape(response, status: int, code: str) -> None:
    assert response.status_code == status, response.content[:300]
    body = response.json()
    assert set(body) == {"error"}
    assert body["error"]["code"] == code
    assert body["error"]["message"]


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/auth/login",
        "/api/v1/auth/register",
        "/api/v1/auth/refresh",
        "/api/v1/payments/webhooks/sandbox",
    ],
)
def test_a_26_mb_body_to_an_unauthenticated_endpoint_is_refused_with_413(anon_client, path) -> None:
    response = anon_client.post(path, BIG_JSON, content_type="application/json")
    _assert_error_shape(response, 413, "request.too_large")


@pytest.mark.parametrize(
    "path", ["/api/v1/auth/login", "/api/v1/auth/register", "/api/v1/payments/webhooks/sandbox"]
)
def test_unauthenticated_endpoints_refuse_a_body_over_their_small_limit(anon_client, path) -> None:
    """Just over the limit is refused from Content-Length alone (the webhook checks no HMAC)."""
    limit = settings.UNAUTHENTICATED_BODY_MAX_BYTES
    body = b'{"username": "' + b"a" * limit + b'"}'
    response = anon_client.post(path, body, content_type="application/json")
    _assert_error_shape(response, 413, "request.too_large")
    assert str(limit) in response.json()["error"]["message"].replace(",", "")


def test_a_login_within_the_limit_still_works(anon_client, user) -> None:
    user.set_password("a-long-password-2026")
    user.save()
    response = anon_client.post(
        "/api/v1/auth/login",
        {"username": user.username, "password": "a-long-password-2026"},
        format="json",
    )
    assert response.status_code == 200, response.content
    assert "access" in response.json()


def test_a_26_mb_body_to_patch_me_is_refused_with_413(api) -> None:
    response = api.patch("/api/v1/me", BIG_JSON, content_type="application/json")
    _assert_error_shape(response, 413, "request.too_large")


def test_a_26_mb_body_to_a_wallet_transfer_is_refused_with_413(api) -> None:
    response = api.post(
        "/api/v1/wallet/transfers",
        BIG_JSON,
        content_type="application/json",
        HTTP_IDEMPOTENCY_KEY=uuid.uuid4().hex,
    )
    _assert_error_shape(response, 413, "request.too_large")


def test_101_files_on_a_note_are_refused_with_400(api) -> None:
    files = [SimpleUploadedFile(f"{i}.png", b"x", content_type="image/png") for i in range(101)]
    body = encode_multipart("BoUnDaRy", {"title": "t", "images": files})
    response = api.post(
        "/api/v1/notes", body, content_type="multipart/form-data; boundary=BoUnDaRy"
    )
    _assert_error_shape(response, 400, "request.too_many_files")


def test_1200_form_fields_on_a_note_are_refused_with_400(api) -> None:
    fields = {f"field{i}": "x" for i in range(1200)}
    body = encode_multipart("BoUnDaRy", fields)
    response = api.post(
        "/api/v1/notes", body, content_type="multipart/form-data; boundary=BoUnDaRy"
    )
    _assert_error_shape(response, 400, "request.too_many_fields")


def test_too_many_urlencoded_fields_are_refused_with_400(api, anon_client) -> None:
    """The API takes JSON or, for uploads, multipart: a form is 415 before anything is parsed;
    Django's own form path (the admin login) counts the fields and refuses 1,200 with 400."""
    body = "&".join(f"field{i}=x" for i in range(1200))
    response = api.post("/api/v1/notes", body, content_type="application/x-www-form-urlencoded")
    _assert_error_shape(response, 415, "unsupported_media_type")
    response = anon_client.post(
        "/admin/login/", body, content_type="application/x-www-form-urlencoded"
    )
    _assert_error_shape(response, 400, "request.too_many_fields")


def test_a_26_mb_form_outside_the_api_answers_413_in_the_error_shape(anon_client) -> None:
    """Django's own path (no DRF view): the admin login form reads request.POST."""
    body = b"username=" + b"a" * (26 * 1024 * 1024)
    response = anon_client.post(
        "/admin/login/", body, content_type="application/x-www-form-urlencoded"
    )
    _assert_error_shape(response, 413, "request.too_large")
