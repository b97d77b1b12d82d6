"""Object-permission checks for the moderation routes (collected by tests/core)."""

from collections.abc import Callable

from apps.moderation.models import Appeal, Report
from tests.factories import UserFactory
from tests.moderation.factories import strike_user


def _report_list(client, victim) -> None:
    target = UserFactory()
    client.force_authenticate(victim)
    client.post("/api/v1/reports", {"target": "user", "object_id": target.pk, "reason": "spam"})
    client.force_authenticate(client.attacker)
    assert client.get("/api/v1/reports").json()["results"] == []
    # Reporting the same item makes the attacker's own report, never touches the victim's.
    client.post("/api/v1/reports", {"target": "user", "object_id": target.pk, "reason": "porn"})
    assert Report.objects.get(reporter=victim).reason == "spam"


def _strike_appeal(client, victim) -> None:
    strike = strike_user(user=victim)
    response = client.post(
        f"/api/v1/moderation/strikes/{strike.pk}/appeal", {"reason": "not mine to appeal"}
    )
    assert response.status_code == 404
    assert not Appeal.objects.filter(strike=strike).exists()


def _creator_health(client, victim) -> None:
    strike_user(user=victim)
    body = client.get("/api/v1/creator/health").json()
    assert body["strikes"] == []
    assert body["status"] == "good"


ROUTE_CHECKS: dict[str, Callable] = {
    "report-list": _report_list,
    "strike-appeal": _strike_appeal,
    "creator-health": _creator_health,
}
