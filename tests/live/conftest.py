"""Live test fixtures: hosts with rooms, a per-worker live channel layer, tasks in process."""

import copy
from collections.abc import Iterator

import pytest
from django.conf import settings as django_settings
from django.db import connections
from django.test.utils import override_settings

from apps.live import services, speakers
from apps.live.models import Room
from apps.moderation import matcher
from config.celery_app import app as celery_app
from tests.factories import UserFactory
from tests.workers import WORKER


@pytest.fixture(scope="session", autouse=True)
def _worker_live_layer() -> Iterator[None]:
    """Rooms of two xdist workers' databases share ids: each worker publishes under its own
    prefix on the shared Redis."""
    layers = copy.deepcopy(django_settings.CHANNEL_LAYERS)
    config = layers["live"].setdefault("CONFIG", {})
    if "prefix" in config:
        config["prefix"] = f"{django_settings.CACHE_KEY_PREFIX}-{WORKER}:live"
    with override_settings(CHANNEL_LAYERS=layers):
        yield


@pytest.fixture(autouse=True)
def _tasks_in_process() -> Iterator[None]:
    """The report task runs in the test's process (the worker test sends it to a real worker)."""
    before = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = before


@pytest.fixture(autouse=True)
def _no_kept_speakers() -> Iterator[None]:
    """Speakers' contexts kept per process (``apps.live.speakers``) start empty in each test."""
    speakers.forget_all()
    yield
    speakers.forget_all()


@pytest.fixture
def host(db):
    return UserFactory()


def make_room(host, *, live: bool = True, **fields) -> Room:
    room = services.room_create(
        host=host, title=fields.pop("title", "Evening show"), category="chat", scheduled_at=None
    )
    if fields:
        Room.objects.filter(pk=room.pk).update(**fields)
    if live:
        services.room_start(room_id=room.pk)
    room.refresh_from_db()
    return room


@pytest.fixture
def live_room(host) -> Room:
    return make_room(host)


@pytest.fixture(autouse=True)
def _fast_ticks(settings) -> None:
    """Likes and viewer counts every 0.2 s, and rules checked on every screening."""
    settings.LIVE_TICK_SECONDS = 0.2
    settings.MODERATION_RULES_CHECK_SECONDS = 0
    matcher.reset()


@pytest.fixture(autouse=True)
def _no_lingering_thread_connections(monkeypatch) -> None:
    """Live's consumers query from a thread pool; each call closes its connection here (as
    with DATABASE_POOL), so no pool thread holds the test database open after the test."""
    monkeypatch.setitem(connections.settings["default"], "CONN_MAX_AGE", 0)
