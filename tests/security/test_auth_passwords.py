"""Finding 10: passwords of whitespace only are refused wherever a password is set."""

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError

from apps.accounts.models import User
from tests.factories import TEST_PASSWORD

pytestmark = pytest.mark.django_db

REGISTER = "/api/v1/auth/register"
PASSWORD = "/api/v1/me/password"
BLANK_PASSWORDS = ["        ", "\t\t\t\t\t\t\t\t\t", " \n \r\n \t  \u3000\u3000 "]


@pytest.mark.parametrize("password", BLANK_PASSWORDS)
def test_register_refuses_a_whitespace_only_password(anon_client, password: str) -> None:
    response = anon_client.post(REGISTER, {"username": "blankpass", "password": password})
    assert response.status_code == 400, response.content
    error = response.json()["error"]
    assert error["fields"]["password"] == ["The password cannot consist of whitespace only."]
    assert not User.objects.filter(username="blankpass").exists()


def test_the_rule_is_one_of_djangos_configured_validators() -> None:
    """So the admin's and manage.py's password forms refuse it too."""
    with pytest.raises(ValidationError):
        validate_password(" " * 12)
    validate_password("  spaced but real  ")  # whitespace around real characters is fine


@pytest.mark.parametrize("password", BLANK_PASSWORDS)
def test_password_change_refuses_a_whitespace_only_password(api, user, password: str) -> None:
    response = api.post(PASSWORD, {"current_password": TEST_PASSWORD, "new_password": password})
    assert response.status_code == 400, response.content
    error = response.json()["error"]
    assert error["fields"]["new_password"] == ["The password cannot consist of whitespace only."]
    user.refresh_from_db()
    assert user.check_password(TEST_PASSWORD)


def test_password_change_with_a_good_password_works_and_returns_a_new_pair(api, user) -> None:
    response = api.post(
        PASSWORD, {"current_password": TEST_PASSWORD, "new_password": "Fresh-meadow-2027"}
    )
    assert response.status_code == 200, response.content
    assert set(response.json()) == {"access", "refresh"}
    user.refresh_from_db()
    assert user.check_password("Fresh-meadow-2027")


def test_password_change_needs_the_current_password(api, user) -> None:
    response = api.post(
        PASSWORD, {"current_password": "not-the-one-1", "new_password": "Fresh-meadow-2027"}
    )
    assert response.status_code == 400, response.content
    assert response.json()["error"]["code"] == "auth.wrong_password"
    assert "current_password" in response.json()["error"]["fields"]
    user.refresh_from_db()
    assert user.check_password(TEST_PASSWORD)
