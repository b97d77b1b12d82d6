"""Finding 4: a refresh token rotates once, even under concurrency; a replay revokes its family."""

import pytest
from rest_framework.test import APIClient

from apps.accounts.models import RevokedTokenFamily
from tests.concurrency import run_concurrently
from tests.factories import TEST_PASSWORD, UserFactory

LOGIN = "/api/v1/auth/login"
REFRESH = "/api/v1/auth/refresh"


def _login(user) -> dict:
    response = APIClient().post(LOGIN, {"username": user.username, "password": TEST_PASSWORD})
    assert response.status_code == 200, response.content
    return response.json()


def _refresh(token: str) -> tuple[int, dict]:
    response = APIClient().post(REFRESH, {"refresh": token})
    return response.status_code, response.json()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_twenty_concurrent_refreshes_of_one_token_give_exactly_one_new_pair() -> None:
    tokens = _login(UserFactory())
    results = run_concurrently([lambda: _refresh(tokens["refresh"]) for _ in range(20)])

    assert not [r for r in results if isinstance(r, Exception)], results
    statuses = sorted(status for status, _ in results)
    assert statuses == [200] + [401] * 19
    for status, body in results:
        if status == 401:
            assert body["error"]["code"] == "token_not_valid"
    # The losers presented a spent token: the family is revoked, the winner's pair included.
    (winner,) = [body for status, body in results if status == 200]
    assert _refresh(winner["refresh"])[0] == 401
    assert RevokedTokenFamily.objects.count() == 1


@pytest.mark.django_db
def test_replaying_a_rotated_token_revokes_the_whole_family() -> None:
    user = UserFactory()
    first = _login(user)
    other_device = _login(user)  # another sign-in: another family

    status, second = _refresh(first["refresh"])
    assert status == 200
    status, third = _refresh(second["refresh"])
    assert status == 200

    # A thief replays the first token: refused, and every descendant stops working.
    status, body = _refresh(first["refresh"])
    assert (status, body["error"]["code"]) == (401, "token_not_valid")
    assert _refresh(third["refresh"])[0] == 401
    assert RevokedTokenFamily.objects.filter(user=user, reason="reuse").count() == 1

    # The other sign-in is untouched; signing in again starts a fresh family.
    assert _refresh(other_device["refresh"])[0] == 200
    assert _refresh(_login(user)["refresh"])[0] == 200


@pytest.mark.django_db
def test_refresh_refuses_forged_expired_and_access_tokens() -> None:
    tokens = _login(UserFactory())
    head, payload, signature = tokens["refresh"].split(".")
    forged = f"{head}.{payload}.{signature[::-1]}"
    for token in (forged, tokens["access"], "garbage", "a.b.c"):
        status, body = _refresh(token)
        assert (status, body["error"]["code"]) == (401, "token_not_valid"), token


@pytest.mark.django_db
def test_refresh_of_a_deactivated_user_is_refused() -> None:
    user = UserFactory()
    tokens = _login(user)
    user.is_active = False
    user.save(update_fields=["is_active"])
    assert _refresh(tokens["refresh"])[0] == 401


@pytest.mark.django_db
def test_password_change_ends_every_other_sign_in(make_client) -> None:
    user = UserFactory()
    phone, laptop = _login(user), _login(user)
    response = make_client(user).post(
        "/api/v1/me/password",
        {"current_password": TEST_PASSWORD, "new_password": "Fresh-meadow-2027"},
    )
    assert response.status_code == 200
    assert _refresh(phone["refresh"])[0] == 401
    assert _refresh(laptop["refresh"])[0] == 401
    assert _refresh(response.json()["refresh"])[0] == 200
