"""Shared fixtures: API clients, users, and helpers for query counting."""

from collections.abc import Callable

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient
from rest_framework.throttling import SimpleRateThrottle

from tests.factories import UserFactory


@pytest.fixture(autouse=True)
def _generous_throttles(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests make many requests quickly; throttling itself is tested with its own rates."""
    monkeypatch.setattr(
        SimpleRateThrottle,
        "THROTTLE_RATES",
        {"auth": "100000/min", "write": "100000/min", "anon": "100000/min", "user": "100000/min"},
    )


@pytest.fixture(autouse=True)
def _test_settings(tmp_path, settings) -> None:
    settings.MEDIA_ROOT = str(tmp_path / "media")
    # Real hashing costs ~0.3 s per user; what is tested is that a password is checked.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def user(db):
    return UserFactory()


@pytest.fixture
def other_user(db):
    return UserFactory()


@pytest.fixture
def anon_client() -> APIClient:
    return APIClient()


@pytest.fixture
def make_client() -> Callable:
    def _make(for_user) -> APIClient:
        client = APIClient()
        client.force_authenticate(for_user)
        return client

    return _make


@pytest.fixture
def api(user, make_client) -> APIClient:
    return make_client(user)


@pytest.fixture
def count_queries() -> Callable[[Callable[[], object]], int]:
    """Run a callable and return how many SQL queries it made."""

    def _count(action: Callable[[], object]) -> int:
        with CaptureQueriesContext(connection) as ctx:
            action()
        return len(ctx.captured_queries)

    return _count


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if connection.vendor == "postgresql":
        return
    skip = pytest.mark.skip(reason="needs PostgreSQL (set DATABASE_URL)")
    for item in items:
        if "postgres" in item.keywords:
            item.add_marker(skip)
