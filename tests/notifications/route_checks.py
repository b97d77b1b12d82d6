"""Object-permission checks for the notifications routes (collected by tests/core)."""

from collections.abc import Callable

from apps.notifications.models import Notification
from tests.notifications.factories import NotificationFactory


def _notification_list(client, victim) -> None:
    NotificationFactory(recipient=victim)
    assert client.get("/api/v1/notifications").json()["results"] == []


def _notification_unread_count(client, victim) -> None:
    NotificationFactory(recipient=victim)
    assert client.get("/api/v1/notifications/unread-count").json() == {"unread": 0}


def _notification_read(client, victim) -> None:
    notification = NotificationFactory(recipient=victim)
    response = client.post(f"/api/v1/notifications/{notification.pk}/read")
    assert response.status_code == 404
    assert Notification.objects.get(pk=notification.pk).read_at is None


def _notification_read_all(client, victim) -> None:
    notification = NotificationFactory(recipient=victim)
    assert client.post("/api/v1/notifications/read-all").json() == {"marked": 0}
    assert Notification.objects.get(pk=notification.pk).read_at is None


ROUTE_CHECKS: dict[str, Callable] = {
    "notification-list": _notification_list,
    "notification-unread-count": _notification_unread_count,
    "notification-read": _notification_read,
    "notification-read-all": _notification_read_all,
}
