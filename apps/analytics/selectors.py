"""Reads the ingestion path needs, each one query whatever the batch size."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from django.apps import apps as django_apps
from django.conf import settings
from django.db import connection
from django.db.models import Model

from apps.accounts.models import Profile, User
from apps.analytics.kinds import age_band_for
from apps.analytics.targets import visible_note_authors_function
from apps.core.sql import prepared_cursor


@dataclass(frozen=True, slots=True)
class ActorSnapshot:
    """What the rollups group viewers by, as it was when the event happened."""

    gender: str = ""
    age_band: str = ""
    region: str = ""
    interests: tuple[int, ...] = ()


ANONYMOUS = ActorSnapshot()


_snapshot_sql: dict[str, str] = {}


def _snapshot_rows(actor_id: int) -> list[tuple]:
    """The actor's profile rows (one per interest), by SQL compiled once per database.

    Every server event (an order, a like) asks this; compiling the same ORM query each time
    cost more than running it.
    """
    key = f"{connection.alias}:{connection.vendor}"
    sql = _snapshot_sql.get(key)
    if sql is None:
        query = Profile.objects.filter(user_id=0).values_list(
            "gender", "birth_year", "region", "interests"
        )
        sql, params = query.query.get_compiler(connection=connection).as_sql()
        assert list(params) == [0], params  # one parameter: the actor
        _snapshot_sql[key] = sql
    with prepared_cursor() as cursor:  # its plan took longer than its run
        cursor.execute(sql, [actor_id])
        return cursor.fetchall()


def actor_snapshot(*, actor_id: int | None, at: datetime) -> ActorSnapshot:
    """The actor's gender, age band (in ``at``'s Shanghai year), region and interests."""
    if actor_id is None:
        return ANONYMOUS
    rows = _snapshot_rows(actor_id)
    if not rows:
        return ANONYMOUS
    gender, birth_year, region, _ = rows[0]
    year = at.astimezone(ZoneInfo(settings.ANALYTICS_TIME_ZONE)).year
    return ActorSnapshot(
        gender=gender or "",
        age_band=age_band_for(birth_year, year),
        region=region or "",
        interests=tuple(sorted(row[3] for row in rows if row[3] is not None)),
    )


def note_model() -> type[Model] | None:
    """The notes app's Note model, or None while it does not exist."""
    try:
        return django_apps.get_model("notes", "Note")
    except LookupError:
        return None


def note_authors(*, note_ids: Iterable[int]) -> dict[int, int] | None:
    """Author of each existing note among ``note_ids``; None when there is no notes model."""
    model = note_model()
    if model is None:
        return None
    ids = set(note_ids)
    if not ids:
        return {}
    return dict(model._default_manager.filter(pk__in=ids).values_list("pk", "author_id"))


def visible_note_authors(
    *, note_ids: Iterable[int], viewer_id: int | None
) -> dict[int, int] | None:
    """Author of each note among ``note_ids`` that ``viewer_id`` may see, in one query.

    Client events name notes chosen by the client, so a note the sender cannot see answers like
    a missing one. None when no app has registered notes (nothing to check against).
    """
    function = visible_note_authors_function()
    if function is None:
        return None
    ids = set(note_ids)
    if not ids:
        return {}
    return function(ids, viewer_id)


def active_user_ids(*, user_ids: Iterable[int]) -> set[int]:
    """Which of ``user_ids`` are active users."""
    ids = set(user_ids)
    if not ids:
        return set()
    return set(User.objects.filter(pk__in=ids, is_active=True).values_list("pk", flat=True))
