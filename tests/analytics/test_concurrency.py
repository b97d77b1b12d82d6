"""Concurrent retries of one batch store each event once (the unique index decides)."""

import threading

import pytest
from django.db import connection
from rest_framework.test import APIClient

from apps.analytics.models import Event
from tests.analytics.factories import client_event
from tests.factories import UserFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_racing_retries_store_each_event_once() -> None:
    viewer, creator = UserFactory(), UserFactory()
    events = [client_event("profile_visit", target_user_id=creator.pk) for _ in range(300)]
    attempts = 4
    barrier = threading.Barrier(attempts)
    results: list[dict] = []
    failures: list[BaseException] = []

    def retry() -> None:
        client = APIClient()
        client.force_authenticate(viewer)
        try:
            barrier.wait()
            response = client.post("/api/v1/events", {"events": events}, format="json")
            assert response.status_code == 200, response.content
            results.append(response.json())
        except BaseException as exc:  # reported below, from the main thread
            failures.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=retry) for _ in range(attempts)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert not failures, failures
    assert sum(result["stored"] for result in results) == len(events)
    assert sum(result["duplicates"] for result in results) == len(events) * (attempts - 1)
    assert Event.objects.filter(actor_id=viewer.pk).count() == len(events)
