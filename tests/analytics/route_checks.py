"""Object-permission checks for the analytics routes (collected by tests/core)."""

from collections.abc import Callable

from rest_framework.test import APIClient

from apps.analytics.models import Event
from tests.analytics.factories import client_event


def _event_batch(client, victim) -> None:
    """Events are always the signed-in user's, and one user cannot spoil another's retries."""
    squatted = client_event("profile_visit", target_user_id=victim.pk)
    response = client.post("/api/v1/events", {"events": [squatted]}, format="json")
    assert response.status_code == 200
    # An actor in the body is refused, never taken.
    forged = client_event("profile_visit", target_user_id=victim.pk, actor_id=victim.pk)
    body = client.post("/api/v1/events", {"events": [forged]}, format="json").json()
    assert body["rejected"] == 1
    assert not Event.objects.filter(actor_id=victim.pk).exists()
    assert set(Event.objects.values_list("actor_id", flat=True)) == {client.attacker.pk}
    # The attacker used a client id first; the victim's own event with it is still stored.
    victim_client = APIClient()
    victim_client.force_authenticate(victim)
    mine = {**squatted, "target_user_id": client.attacker.pk}
    body = victim_client.post("/api/v1/events", {"events": [mine]}, format="json").json()
    assert body["stored"] == 1


ROUTE_CHECKS: dict[str, Callable] = {
    "event-batch": _event_batch,
}
