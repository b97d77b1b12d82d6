"""Operators browse the rollup tables read-only and re-run a day from the admin."""

from collections.abc import Iterator
from datetime import timedelta

import pytest

from apps.accounts.models import User
from apps.analytics.days import local_yesterday
from apps.analytics.models import CreatorDaily, NoteDaily, RollupRun
from apps.analytics.rollups import rollup_run
from config.celery_app import app as celery_app
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
TABLES = [
    "notesourcedaily",
    "noteaudiencedaily",
    "noteretentiondaily",
    "creatordaily",
    "fandemographicdaily",
    "fansourcedaily",
    "fanactivityhourly",
    "dailyactiveuser",
    "rolluprun",
]


@pytest.fixture
def operator_client(client):
    operator = User.objects.create_superuser("operator", "op@example.com", "op-pass-2026!")
    client.force_login(operator)
    return client


@pytest.fixture
def eager_tasks() -> Iterator[None]:
    """Run queued tasks in process, as the embedded mode does (no stray tasks on a broker)."""
    previous = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    try:
        yield
    finally:
        celery_app.conf.task_always_eager = previous


@pytest.mark.parametrize("table", TABLES)
def test_rollup_tables_are_read_only(operator_client, table: str) -> None:
    rollup_run(day=local_yesterday())
    CreatorDaily.objects.create(day=local_yesterday(), creator_id=77, fans_total=5)
    url = f"/admin/analytics/{table}/"
    assert operator_client.get(url).status_code == 200
    assert operator_client.get(f"{url}add/").status_code == 403


def test_creator_rows_filter_by_creator(operator_client) -> None:
    CreatorDaily.objects.create(day=local_yesterday(), creator_id=41, fans_total=5)
    CreatorDaily.objects.create(day=local_yesterday(), creator_id=42, fans_total=6)
    response = operator_client.get("/admin/analytics/creatordaily/", {"creator_id": 41})
    assert [row.creator_id for row in response.context["cl"].result_list] == [41]
    row = CreatorDaily.objects.get(creator_id=42)
    response = operator_client.post(f"/admin/analytics/creatordaily/{row.pk}/change/", {})
    assert response.status_code == 403


def test_note_days_page_lists_one_day_by_author_and_note(operator_client) -> None:
    """note_daily has a composite key (no admin changelist): its page on "Rollup runs" lists
    one day (yesterday by default), filtered by author and note, paged."""
    yesterday = local_yesterday()
    NoteDaily.objects.bulk_create(
        [NoteDaily(day=yesterday, note_id=note, author_id=7, views=note) for note in range(1, 61)]
        + [
            NoteDaily(day=yesterday - timedelta(days=1), note_id=1, author_id=7, views=99),
            NoteDaily(day=yesterday, note_id=5, author_id=8, views=55),
        ]
    )
    url = "/admin/analytics/rolluprun/note-days/"
    assert 'href="/admin/analytics/rolluprun/note-days/"' in (
        operator_client.get("/admin/analytics/rolluprun/").content.decode()
    )

    response = operator_client.get(url, {"author_id": 7})
    assert response.status_code == 200
    page = response.context["page"]
    assert response.context["day"] == yesterday
    assert page.paginator.count == 60 and len(page.object_list) == 50
    assert [row[:2] for row in page.object_list[:2]] == [(1, 7), (2, 7)]
    response = operator_client.get(url, {"author_id": 7, "p": 2})
    assert [row[0] for row in response.context["page"].object_list] == list(range(51, 61))

    earlier = (yesterday - timedelta(days=1)).isoformat()
    response = operator_client.get(url, {"day": earlier, "note_id": 1})
    rows = list(response.context["page"].object_list)
    assert len(rows) == 1 and rows[0][0] == 1 and rows[0][3] == 99  # views
    assert "99" in response.content.decode()

    response = operator_client.get(url, {"day": "not-a-day", "author_id": "0"})
    assert response.status_code == 200 and response.context["page"] is None
    assert set(response.context["form"].errors) == {"day", "author_id"}


def test_note_days_page_needs_the_view_permission(client) -> None:
    client.force_login(UserFactory(is_staff=True))
    assert client.get("/admin/analytics/rolluprun/note-days/").status_code == 403


def test_an_operator_reruns_a_day(
    operator_client, eager_tasks, django_capture_on_commit_callbacks
) -> None:
    day = local_yesterday() - timedelta(days=3)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = operator_client.post("/admin/analytics/rolluprun/rerun/", {"day": day})
    assert response.status_code == 302
    assert len(callbacks) == 1
    assert RollupRun.objects.filter(day=day).exists()


def test_the_selected_days_are_rerun(
    operator_client, eager_tasks, django_capture_on_commit_callbacks
) -> None:
    first = rollup_run(day=local_yesterday())
    NoteDaily.objects.create(day=first.day, note_id=1, author_id=1)  # a stray row
    with django_capture_on_commit_callbacks(execute=True):
        operator_client.post(
            "/admin/analytics/rolluprun/",
            {"action": "rerun_selected", "_selected_action": [first.pk]},
        )
    assert not NoteDaily.objects.filter(note_id=1).exists()  # the day was rebuilt
    assert RollupRun.objects.get(day=first.day).finished_at > first.finished_at


def test_a_day_that_is_not_over_cannot_be_queued(operator_client) -> None:
    response = operator_client.post(
        "/admin/analytics/rolluprun/rerun/", {"day": local_yesterday() + timedelta(days=1)}
    )
    assert response.status_code == 200
    assert "at the latest" in response.content.decode()
    assert not RollupRun.objects.exists()


def test_staff_without_the_permission_cannot_rerun(client) -> None:
    staff = UserFactory(is_staff=True)
    client.force_login(staff)
    assert client.get("/admin/analytics/rolluprun/rerun/").status_code == 403
