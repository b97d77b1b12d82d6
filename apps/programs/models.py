"""MCN agency contracts and growth programs (the academy's models are in ``academy_models``).

A contract links a verified MCN organisation to a creator: requested by the agency, accepted or
declined by the creator (or expired after 7 days), then active until its term ends or a
termination is accepted (or approved automatically 7 days after it was requested). While it is
active, the agency's share of the creator's income is posted by the ledger in the income's own
transaction (``apps/ledger/income_splits.py``; the resolver is ``selectors.contract_shares``).
"""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone

from apps.core.states import Machine

MAX_REVENUE_SHARE = Decimal("0.5")


class ContractStatus(models.TextChoices):
    REQUESTED = "requested", "Requested (awaiting the creator)"
    ACTIVE = "active", "Active"
    TERMINATING = "terminating", "Termination requested"
    DECLINED = "declined", "Declined"
    EXPIRED = "expired", "Expired (not answered in time)"
    WITHDRAWN = "withdrawn", "Withdrawn by the agency"
    ENDED = "ended", "Ended"


class ContractSide(models.TextChoices):
    AGENCY = "agency", "Agency"
    CREATOR = "creator", "Creator"
    SYSTEM = "system", "Platform (deadline)"


# The states in which a contract binds the creator: one such contract per creator.
RUNNING_STATES = (ContractStatus.ACTIVE, ContractStatus.TERMINATING)

CONTRACT_MACHINE = Machine(
    "agency_contract",
    transitions={
        (ContractStatus.REQUESTED, "accept"): ContractStatus.ACTIVE,
        (ContractStatus.REQUESTED, "decline"): ContractStatus.DECLINED,
        (ContractStatus.REQUESTED, "withdraw"): ContractStatus.WITHDRAWN,
        (ContractStatus.REQUESTED, "expire"): ContractStatus.EXPIRED,
        (ContractStatus.ACTIVE, "request_termination"): ContractStatus.TERMINATING,
        (ContractStatus.ACTIVE, "complete_term"): ContractStatus.ENDED,
        (ContractStatus.TERMINATING, "accept_termination"): ContractStatus.ENDED,
        (ContractStatus.TERMINATING, "auto_terminate"): ContractStatus.ENDED,
        (ContractStatus.TERMINATING, "complete_term"): ContractStatus.ENDED,
    },
    states=tuple(ContractStatus.values),
)


class AgencyContract(models.Model):
    agency = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="agency_contracts"
    )
    creator = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="agency_contracts"
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    revenue_share = models.DecimalField(
        max_digits=5,
        decimal_places=4,
        validators=[MinValueValidator(Decimal(0)), MaxValueValidator(MAX_REVENUE_SHARE)],
        help_text="The agency's share of the creator's income, 0 to 0.5.",
    )
    starts_on = models.DateField()
    term_months = models.PositiveSmallIntegerField()
    data_sharing = models.BooleanField(
        default=False, help_text="The creator lets the agency see their figures."
    )
    note = models.CharField(max_length=500, blank=True)
    status = models.CharField(
        max_length=12, choices=ContractStatus.choices, default=ContractStatus.REQUESTED
    )
    expires_at = models.DateTimeField(help_text="An unanswered request expires then.")
    # Set on acceptance: the split applies to income posted in [active_from, active_until).
    active_from = models.DateTimeField(null=True, blank=True)
    active_until = models.DateTimeField(null=True, blank=True)
    termination_requested_by = models.CharField(
        max_length=8, choices=ContractSide.choices, blank=True
    )
    termination_due_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["creator"],
                condition=Q(status__in=RUNNING_STATES),
                name="contract_one_running_per_creator",
            ),
            models.UniqueConstraint(
                fields=["agency", "creator"],
                condition=Q(status=ContractStatus.REQUESTED),
                name="contract_one_request_per_pair",
            ),
            models.CheckConstraint(
                condition=Q(revenue_share__gte=0) & Q(revenue_share__lte=MAX_REVENUE_SHARE),
                name="contract_revenue_share_range",
            ),
        ]
        indexes = [
            models.Index(fields=["agency", "-created_at", "-id"], name="contract_agency_idx"),
            models.Index(fields=["creator", "-created_at", "-id"], name="contract_creator_idx"),
            models.Index(fields=["creator", "active_from"], name="contract_split_idx"),
            models.Index(fields=["status", "expires_at"], name="contract_expiry_idx"),
            models.Index(fields=["status", "termination_due_at"], name="contract_termination_idx"),
            models.Index(fields=["status", "active_until"], name="contract_term_idx"),
        ]

    def __str__(self) -> str:
        return f"Contract {self.pk}: agency {self.agency_id} / creator {self.creator_id}"


