"""What follows publication: protection requests, the note's edit history, usage rights, ratings."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from apps.brands.cooperation_models import Cooperation, Side
from apps.core.states import Machine


class ProtectedChange(models.TextChoices):
    HIDE = "hide", "Hide"
    DELETE = "delete", "Delete"
    MAKE_PRIVATE = "make_private", "Make private"


class ProtectionRequestStatus(models.TextChoices):
    PENDING = "pending", "Waiting for the brand"
    CONSENTED = "consented", "Consented"
    REFUSED = "refused", "Refused"
    LAPSED = "lapsed", "Lapsed (unanswered: refused)"


PR = ProtectionRequestStatus
PROTECTION_REQUEST_MACHINE = Machine(
    "protection_request",
    transitions={
        (PR.PENDING, "consent"): PR.CONSENTED,
        (PR.PENDING, "refuse"): PR.REFUSED,
        (PR.PENDING, "lapse"): PR.LAPSED,
    },
    states=tuple(PR.values),
)


class ProtectionRequest(models.Model):
    """A creator's hide, delete or make-private of a protected note, waiting for the brand."""

    cooperation = models.ForeignKey(
        Cooperation, on_delete=models.CASCADE, related_name="protection_requests"
    )
    change = models.CharField(max_length=12, choices=ProtectedChange.choices)
    status = models.CharField(max_length=10, choices=PR.choices, default=PR.PENDING)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    lapses_at = models.DateTimeField()
    decided_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["cooperation", "change"],
                condition=Q(status="pending"),
                name="protection_request_one_pending",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "lapses_at"], name="protection_request_due_idx"),
            models.Index(
                fields=["cooperation", "-created_at", "-id"], name="protection_request_coop_idx"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.change} request on cooperation #{self.cooperation_id} ({self.status})"


class NoteEditRecord(models.Model):
    """The text of a protected note before each edit: the brand can see what changed."""

    cooperation = models.ForeignKey(
        Cooperation, on_delete=models.CASCADE, related_name="note_edits"
    )
    title = models.CharField(max_length=20, blank=True)
    body = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["cooperation", "-created_at"], name="note_edit_coop_idx")]

    def __str__(self) -> str:
        return (
            f"Edit of cooperation #{self.cooperation_id} note at {self.created_at:%Y-%m-%d %H:%M}"
        )


class UsageRightKind(models.TextChoices):
    BOOST = "boost", "Boost the note with paid promotion"
    REPOST = "repost", "Repost the note"


class UsageRight(models.Model):
    """A right a published cooperation granted the brand over its note, until ``expires_at``."""

    cooperation = models.ForeignKey(
        Cooperation, on_delete=models.CASCADE, related_name="usage_rights"
    )
    brand = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT, related_name="+")
    creator = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    note = models.ForeignKey("notes.Note", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=8, choices=UsageRightKind.choices)
    starts_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    alerted_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["cooperation", "kind"], name="usage_right_unique"),
            models.CheckConstraint(
                condition=Q(expires_at__gt=models.F("starts_at")), name="usage_right_period"
            ),
        ]
        indexes = [
            models.Index(fields=["note", "kind", "expires_at"], name="usage_right_note_idx"),
            models.Index(fields=["brand", "expires_at", "id"], name="usage_right_brand_idx"),
            models.Index(fields=["creator", "expires_at", "id"], name="usage_right_creator_idx"),
            models.Index(
                fields=["expires_at"],
                condition=Q(alerted_at__isnull=True),
                name="usage_right_alert_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} right on note {self.note_id} until {self.expires_at:%Y-%m-%d}"


class Rating(models.Model):
    """One side's rating of the other after completion: 1-5 with a comment, editable 7 days."""

    cooperation = models.ForeignKey(Cooperation, on_delete=models.CASCADE, related_name="ratings")
    side = models.CharField(max_length=8, choices=Side.choices, help_text="Who rates.")
    # Denormalised: whom the rating is about, so cards and profiles read one index.
    creator = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    brand = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT, related_name="+")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    score = models.PositiveSmallIntegerField()
    comment = models.TextField(max_length=500, blank=True)
    editable_until = models.DateTimeField()
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["cooperation", "side"], name="rating_once_per_side"),
            models.CheckConstraint(
                condition=Q(score__gte=1, score__lte=5), name="rating_score_range"
            ),
            models.CheckConstraint(
                condition=Q(side__in=[Side.BRAND, Side.CREATOR]), name="rating_side_party"
            ),
        ]
        indexes = [
            models.Index(fields=["creator", "side"], name="rating_creator_idx"),
            models.Index(fields=["brand", "side", "-created_at", "-id"], name="rating_brand_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.score}/5 by the {self.side} on cooperation #{self.cooperation_id}"
