"""Campaigns, cooperations, their offers and their audit trail, and the cooperation machine.

A brand (an ``Organisation`` of kind ``brand``) posts a ``Campaign``; each creator it works with
on that campaign is one ``Cooperation`` that moves through ``COOPERATION_MACHINE``. Every offer
made while negotiating is kept (``Offer``) and every move is one ``CooperationEvent``.
Money is never stored here: the escrow lives in the ledger, owned by the contract reference
``escrow_reference`` (see docs/brands.md "Money").
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from apps.brands.profile_models import Deliverable
from apps.core.states import Machine

# Escrow contract references of brands start here, so they never meet another product's
# contract numbers in the ledger (a contract owner is only an integer).
ESCROW_REFERENCE_BASE = 1_000_000_000_000


# One vocabulary of deliverables for rate cards and cooperations (one enum in the schema).
DeliverableKind = Deliverable


class CampaignMode(models.TextChoices):
    OPEN = "open", "Open applications"
    INVITATION = "invitation", "Invitation only"


class CampaignStatus(models.TextChoices):
    OPEN = "open", "Open"
    CLOSED = "closed", "Closed"


class Campaign(models.Model):
    brand = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="campaigns"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    title = models.CharField(max_length=60)
    description = models.TextField(max_length=2000)
    deliverable_kind = models.CharField(max_length=12, choices=DeliverableKind.choices)
    guidelines = models.TextField(max_length=2000, blank=True)
    product = models.CharField(max_length=100, blank=True)
    publish_from = models.DateField()
    publish_until = models.DateField()
    usage_rights_days = models.PositiveIntegerField(default=90)
    boost_right = models.BooleanField(default=True)
    repost_right = models.BooleanField(default=False)
    protection_days = models.PositiveIntegerField(default=30)
    budget = models.BigIntegerField(help_text="Fen.")
    target_audience = models.JSONField(default=dict, blank=True)
    mode = models.CharField(max_length=10, choices=CampaignMode.choices)
    deadline = models.DateTimeField(help_text="Applications and invitations close.")
    status = models.CharField(
        max_length=8, choices=CampaignStatus.choices, default=CampaignStatus.OPEN
    )
    # Texts that screening sent to review: shown to operators in the admin.
    screening_held = models.CharField(max_length=100, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(protection_days__gte=30, protection_days__lte=365),
                name="campaign_protection_range",
            ),
            models.CheckConstraint(condition=Q(budget__gt=0), name="campaign_budget_positive"),
            models.CheckConstraint(
                condition=Q(publish_until__gte=models.F("publish_from")),
                name="campaign_window_ordered",
            ),
        ]
        indexes = [
            models.Index(fields=["brand", "-created_at", "-id"], name="campaign_brand_idx"),
            models.Index(fields=["status", "mode", "-created_at", "-id"], name="campaign_open_idx"),
        ]

    def __str__(self) -> str:
        return self.title


class CooperationStatus(models.TextChoices):
    INVITED = "invited", "Invited"
    APPLIED = "applied", "Applied"
    NEGOTIATING = "negotiating", "Negotiating"
    ACCEPTED = "accepted", "Accepted (awaiting escrow)"
    FUNDED = "funded", "Funded"
    DRAFTING = "drafting", "Drafting"
    SUBMITTED = "submitted", "Draft submitted"
    REVISION_REQUESTED = "revision_requested", "Revision requested"
    APPROVED = "approved", "Approved"
    PUBLISHED = "published", "Published"
    COMPLETED = "completed", "Completed"
    CANCELLED = "cancelled", "Cancelled"
    DISPUTED = "disputed", "Disputed"
    RESOLVED = "resolved", "Dispute resolved"
    EXPIRED = "expired", "Expired"


S = CooperationStatus
BEFORE_AGREEMENT = (S.INVITED, S.APPLIED, S.NEGOTIATING)
AFTER_SUBMISSION = (S.SUBMITTED, S.REVISION_REQUESTED, S.APPROVED, S.PUBLISHED)

COOPERATION_MACHINE = Machine(
    "cooperation",
    transitions={
        **{(state, "counter"): S.NEGOTIATING for state in BEFORE_AGREEMENT},
        **{(state, "accept"): S.ACCEPTED for state in BEFORE_AGREEMENT},
        **{(state, "decline"): S.CANCELLED for state in BEFORE_AGREEMENT},
        (S.ACCEPTED, "fund"): S.FUNDED,
        (S.FUNDED, "start"): S.DRAFTING,
        (S.DRAFTING, "submit"): S.SUBMITTED,
        (S.REVISION_REQUESTED, "submit"): S.SUBMITTED,
        (S.SUBMITTED, "request_revision"): S.REVISION_REQUESTED,
        (S.SUBMITTED, "approve"): S.APPROVED,
        (S.APPROVED, "publish"): S.PUBLISHED,
        (S.PUBLISHED, "complete"): S.COMPLETED,
        **{(state, "cancel"): S.CANCELLED for state in (S.ACCEPTED, S.FUNDED, S.DRAFTING)},
        **{(state, "dispute"): S.DISPUTED for state in AFTER_SUBMISSION},
        (S.DISPUTED, "resolve"): S.RESOLVED,
        **{(state, "expire"): S.EXPIRED for state in (*BEFORE_AGREEMENT, S.ACCEPTED)},
    },
    states=tuple(CooperationStatus.values),
)
TERMINAL = frozenset({S.COMPLETED, S.CANCELLED, S.RESOLVED, S.EXPIRED})


class Side(models.TextChoices):
    BRAND = "brand", "Brand"
    CREATOR = "creator", "Creator"
    SYSTEM = "system", "Platform (deadline)"
    OPERATOR = "operator", "Operator"


class Cooperation(models.Model):
    campaign = models.ForeignKey(Campaign, on_delete=models.PROTECT, related_name="cooperations")
    brand = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="cooperations"
    )
    creator = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="brand_cooperations"
    )
    status = models.CharField(max_length=20, choices=CooperationStatus.choices)
    # The agreed terms (the latest offer until accepted, then fixed).
    price = models.BigIntegerField(help_text="Fen, paid to the creator.")
    fee = models.BigIntegerField(default=0, help_text="Fen, the platform's fee paid by the brand.")
    deliverable_kind = models.CharField(max_length=12, choices=DeliverableKind.choices)
    publish_from = models.DateField()
    publish_until = models.DateField()
    latest_offer_side = models.CharField(max_length=8, choices=Side.choices)
    note = models.ForeignKey(
        "notes.Note", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    revision_rounds = models.PositiveSmallIntegerField(default=0)
    max_revision_rounds = models.PositiveSmallIntegerField(default=2)
    escrow_paid = models.BigIntegerField(default=0, help_text="Fen the brand paid into escrow.")
    creator_paid = models.BigIntegerField(default=0, help_text="Fen released to the creator.")
    # The next deadline of the current state (expiry, auto-approval, settlement), indexed with
    # the state so the beat task finds due rows with one range scan per state.
    deadline_at = models.DateTimeField(null=True, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)
    protection_until = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(price__gt=0), name="cooperation_price_positive"),
            models.CheckConstraint(condition=Q(fee__gte=0), name="cooperation_fee_not_negative"),
            # One live cooperation per creator and campaign (ended ones may be retried).
            models.UniqueConstraint(
                fields=["campaign", "creator"],
                condition=~Q(status__in=["cancelled", "expired", "completed", "resolved"]),
                name="cooperation_one_live_per_creator",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "deadline_at"], name="cooperation_deadline_idx"),
            models.Index(fields=["creator", "-created_at", "-id"], name="cooperation_creator_idx"),
            models.Index(fields=["brand", "-created_at", "-id"], name="cooperation_brand_idx"),
            models.Index(
                fields=["campaign", "-created_at", "-id"], name="cooperation_campaign_idx"
            ),
            models.Index(fields=["note"], name="cooperation_note_idx"),
        ]

    def __str__(self) -> str:
        return f"Cooperation #{self.pk} ({self.status})"

    @property
    def escrow_reference(self) -> int:
        return ESCROW_REFERENCE_BASE + self.pk

    @property
    def escrow_amount(self) -> int:
        """What funding the escrow costs the brand: the price plus the platform's fee."""
        return self.price + self.fee


