"""The nightly rollup on a real Celery worker process, through the Redis broker.

A ``celery -A config worker`` subprocess is started on the test database (this xdist worker's)
with its own queue and node name (so it never takes another worker's or run's tasks); the test
sends the tasks through the broker and polls the rollup tables for the rows the worker wrote.
"""

import os
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from apps.analytics.days import day_start, local_yesterday
from apps.analytics.models import CreatorDaily, Event, NoteDaily, RollupRun
from apps.analytics.tasks import FINAL_AFTER_DAYS, analytics_rollup_day, analytics_rollup_nightly
from tests.factories import UserFactory
from tests.notes.factories import NoteFactory
from tests.workers import database_url, stop, unique_name

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def worker_queue(tmp_path: Path) -> Iterator[str]:
    if settings.CELERY_TASK_ALWAYS_EAGER:
        pytest.skip("needs a broker (REDIS_URL)")
    queue = unique_name("rollup-test")
    env = {
        **os.environ,
        "DATABASE_URL": database_url(connection.settings_dict),
        "REDIS_URL": settings.REDIS_URL,
        "CACHE_KEY_PREFIX": settings.CACHE_KEY_PREFIX,
        "CELERY_QUEUE": queue,  # the worker's default queue: tasks it enqueues stay on it
    }
    log = (tmp_path / "worker.log").open("wb")
    worker = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "celery"),
            "-A",
            "config",
            "worker",
            "-Q",
            queue,
            "--hostname",  # its own node name too: two xdist workers may run this at once
            f"{queue}@%h",
            "--pool",
            "solo",
            "--loglevel",
            "INFO",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        yield queue
    finally:
        stop(worker)
        log.close()
        if worker.returncode not in (0, -15):
            print((tmp_path / "worker.log").read_text())


def _poll(found: Callable[[], bool], timeout: float = 90.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if found():
            return True
        time.sleep(0.25)
    return False


def _events_yesterday() -> tuple[int, int]:
    creator, viewer = UserFactory(), UserFactory()
    note = NoteFactory(author=creator)
    start = day_start(local_yesterday())
    Event.objects.bulk_create(
        [
            Event(
                occurred_at=start + timedelta(minutes=minute),
                received_at=start + timedelta(minutes=minute),
                actor_id=viewer.pk,
                note_id=note.pk,
                author_id=creator.pk,
                kind=kind,
                source="feed",
                dwell_ms=2_000 if kind == "view" else None,
            )
            for minute, kind in enumerate(["impression"] * 5 + ["view"] * 2 + ["like"])
        ]
    )
    return creator.pk, note.pk


def test_rollup_task_runs_on_a_worker(worker_queue: str) -> None:
    creator_id, note_id = _events_yesterday()
    yesterday = local_yesterday()
    assert not NoteDaily.objects.exists()
    result = analytics_rollup_day.apply_async(args=[yesterday.isoformat()], queue=worker_queue)
    assert _poll(lambda: NoteDaily.objects.filter(note_id=note_id).exists()), "no rows written"
    row = NoteDaily.objects.get(note_id=note_id, day=yesterday)
    assert (row.impressions, row.views, row.likes, row.dwell_ms_sum) == (5, 2, 1, 4_000)
    assert CreatorDaily.objects.get(creator_id=creator_id, day=yesterday).engagements == 1
    run = RollupRun.objects.get(day=yesterday)
    assert result.get(timeout=30) == run.pk
    assert run.events == 8


def test_nightly_task_rolls_up_yesterday_and_the_day_that_became_final(worker_queue: str) -> None:
    _, note_id = _events_yesterday()
    yesterday = local_yesterday()
    final = yesterday - timedelta(days=FINAL_AFTER_DAYS)
    sent = analytics_rollup_nightly.apply_async(queue=worker_queue)
    assert sent.get(timeout=60) == [yesterday.isoformat(), final.isoformat()]
    assert _poll(lambda: RollupRun.objects.filter(day__in=[yesterday, final]).count() == 2)
    assert NoteDaily.objects.filter(note_id=note_id, day=yesterday).exists()
