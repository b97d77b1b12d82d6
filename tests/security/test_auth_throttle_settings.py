"""Throttle settings: trusted proxies, header validation before throttling, the fuzzing exemption,
and 429 in the OpenAPI responses of throttled operations."""

import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from django.test import RequestFactory
from drf_spectacular.generators import SchemaGenerator
from rest_framework.throttling import SimpleRateThrottle

from apps.core.throttles import client_address
from tests.factories import TEST_PASSWORD, UserFactory

ROOT = Path(__file__).resolve().parents[2]
LOGIN = "/api/v1/auth/login"


@pytest.fixture
def tight_rates(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(
        SimpleRateThrottle,
        "THROTTLE_RATES",
        {"auth": "2/min", "write": "2/min", "anon": "2/min", "user": "2/min"},
    )


# --- Trusted proxies ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("trusted", "forwarded", "expected"),
    [
        (0, "203.0.113.9", "10.0.0.1"),  # no proxy trusted: the header is ignored
        (1, "203.0.113.9", "203.0.113.9"),  # our proxy appended the client
        (1, "6.6.6.6, 203.0.113.9", "203.0.113.9"),  # the client's own entry is not believed
        (2, "6.6.6.6, 203.0.113.9, 10.0.0.7", "203.0.113.9"),
        (2, "203.0.113.9", "10.0.0.1"),  # fewer hops than proxies: not through our proxies
        (1, "not-an-address", "10.0.0.1"),
        (1, "", "10.0.0.1"),
    ],
)
def test_client_address_follows_trusted_proxy_count(
    settings, trusted: int, forwarded: str, expected: str
) -> None:
    settings.TRUSTED_PROXY_COUNT = trusted
    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR=forwarded)
    assert client_address(request) == expected


def test_settings_give_drf_the_same_proxy_count() -> None:
    from django.conf import settings

    assert settings.REST_FRAMEWORK["NUM_PROXIES"] == settings.TRUSTED_PROXY_COUNT


@pytest.mark.django_db
def test_behind_one_trusted_proxy_only_the_proxys_entry_counts(
    settings, tight_rates, anon_client
) -> None:
    settings.TRUSTED_PROXY_COUNT = 1
    prefix = f"6.6.6.{uuid.uuid4().int % 200}"  # left parts a client invents
    proxy = {"REMOTE_ADDR": "10.0.0.1"}
    body = {"username": f"nobody{uuid.uuid4().hex[:8]}", "password": "wrong-guess-1"}

    def login(client_ip: str, invented: str) -> int:
        forwarded = f"{invented}, {client_ip}"
        return anon_client.post(LOGIN, body, HTTP_X_FORWARDED_FOR=forwarded, **proxy).status_code

    client_ip = f"198.51.100.{uuid.uuid4().int % 200}"
    assert [login(client_ip, f"{prefix}{n}") for n in range(3)] == [401, 401, 429]
    assert login(f"192.0.2.{uuid.uuid4().int % 200}", prefix) == 401  # another real client


# --- Required headers before throttles ----------------------------------------------------


@pytest.mark.django_db
def test_missing_idempotency_key_is_400_even_when_the_rate_is_used_up(
    tight_rates, api, other_user
) -> None:
    transfer = {"to_user_id": other_user.pk, "amount": 100}
    for n in range(2):  # use up the write budget with well-formed requests
        api.post("/api/v1/wallet/transfers", transfer, HTTP_IDEMPOTENCY_KEY=f"k-{n}")
    assert (
        api.post("/api/v1/wallet/transfers", transfer, HTTP_IDEMPOTENCY_KEY="k-9").status_code
        == 429
    )

    missing = api.post("/api/v1/wallet/transfers", transfer)
    assert missing.status_code == 400, missing.content
    assert missing.json()["error"]["code"] == "idempotency.key_required"
    bad = api.post("/api/v1/wallet/transfers", transfer, HTTP_IDEMPOTENCY_KEY="with space")
    assert bad.status_code == 400
    assert bad.json()["error"]["code"] == "idempotency.key_invalid"


# --- The fuzzing exemption ----------------------------------------------------------------


@pytest.mark.django_db
def test_exempt_username_skips_user_throttles_but_not_anonymous_auth(
    settings, tight_rates, make_client, anon_client
) -> None:
    fuzzer, other = UserFactory(), UserFactory()
    settings.THROTTLE_EXEMPT_USERNAMES = [fuzzer.username]
    targets = [UserFactory() for _ in range(4)]

    def follow_all(client) -> list[int]:
        return [client.post(f"/api/v1/users/{t.pk}/follow").status_code for t in targets]

    assert follow_all(make_client(fuzzer)) == [201] * 4
    assert follow_all(make_client(other)) == [201, 201, 429, 429]

    # Signing in stays throttled per address, for the exempt user too.
    login = {"username": fuzzer.username, "password": TEST_PASSWORD}
    address = {"REMOTE_ADDR": f"192.0.2.{uuid.uuid4().int % 200}"}
    statuses = [anon_client.post(LOGIN, login, **address).status_code for _ in range(3)]
    assert statuses == [200, 200, 429]


def _manage_check(extra_env: dict[str, str]) -> subprocess.CompletedProcess:
    env = {**os.environ, **extra_env}
    return subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_refuses_to_start_with_throttle_exemptions() -> None:
    result = _manage_check(
        {
            "DJANGO_DEBUG": "0",
            "SECRET_KEY": "k3P!q9-z" * 8,
            "ALLOWED_HOSTS": "creators.example.com",
            "THROTTLE_EXEMPT_USERNAMES": "demo",
        }
    )
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "THROTTLE_EXEMPT_USERNAMES" in result.stderr


def test_development_accepts_throttle_exemptions() -> None:
    result = _manage_check({"DJANGO_DEBUG": "1", "THROTTLE_EXEMPT_USERNAMES": "demo,fuzzer"})
    assert result.returncode == 0, result.stderr


# --- 429 documented -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "method"),
    [
        ("/api/v1/auth/login", "post"),
        ("/api/v1/auth/register", "post"),
        ("/api/v1/auth/refresh", "post"),
        ("/api/v1/auth/logout", "post"),
        ("/api/v1/me/phone", "post"),
        ("/api/v1/me/phone/verify", "post"),
        ("/api/v1/me/password", "post"),
        ("/api/v1/wallet/transfers", "post"),
        ("/api/v1/users/{user_id}/follow", "post"),
    ],
)
def test_throttled_operations_document_429(path: str, method: str) -> None:
    schema = SchemaGenerator().get_schema(request=None, public=True)
    responses = schema["paths"][path][method]["responses"]
    assert "429" in responses
    content = responses["429"]["content"]["application/json"]["schema"]
    assert content == {"$ref": "#/components/schemas/Error"}
