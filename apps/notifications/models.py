"""In-app notifications: one row per message to one user."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone


class NotificationKind(models.TextChoices):
    """Known kinds; the column is free text so an app can add a kind without a migration."""

    CONTENT_APPROVED = "moderation.content_approved", "Content approved after review"
    CONTENT_REMOVED = "moderation.content_removed", "Content removed by moderation"
    STRIKE = "moderation.strike", "Strike added to the account"
    APPEAL_DECIDED = "moderation.appeal_decided", "Appeal decided"
    NEW_FAN = "social.new_fan", "New fan"
    NEW_COMMENT = "notes.new_comment", "New comment"
    STATUS_CHANGE = "status_change", "Status change"


class Notification(models.Model):
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(max_length=60)
    payload = models.JSONField(default=dict, blank=True)
    read_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [
            models.Index(fields=["recipient", "-created_at", "-id"], name="notification_inbox_idx"),
            models.Index(
                fields=["recipient", "-created_at", "-id"],
                condition=Q(read_at__isnull=True),
                name="notification_unread_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} -> {self.recipient_id}"

    @property
    def is_read(self) -> bool:
        return self.read_at is not None
