"""Notification writes: sending (after the caller's transaction commits) and marking read."""

from typing import Any

from django.db import transaction
from django.utils import timezone

from apps.core.errors import NotFound
from apps.notifications.models import Notification


def notification_send(*, recipient_id: int, kind: str, payload: dict[str, Any]) -> None:
    """Queue a notification; it is written only if the surrounding transaction commits.

    A decision that rolls back must never have told anyone about itself.
    """
    body = dict(payload)

    def _write() -> None:
        Notification.objects.create(recipient_id=recipient_id, kind=kind, payload=body)

    transaction.on_commit(_write)


def notification_send_many(
    *, recipient_ids: list[int], kind: str, payload: dict[str, Any], batch_size: int = 2000
) -> None:
    """The same notification to many users (a nightly job's invitations), in bulk inserts,
    written only if the surrounding transaction commits."""
    body = dict(payload)
    recipients = list(recipient_ids)

    def _write() -> None:
        Notification.objects.bulk_create(
            (Notification(recipient_id=pk, kind=kind, payload=body) for pk in recipients),
            batch_size=batch_size,
        )

    if recipients:
        transaction.on_commit(_write)


@transaction.atomic
def notification_mark_read(*, user: Any, notification_id: int) -> Notification:
    """Mark one of the user's notifications read; repeating it keeps the first read time."""
    notification = (
        Notification.objects.select_for_update()
        .filter(pk=notification_id, recipient_id=user.pk)
        .first()
    )
    if notification is None:
        raise NotFound("Notification not found.", code="notification.not_found")
    if notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at"])
    return notification


@transaction.atomic
def notification_mark_all_read(*, user: Any) -> int:
    """Mark every unread notification of the user read; returns how many changed."""
    return Notification.objects.filter(recipient_id=user.pk, read_at__isnull=True).update(
        read_at=timezone.now()
    )
