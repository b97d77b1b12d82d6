"""Registration, login, token rotation, blacklist and auth throttling."""

import pytest
from rest_framework.throttling import SimpleRateThrottle

from apps.accounts.models import Profile, User
from tests.factories import TEST_PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

REGISTER = "/api/v1/auth/register"
LOGIN = "/api/v1/auth/login"
REFRESH = "/api/v1/auth/refresh"
LOGOUT = "/api/v1/auth/logout"


def _assert_error(response, status: int, code: str | None = None) -> dict:
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) == {"error"}
    assert set(body["error"]) == {"code", "message", "fields"}
    if code:
        assert body["error"]["code"] == code
    return body["error"]


def test_register_creates_user_profile_and_tokens(anon_client) -> None:
    response = anon_client.post(
        REGISTER,
        {"username": "xiaohong", "password": "Sunny-garden-77", "display_name": "小红"},
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["user"]["username"] == "xiaohong"
    assert body["user"]["display_name"] == "小红"
    assert body["tokens"]["access"] and body["tokens"]["refresh"]
    user = User.objects.get(username="xiaohong")
    assert user.check_password("Sunny-garden-77")
    assert Profile.objects.filter(user=user, display_name="小红").exists()

    me = anon_client.get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {body['tokens']['access']}")
    assert me.status_code == 200
    assert me.json()["id"] == user.pk


@pytest.mark.parametrize(
    ("password", "fragment"),
    [("short1", "too short"), ("password123", "too common"), ("83749201834", "entirely numeric")],
)
def test_register_rejects_weak_passwords(anon_client, password: str, fragment: str) -> None:
    response = anon_client.post(REGISTER, {"username": "newbie", "password": password})
    error = _assert_error(response, 400, "invalid")
    assert any(fragment in message for message in error["fields"]["password"])
    assert not User.objects.filter(username="newbie").exists()


def test_register_rejects_password_similar_to_username(anon_client) -> None:
    response = anon_client.post(REGISTER, {"username": "meadowlark", "password": "meadowlark1"})
    error = _assert_error(response, 400)
    assert "password" in error["fields"]


def test_register_rejects_taken_username_case_insensitively(anon_client) -> None:
    UserFactory(username="Taken")
    response = anon_client.post(REGISTER, {"username": "taken", "password": "Sunny-garden-77"})
    error = _assert_error(response, 400, "auth.username_taken")
    assert "username" in error["fields"]
    assert User.objects.filter(username__iexact="taken").count() == 1


@pytest.mark.parametrize(
    "payload",
    [
        {"username": "ab", "password": "Sunny-garden-77"},
        {"username": "has space", "password": "Sunny-garden-77"},
        {"username": "okname", "password": "Sunny-garden-77", "email": "nope"},
        {"password": "Sunny-garden-77"},
    ],
)
def test_register_rejects_bad_fields(anon_client, payload: dict) -> None:
    _assert_error(anon_client.post(REGISTER, payload), 400, "invalid")
    assert not User.objects.exists()


@pytest.mark.parametrize("phone", ["13800138000", "13800138001"])
def test_register_no_longer_binds_or_reveals_a_phone(anon_client, phone: str) -> None:
    """Finding 5: a taken and a free number give the same 201, and neither is bound."""
    UserFactory(phone="13800138000")
    response = anon_client.post(
        REGISTER, {"username": "second", "password": "Sunny-garden-77", "phone": phone}
    )
    assert response.status_code == 201, response.content
    assert response.json()["user"]["phone"] is None
    assert User.objects.get(username="second").phone is None


def test_login_with_wrong_password_is_401_with_error_shape(anon_client) -> None:
    user = UserFactory()
    response = anon_client.post(LOGIN, {"username": user.username, "password": "wrong-one-1"})
    _assert_error(response, 401, "no_active_account")


def test_login_of_inactive_user_fails(anon_client) -> None:
    user = UserFactory(is_active=False)
    response = anon_client.post(LOGIN, {"username": user.username, "password": TEST_PASSWORD})
    assert response.status_code == 401


def test_login_missing_fields_is_400(anon_client) -> None:
    error = _assert_error(anon_client.post(LOGIN, {"username": "x"}), 400, "invalid")
    assert "password" in error["fields"]


def _login(client, user) -> dict:
    response = client.post(LOGIN, {"username": user.username, "password": TEST_PASSWORD})
    assert response.status_code == 200, response.content
    return response.json()


def test_refresh_rotates_and_blacklists_the_old_token(anon_client) -> None:
    tokens = _login(anon_client, UserFactory())
    rotated = anon_client.post(REFRESH, {"refresh": tokens["refresh"]})
    assert rotated.status_code == 200
    new = rotated.json()
    assert new["refresh"] != tokens["refresh"]
    assert new["access"]

    # The new one works, once.
    newer = anon_client.post(REFRESH, {"refresh": new["refresh"]})
    assert newer.status_code == 200
    # The old refresh token was blacklisted on rotation...
    _assert_error(anon_client.post(REFRESH, {"refresh": tokens["refresh"]}), 401)
    # ...and presenting it again revoked its whole family (tests/security/test_auth_refresh.py).
    _assert_error(anon_client.post(REFRESH, {"refresh": newer.json()["refresh"]}), 401)


def test_logout_blacklists_the_refresh_token(anon_client) -> None:
    tokens = _login(anon_client, UserFactory())
    assert anon_client.post(LOGOUT, {"refresh": tokens["refresh"]}).status_code == 204
    _assert_error(anon_client.post(REFRESH, {"refresh": tokens["refresh"]}), 401)
    # Logging out twice with the same token is refused, not a server error.
    _assert_error(anon_client.post(LOGOUT, {"refresh": tokens["refresh"]}), 401)


def test_logout_with_garbage_token_is_401(anon_client) -> None:
    _assert_error(anon_client.post(LOGOUT, {"refresh": "garbage"}), 401)


def test_access_token_cannot_be_used_as_refresh(anon_client) -> None:
    tokens = _login(anon_client, UserFactory())
    _assert_error(anon_client.post(REFRESH, {"refresh": tokens["access"]}), 401)


def test_bad_bearer_token_is_401(anon_client) -> None:
    response = anon_client.get("/api/v1/me", HTTP_AUTHORIZATION="Bearer not.a.token")
    _assert_error(response, 401)


def test_auth_endpoints_are_throttled(anon_client, monkeypatch) -> None:
    monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES", {"auth": "3/min", "write": "3/min"})
    from django.core.cache import cache

    cache.delete_many([f"throttle_auth_{ip}" for ip in ("127.0.0.1",)])
    statuses = [
        anon_client.post(LOGIN, {"username": "nobody", "password": "whatever-1"}).status_code
        for _ in range(4)
    ]
    assert statuses[:3] == [401, 401, 401]
    _assert_error(anon_client.post(LOGIN, {"username": "x", "password": "y"}), 429, "throttled")
    cache.delete_many(["throttle_auth_127.0.0.1"])