class Offer(models.Model):
    """One offer or counter-offer; the latest one is what an accept agrees to."""

    cooperation = models.ForeignKey(Cooperation, on_delete=models.CASCADE, related_name="offers")
    side = models.CharField(max_length=8, choices=Side.choices)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    price = models.BigIntegerField()
    deliverable_kind = models.CharField(max_length=12, choices=DeliverableKind.choices)
    publish_from = models.DateField()
    publish_until = models.DateField()
    message = models.TextField(max_length=1000, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(price__gt=0), name="offer_price_positive"),
        ]
        indexes = [
            models.Index(fields=["cooperation", "-created_at", "-id"], name="offer_cooperation_idx")
        ]

    def __str__(self) -> str:
        return f"{self.side} offer of {self.price} fen"


class CooperationEvent(models.Model):
    """The audit trail: one row per move (who, from, to, and what went with it)."""

    cooperation = models.ForeignKey(Cooperation, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(max_length=20)
    from_status = models.CharField(max_length=20)
    to_status = models.CharField(max_length=20)
    side = models.CharField(max_length=8, choices=Side.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    comment = models.TextField(max_length=1000, blank=True)
    details = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [
            models.Index(fields=["cooperation", "-created_at", "-id"], name="coop_event_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.action}: {self.from_status} -> {self.to_status}"