class ContractEvent(models.Model):
    """The audit trail of a contract: every move, who made it and when."""

    contract = models.ForeignKey(AgencyContract, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(max_length=24)
    from_status = models.CharField(max_length=12)
    to_status = models.CharField(max_length=12)
    side = models.CharField(max_length=8, choices=ContractSide.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["contract", "id"], name="contract_event_idx")]

    def __str__(self) -> str:
        return f"{self.action}: {self.from_status} -> {self.to_status}"


# --- Growth programs ------------------------------------------------------------------------


class AgencyRequirement(models.TextChoices):
    ANY = "any", "Signed or not"
    SIGNED = "signed", "Signed with an agency"
    UNSIGNED = "unsigned", "Not signed with an agency"


class GrowthProgram(models.Model):
    """One program as data: who is eligible and what a member receives."""

    key = models.SlugField(max_length=40, unique=True)
    name = models.CharField(max_length=60)
    description = models.TextField(blank=True)
    is_active = models.BooleanField(default=True)
    # Eligibility.
    min_fans = models.PositiveIntegerField(default=0)
    min_notes_30d = models.PositiveIntegerField(
        default=0, help_text="Published notes in the last 30 days (in the categories, if any)."
    )
    min_engagement_rate = models.DecimalField(
        max_digits=6,
        decimal_places=4,
        default=Decimal(0),
        help_text="Engagements / reads over the last 30 days (0.05 = 5 %).",
    )
    categories = models.ManyToManyField("accounts.Category", blank=True, related_name="+")
    no_active_strikes = models.BooleanField(default=True)
    agency_requirement = models.CharField(
        max_length=8, choices=AgencyRequirement.choices, default=AgencyRequirement.ANY
    )
    # Benefits.
    promotion_credit_fen = models.PositiveBigIntegerField(default=0)
    badge = models.CharField(max_length=30, blank=True)
    boost_weight = models.DecimalField(
        max_digits=4, decimal_places=2, default=Decimal(0), help_text="Discovery boost, 0 to 9.99."
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [
            models.Index(fields=["is_active", "-created_at", "-id"], name="program_list_idx")
        ]

    def __str__(self) -> str:
        return self.name


class ApplicationStatus(models.TextChoices):
    INVITED = "invited", "Invited"
    APPLIED = "applied", "Applied"
    APPROVED = "approved", "Approved (member)"
    REJECTED = "rejected", "Rejected"
    LEFT = "left", "Left"
    REMOVED = "removed", "Removed"


APPLICATION_MACHINE = Machine(
    "program_application",
    transitions={
        (ApplicationStatus.INVITED, "apply"): ApplicationStatus.APPLIED,
        (ApplicationStatus.APPLIED, "approve"): ApplicationStatus.APPROVED,
        (ApplicationStatus.APPLIED, "reject"): ApplicationStatus.REJECTED,
        (ApplicationStatus.APPLIED, "leave"): ApplicationStatus.LEFT,
        (ApplicationStatus.APPROVED, "leave"): ApplicationStatus.LEFT,
        (ApplicationStatus.APPROVED, "remove"): ApplicationStatus.REMOVED,
    },
    states=tuple(ApplicationStatus.values),
)


class ProgramApplication(models.Model):
    program = models.ForeignKey(GrowthProgram, on_delete=models.PROTECT, related_name="+")
    creator = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="program_applications"
    )
    status = models.CharField(max_length=10, choices=ApplicationStatus.choices)
    invited_at = models.DateTimeField(null=True, blank=True)
    applied_at = models.DateTimeField(null=True, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    reason = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["program", "creator"], name="application_unique"),
            models.CheckConstraint(
                condition=~Q(status=ApplicationStatus.REJECTED) | ~Q(reason=""),
                name="application_rejection_has_reason",
            ),
        ]
        indexes = [
            models.Index(fields=["creator", "-created_at", "-id"], name="application_creator_idx"),
            models.Index(fields=["status", "program"], name="application_status_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.creator_id} in {self.program_id} ({self.status})"


class ProgramBenefit(models.Model):
    """What a member received, once per application: credits (a ledger move), badge, boost."""

    application = models.OneToOneField(
        ProgramApplication, on_delete=models.CASCADE, related_name="benefit"
    )
    creator = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    credit_fen = models.PositiveBigIntegerField(default=0)
    credit_transaction_id = models.BigIntegerField(null=True, blank=True)
    badge = models.CharField(max_length=30, blank=True)
    boost_weight = models.DecimalField(max_digits=4, decimal_places=2, default=Decimal(0))
    granted_at = models.DateTimeField(default=timezone.now)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["creator", "revoked_at"], name="benefit_creator_idx")]

    def __str__(self) -> str:
        return f"benefit of application {self.application_id}"


from apps.programs.academy_models import *  # noqa: E402, F403  (registers the academy models)
