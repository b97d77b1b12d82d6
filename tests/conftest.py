"""Shared fixtures: API clients, users, helpers for query counting, and per-worker namespaces."""

import copy
from collections.abc import Callable, Iterator

import pytest
from celery.contrib.testing.worker import start_worker
from celery.signals import task_postrun
from django.conf import settings as django_settings
from django.db import connection
from django.test.utils import CaptureQueriesContext, override_settings
from rest_framework.test import APIClient
from rest_framework.throttling import SimpleRateThrottle

from apps.moderation import matcher
from config.celery_app import app
from tests.factories import UserFactory
from tests.workers import WORKER, unique_name


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


@pytest.fixture(scope="session", autouse=True)
def _worker_channel_layer() -> Iterator[None]:
    """Channels groups are named by ids that two workers' databases share ("room-5"): each
    xdist worker gets its own channel-layer prefix on the shared Redis."""
    layers = copy.deepcopy(django_settings.CHANNEL_LAYERS)
    config = layers["default"].setdefault("CONFIG", {})
    if "prefix" in config:
        config["prefix"] = f"{django_settings.CACHE_KEY_PREFIX}-{WORKER}:asgi"
    with override_settings(CHANNEL_LAYERS=layers):
        yield


@pytest.fixture(autouse=True)
def _own_cache_namespace(settings) -> None:
    """Each test sees an empty cache of its own on the same backend (Redis with REDIS_URL):
    throttle counters, cached figures and rule versions never leak between tests or between
    xdist workers, and no test needs to flush the shared Redis database. Subprocesses a test
    starts inherit it through ``settings.CACHE_KEY_PREFIX``."""
    prefix = unique_name(settings.CACHE_KEY_PREFIX)
    caches = copy.deepcopy(settings.CACHES)
    caches["default"]["KEY_PREFIX"] = prefix
    settings.CACHE_KEY_PREFIX = prefix
    settings.CACHES = caches


@pytest.fixture(autouse=True)
def _fresh_screening_rules() -> Iterator[None]:
    """Screening compiles the rules once per process and checks their version only every few
    seconds: a rule one test created (then rolled back) must not screen the next test's text."""
    matcher.reset()
    yield
    matcher.reset()


@pytest.fixture
def worker_queue() -> Iterator[str]:
    """A real Celery worker (Redis broker, this test's database) on a queue of this test's own:
    tasks sent there with ``apply_async(queue=...)`` run in the worker's thread, as in
    production, and never reach another xdist worker's or run's worker."""
    if django_settings.CELERY_TASK_ALWAYS_EAGER:
        pytest.skip("needs a broker (REDIS_URL)")
    queue = unique_name("celery-test")
    task_postrun.connect(_close_task_connection, weak=False)
    try:
        with start_worker(app, queues=[queue], perform_ping_check=False, loglevel="WARNING"):
            yield queue
    finally:
        task_postrun.disconnect(_close_task_connection)


def _close_task_connection(**kwargs: object) -> None:
    """Each task closes its database connection, so the test database can be dropped."""
    connection.close()


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
