"""Operators browse events read-only; the changelist never counts the whole table."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.accounts.models import User
from apps.analytics.models import Event
from tests.analytics.factories import EventFactory

pytestmark = pytest.mark.django_db
URL = "/admin/analytics/event/"


@pytest.fixture
def operator_client(client):
    operator = User.objects.create_superuser("operator", "op@example.com", "op-pass-2026!")
    client.force_login(operator)
    return client


def test_changelist_filters_by_creator_and_kind(operator_client) -> None:
    EventFactory(author_id=41, kind="view", dwell_ms=1234)
    EventFactory(author_id=42, kind="impression")
    response = operator_client.get(URL, {"author_id": 41})
    assert response.status_code == 200
    assert response.context["cl"].result_count == 1
    response = operator_client.get(URL, {"kind__exact": "impression"})
    assert list(response.context["cl"].result_list) == list(Event.objects.filter(author_id=42))


def test_events_cannot_be_added_changed_or_deleted(operator_client) -> None:
    event = EventFactory()
    assert operator_client.get(f"{URL}add/").status_code == 403
    assert operator_client.get(f"{URL}{event.pk}/change/").status_code == 200  # view only
    response = operator_client.post(f"{URL}{event.pk}/change/", {"kind": "like"})
    assert response.status_code == 403
    assert operator_client.get(f"{URL}{event.pk}/delete/").status_code == 403
    event.refresh_from_db()
    assert event.kind == "impression"


def test_changelist_queries_do_not_grow_with_the_table(operator_client, count_queries) -> None:
    EventFactory.create_batch(3)
    few = count_queries(lambda: operator_client.get(URL))
    EventFactory.create_batch(120)
    many = count_queries(lambda: operator_client.get(URL))
    assert few == many


def test_changelist_counts_are_capped(operator_client) -> None:
    EventFactory.create_batch(3)
    with CaptureQueriesContext(connection) as ctx:
        assert operator_client.get(URL, {"kind__exact": "impression"}).status_code == 200
    counts = [q["sql"] for q in ctx.captured_queries if "COUNT(" in q["sql"].upper()]
    assert counts, "the changelist shows how many rows matched"
    assert all("LIMIT" in sql.upper() for sql in counts), counts
