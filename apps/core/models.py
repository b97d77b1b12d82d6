"""Cross-app records owned by the platform core: idempotency keys of money-moving requests."""

from django.conf import settings
from django.db import models
from django.utils import timezone


class IdempotencyKey(models.Model):
    """The first response to a request made with an ``Idempotency-Key`` header.

    The row is inserted before the request's work, in the same database transaction, and
    committed with its response: a concurrent request with the same key waits on the unique
    index until the first one commits, then replays its response. See ``apps.core.idempotency``.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="idempotency_keys"
    )
    key = models.CharField(max_length=255)
    # sha256 of the method, path and canonical JSON body: another body under the key is refused.
    fingerprint = models.CharField(max_length=64)
    method = models.CharField(max_length=10)
    path = models.CharField(max_length=500)
    # Null only inside the first request's own transaction, never visible to another request.
    response_status = models.PositiveSmallIntegerField(null=True, blank=True)
    # The rendered JSON text, so that replays are byte-identical (jsonb would reorder keys).
    response_body = models.TextField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "key"], name="idempotency_key_unique_per_user"),
        ]
        indexes = [models.Index(fields=["expires_at"], name="idempotency_key_expiry_idx")]

    def __str__(self) -> str:
        return f"{self.user_id}:{self.key}"
