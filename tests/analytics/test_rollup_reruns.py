"""Rollups run again, late events, unfinished days, retention and timing: the same world."""

from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection

from apps.analytics.models import (
    Event,
    FanActivityHourly,
    FanDemographicDaily,
    NoteDaily,
    RollupRun,
)
from apps.analytics.rollups import rollup_backfill, rollup_run
from apps.core.errors import InvalidInput
from tests.analytics.factories import make_note
from tests.analytics.test_rollups import (
    DAY,
    NOW,
    TABLES,
    World,
    build_world,
    local,
    snapshot_all,
)
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def world() -> World:
    return build_world()


def test_events_just_after_midnight_land_on_the_new_day(world: World) -> None:
    rollup_backfill(first=DAY - timedelta(days=1), last=DAY, now=NOW)
    edge = NoteDaily.objects.filter(note_id=world.notes["a_edge"])
    by_day = {row.day: (row.impressions, row.views) for row in edge}
    # 23:59:59.999999 the day before; 00:00:00 and 00:00:00.000001 on the day, and the view at
    # 23:59:59.999999; midnight after the day belongs to today (not rolled up).
    assert by_day == {DAY - timedelta(days=1): (1, 0), DAY: (2, 1)}
    first_hour = FanActivityHourly.objects.filter(creator_id=world.creator_a, day=DAY, hour=0)
    assert first_hour.exists()  # 00:00+08:00 is 16:00 UTC the day before: hour 0 in Shanghai


def test_running_a_day_again_changes_nothing(world: World) -> None:
    rollup_backfill(first=DAY - timedelta(days=1), last=DAY, now=NOW)
    first = snapshot_all()
    rollup_run(day=DAY, now=NOW)
    rollup_run(day=DAY - timedelta(days=1), now=NOW)
    assert snapshot_all() == first
    rollup_backfill(first=DAY - timedelta(days=1), last=DAY, now=NOW)
    assert snapshot_all() == first
    assert RollupRun.objects.filter(day__in=[DAY, DAY - timedelta(days=1)]).count() == 2


def test_a_rerun_after_late_events_writes_only_what_changed(world: World) -> None:
    """A day rolled up again is merged: the rows equal a first roll over the new events, the
    rows that did not change are not rewritten (same row versions), and the ones of notes left
    without events go."""
    rollup_run(day=DAY, now=NOW)
    before = _note_days()
    start, end = local(DAY), local(DAY + timedelta(days=1))
    in_day = Event.objects.filter(occurred_at__gte=start, occurred_at__lt=end)
    like = in_day.filter(kind="like", note_id=world.notes["a_image"]).first()
    like.pk, like.occurred_at = None, end - timedelta(seconds=1)
    like.save()  # a late like: a_image's row changes
    new_note = make_note(UserFactory(), title="late")
    Event.objects.create(
        occurred_at=start + timedelta(hours=3),
        received_at=start + timedelta(hours=3),
        kind="impression",
        note_id=new_note.pk,
        author_id=new_note.author_id,
        interests=[],
    )
    gone = world.notes["b_image"]
    assert in_day.filter(note_id=gone).delete()[0] > 0

    rollup_run(day=DAY, now=NOW)
    merged = _note_days()
    changed = (world.creator_a, world.notes["a_image"])
    assert merged[changed][1].likes == before[changed][1].likes + 1
    assert merged[changed][0] != before[changed][0]  # rewritten
    assert merged[(new_note.author_id, new_note.pk)][1].impressions == 1
    assert not [key for key in merged if key[1] == gone]
    untouched = [key for key in before if key[1] not in (gone, world.notes["a_image"])]
    assert untouched
    for key in untouched:
        assert merged[key][0] == before[key][0], f"{key} was rewritten"
        assert _figures(merged[key][1]) == _figures(before[key][1])

    merged_rows = sorted(_figures(row) for _, row in merged.values())
    NoteDaily.objects.filter(day=DAY).delete()
    rollup_run(day=DAY, now=NOW)  # a first roll of the same events
    assert sorted(_figures(row) for row in NoteDaily.objects.filter(day=DAY)) == merged_rows


def _note_days() -> dict[tuple[int, int], tuple[str, NoteDaily]]:
    """DAY's rows by (author, note), each with its row version (``xmin``, new on every write)."""
    versions = dict((((author, note), xmin) for author, note, xmin in _xmins()))
    return {
        (row.author_id, row.note_id): (versions[(row.author_id, row.note_id)], row)
        for row in NoteDaily.objects.filter(day=DAY)
    }


def _xmins() -> list[tuple[int, int, str]]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT author_id, note_id, xmin::text FROM analytics_notedaily WHERE day = %s", [DAY]
        )
        return cursor.fetchall()


def _figures(row: NoteDaily) -> tuple:
    return tuple(getattr(row, name) for name in TABLES["note_daily"][1])


def test_a_day_that_is_not_over_is_refused(world: World) -> None:
    with pytest.raises(InvalidInput):
        rollup_run(day=DAY + timedelta(days=1), now=NOW)
    assert not NoteDaily.objects.exists()


def test_fan_activity_is_kept_for_thirty_days_only(world: World) -> None:
    rollup_run(day=DAY, now=NOW)
    assert FanActivityHourly.objects.filter(day=DAY).exists()
    later = NOW + timedelta(days=31)
    rollup_run(day=DAY, now=later)  # re-run once the day has left the window
    assert not FanActivityHourly.objects.filter(day=DAY).exists()
    assert FanDemographicDaily.objects.filter(day=DAY).exists()  # the snapshot is kept


def test_rollup_time_is_measured_in_utc_bounds(world: World) -> None:
    run = rollup_run(day=DAY, now=NOW)
    start = datetime(2026, 3, 8, 16, 0, tzinfo=UTC)
    in_day = [e for e in world.events if start <= e.occurred_at < start + timedelta(days=1)]
    assert run.events == len(in_day)
