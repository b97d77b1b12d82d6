"""Organisations (brands and MCN agencies), their members, and the audit of their verification.

An organisation is created by a user, who becomes its first owner; it can spend, receive money
or post campaigns only once an operator has verified it (``organisation_require_verified``).
Verification moves through ``VERIFICATION_MACHINE`` (``apps/core/states.py``); every decision is
one ``OrganisationVerificationEvent`` row naming the operator, the moment and the reason.

Registered with Django by the import at the end of ``apps/accounts/models.py``.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from apps.core.states import Machine


class OrganisationKind(models.TextChoices):
    BRAND = "brand", "Brand"
    MCN = "mcn", "MCN agency"


class VerificationStatus(models.TextChoices):
    PENDING = "pending", "Pending verification"
    VERIFIED = "verified", "Verified"
    REJECTED = "rejected", "Rejected"


# An operator may reconsider: a rejected organisation that sent the missing papers is verified,
# and a verified one found to be fraudulent is rejected (its money stays; spending stops).
VERIFICATION_MACHINE = Machine(
    "organisation_verification",
    transitions={
        (VerificationStatus.PENDING, "verify"): VerificationStatus.VERIFIED,
        (VerificationStatus.PENDING, "reject"): VerificationStatus.REJECTED,
        (VerificationStatus.REJECTED, "verify"): VerificationStatus.VERIFIED,
        (VerificationStatus.VERIFIED, "reject"): VerificationStatus.REJECTED,
    },
    states=tuple(VerificationStatus.values),
    field="verification_status",
)


class MembershipRole(models.TextChoices):
    OWNER = "owner", "Owner"
    MANAGER = "manager", "Manager"
    FINANCE = "finance", "Finance"
    VIEWER = "viewer", "Viewer"


class Organisation(models.Model):
    kind = models.CharField(max_length=8, choices=OrganisationKind.choices)
    name = models.CharField(max_length=60)
    logo = models.ImageField(upload_to="organisation-logos/%Y/%m/", blank=True)
    business_licence_number = models.CharField(
        max_length=30, help_text="Unified social credit code on the business licence."
    )
    contact_name = models.CharField(max_length=40)
    contact_phone = models.CharField(max_length=20)
    contact_email = models.EmailField(blank=True)
    verification_status = models.CharField(
        max_length=10, choices=VerificationStatus.choices, default=VerificationStatus.PENDING
    )
    rejection_reason = models.CharField(max_length=200, blank=True)
    # Texts that screening sent to review: the operator reads them before verifying.
    screening_held = models.CharField(
        max_length=100, blank=True, help_text="Fields that content screening held for review."
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    verified_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [
            models.Index(
                fields=["verification_status", "created_at"], name="organisation_status_idx"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_kind_display()})"

    @property
    def is_verified(self) -> bool:
        return self.verification_status == VerificationStatus.VERIFIED


class Membership(models.Model):
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="memberships"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(max_length=8, choices=MembershipRole.choices)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organisation", "user"], name="membership_unique"),
        ]
        indexes = [
            models.Index(fields=["user", "-created_at", "-id"], name="membership_user_idx"),
            models.Index(fields=["organisation", "-created_at", "-id"], name="membership_org_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} is {self.role} of {self.organisation_id}"


class OrganisationVerificationEvent(models.Model):
    """The verification audit trail: who decided, when, what, and why."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="verification_events"
    )
    from_status = models.CharField(max_length=10, choices=VerificationStatus.choices)
    to_status = models.CharField(max_length=10, choices=VerificationStatus.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reason = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ("created_at", "id")
        constraints = [
            models.CheckConstraint(
                condition=~Q(to_status="rejected") | ~Q(reason=""),
                name="organisation_rejection_has_reason",
            )
        ]

    def __str__(self) -> str:
        return f"{self.from_status} -> {self.to_status}"
