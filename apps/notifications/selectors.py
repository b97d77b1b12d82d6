"""Notification reads."""

from typing import Any

from django.db.models import QuerySet

from apps.notifications.models import Notification


def notification_list(*, user: Any, unread: bool | None = None) -> QuerySet[Notification]:
    """The user's own notifications (the inbox), optionally only unread or only read ones."""
    queryset = Notification.objects.filter(recipient_id=user.pk)
    if unread is True:
        queryset = queryset.filter(read_at__isnull=True)
    elif unread is False:
        queryset = queryset.filter(read_at__isnull=False)
    return queryset


def notification_unread_count(*, user: Any) -> int:
    return Notification.objects.filter(recipient_id=user.pk, read_at__isnull=True).count()
