"""Keyword rules, cases with their reports, strikes, appeals and the audit trail.

Cases, strikes and appeals move through their ``apps.core.states`` machines (``*_MACHINE``,
declared next to each status); the services are the only writers and every move leaves an
``AuditRecord``.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from apps.core.states import Machine
from apps.moderation.screening_types import Surface


class RuleCategory(models.TextChoices):
    POLITICS = "politics", "Politics"
    PORN = "porn", "Pornography"
    GAMBLING = "gambling", "Gambling"
    FRAUD = "fraud", "Fraud"
    ABUSE = "abuse", "Abuse"
    CONTACT = "contact", "Contact details"
    ADS = "ads", "Advertising"


class RuleAction(models.TextChoices):
    MASK = "mask", "Mask (store with asterisks)"
    REVIEW = "review", "Review (author only until approved)"
    BLOCK = "block", "Block (refuse the write)"


# Surface -> the rule's flag saying the rule applies there.
SURFACE_FIELDS: dict[str, str] = {
    Surface.NOTE: "on_note",
    Surface.COMMENT: "on_comment",
    Surface.LIVE_CHAT: "on_live_chat",
    Surface.PROFILE: "on_profile",
    Surface.USERNAME: "on_username",
    Surface.PROGRAMS: "on_programs",
    Surface.BRAND_BRIEF: "on_brand_brief",
    Surface.BRAND_OFFER: "on_brand_offer",
    Surface.BRAND_PITCH: "on_brand_pitch",
    Surface.BRAND_REVISION: "on_brand_revision",
    Surface.COOPERATION_PITCH: "on_cooperation_pitch",
    Surface.PRODUCT: "on_product",
}


class KeywordRule(models.Model):
    term = models.CharField(max_length=100, help_text="As written; matched after normalisation.")
    normalized_term = models.CharField(max_length=100, editable=False)
    category = models.CharField(max_length=12, choices=RuleCategory.choices)
    action = models.CharField(max_length=8, choices=RuleAction.choices)
    on_note = models.BooleanField("notes", default=True)
    on_comment = models.BooleanField("comments", default=True)
    on_live_chat = models.BooleanField("live chat", default=True)
    on_profile = models.BooleanField("profiles", default=True)
    on_username = models.BooleanField("usernames", default=True)
    on_programs = models.BooleanField("programs", default=True)
    on_brand_brief = models.BooleanField("brand briefs", default=True)
    on_brand_offer = models.BooleanField("cooperation offers", default=True)
    on_brand_pitch = models.BooleanField("creator pitches", default=True)
    on_brand_revision = models.BooleanField("revision comments", default=True)
    on_cooperation_pitch = models.BooleanField("cooperation pitches", default=True)
    on_product = models.BooleanField("product listings", default=True)
    whole_word = models.BooleanField(
        default=False,
        help_text="Latin-script terms only: hit only as a whole word (ass: not in 'class').",
    )
    is_active = models.BooleanField(default=True)
    note = models.CharField(max_length=200, blank=True, help_text="Why the rule exists.")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ("category", "normalized_term")
        constraints = [
            models.UniqueConstraint(
                fields=["normalized_term", "category", "action"], name="keyword_rule_unique"
            ),
            models.CheckConstraint(
                condition=Q(on_note=True)
                | Q(on_comment=True)
                | Q(on_live_chat=True)
                | Q(on_profile=True)
                | Q(on_username=True)
                | Q(on_programs=True)
                | Q(on_brand_brief=True)
                | Q(on_brand_offer=True)
                | Q(on_brand_pitch=True)
                | Q(on_brand_revision=True)
                | Q(on_cooperation_pitch=True)
                | Q(on_product=True),
                name="keyword_rule_has_surface",
            ),
        ]
        indexes = [
            models.Index(fields=["category", "action"], name="keyword_rule_category_idx"),
            models.Index(fields=["is_active"], name="keyword_rule_active_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.term} ({self.category}, {self.action})"

    @property
    def surfaces(self) -> list[str]:
        return [surface for surface, field in SURFACE_FIELDS.items() if getattr(self, field)]


class CaseStatus(models.TextChoices):
    OPEN = "open", "Open"
    APPROVED = "approved", "Approved"
    REJECTED = "rejected", "Rejected"
    OVERTURNED = "overturned", "Rejection overturned on appeal"


# An operator approves or rejects an open case; an accepted appeal overturns a rejection.
CASE_MACHINE = Machine(
    "case",
    transitions={
        (CaseStatus.OPEN, "approve"): CaseStatus.APPROVED,
        (CaseStatus.OPEN, "reject"): CaseStatus.REJECTED,
        (CaseStatus.REJECTED, "overturn"): CaseStatus.OVERTURNED,
    },
    states=tuple(CaseStatus.values),
)


class CaseOrigin(models.TextChoices):
    REPORT = "report", "User reports"
    SCREENING = "screening", "Keyword screening"


class Case(models.Model):
    """One item under review: every report on it while open joins this case."""

    target_key = models.CharField(max_length=20)
    object_id = models.BigIntegerField()
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="moderation_cases",
    )
    excerpt = models.CharField(max_length=300, blank=True)
    origin = models.CharField(max_length=10, choices=CaseOrigin.choices)
    status = models.CharField(max_length=10, choices=CaseStatus.choices, default=CaseStatus.OPEN)
    reporter_count = models.PositiveIntegerField(
        default=0, help_text="Distinct users who reported the item."
    )
    screening_hits = models.JSONField(default=list, blank=True)
    held = models.BooleanField(
        default=False, help_text="Moderation keeps the item out of sight until the decision."
    )
    opened_at = models.DateTimeField(default=timezone.now)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    decision_reason = models.TextField(blank=True)
    decision_category = models.CharField(max_length=12, choices=RuleCategory.choices, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["target_key", "object_id"],
                condition=Q(status="open"),
                name="case_one_open_per_item",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "-reporter_count", "opened_at"], name="case_queue_idx"),
            models.Index(fields=["target_key", "object_id"], name="case_item_idx"),
            models.Index(fields=["author", "-opened_at"], name="case_author_idx"),
        ]
        permissions = [
            ("review_case", "Can approve or reject moderation cases"),
            ("review_appeal", "Can decide appeals against strikes"),
        ]

    def __str__(self) -> str:
        return f"Case {self.pk}: {self.target_key} {self.object_id} ({self.status})"


class ReportReason(models.TextChoices):
    SPAM = "spam", "Spam or advertising"
    PORN = "porn", "Sexual content"
    POLITICS = "politics", "Politically sensitive"
    GAMBLING = "gambling", "Gambling"
    FRAUD = "fraud", "Fraud or scam"
    ABUSE = "abuse", "Abuse or harassment"
    INFRINGEMENT = "infringement", "Infringement or plagiarism"
    OTHER = "other", "Other"


class Report(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="reports")
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="moderation_reports"
    )
    target_key = models.CharField(max_length=20)
    object_id = models.BigIntegerField()
    reason = models.CharField(max_length=12, choices=ReportReason.choices)
    detail = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["case", "reporter"], name="report_once_per_case"),
        ]
        indexes = [
            models.Index(fields=["reporter", "-created_at", "-id"], name="report_mine_idx"),
        ]

    def __str__(self) -> str:
        return f"Report {self.pk} on {self.target_key} {self.object_id}"


class StrikeStatus(models.TextChoices):
    ACTIVE = "active", "Active"
    REVOKED = "revoked", "Revoked on appeal"


STRIKE_MACHINE = Machine(
    "strike",
    transitions={(StrikeStatus.ACTIVE, "revoke"): StrikeStatus.REVOKED},
    states=tuple(StrikeStatus.values),
)


class Strike(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="moderation_strikes"
    )
    case = models.OneToOneField(Case, on_delete=models.PROTECT, related_name="strike")
    category = models.CharField(max_length=12, choices=RuleCategory.choices, blank=True)
    reason = models.TextField()
    status = models.CharField(
        max_length=8, choices=StrikeStatus.choices, default=StrikeStatus.ACTIVE
    )
    created_at = models.DateTimeField(default=timezone.now)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["user", "-created_at", "-id"], name="strike_user_idx"),
        ]

    def __str__(self) -> str:
        return f"Strike {self.pk} on {self.user_id} ({self.status})"


class AppealStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    ACCEPTED = "accepted", "Accepted: strike revoked"
    DENIED = "denied", "Denied: strike stands"


APPEAL_MACHINE = Machine(
    "appeal",
    transitions={
        (AppealStatus.PENDING, "accept"): AppealStatus.ACCEPTED,
        (AppealStatus.PENDING, "deny"): AppealStatus.DENIED,
    },
    states=tuple(AppealStatus.values),
)


class Appeal(models.Model):
    """The author's one appeal against a strike, decided by another operator."""

    strike = models.OneToOneField(Strike, on_delete=models.CASCADE, related_name="appeal")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="moderation_appeals"
    )
    reason = models.TextField()
    status = models.CharField(
        max_length=8, choices=AppealStatus.choices, default=AppealStatus.PENDING
    )
    created_at = models.DateTimeField(default=timezone.now)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    decision_reason = models.TextField(blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["status", "created_at"], name="appeal_queue_idx"),
        ]

    def __str__(self) -> str:
        return f"Appeal {self.pk} on strike {self.strike_id} ({self.status})"


class AuditAction(models.TextChoices):
    RULE_CREATED = "rule_created", "Rule created"
    RULE_UPDATED = "rule_updated", "Rule updated"
    RULE_DELETED = "rule_deleted", "Rule deleted"
    ITEM_HIDDEN = "item_hidden", "Item hidden by reports"
    CASE_APPROVED = "case_approved", "Case approved"
    CASE_REJECTED = "case_rejected", "Case rejected"
    STRIKE_ISSUED = "strike_issued", "Strike issued"
    APPEAL_FILED = "appeal_filed", "Appeal filed"
    APPEAL_ACCEPTED = "appeal_accepted", "Appeal accepted"
    APPEAL_DENIED = "appeal_denied", "Appeal denied"
    STRIKE_REVOKED = "strike_revoked", "Strike revoked"


class AuditRecord(models.Model):
    """Append-only: who did what to which subject, when and why.

    Plain ids rather than foreign keys, so no later deletion can take a record with it; the
    actor's username is copied for the same reason.
    """

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="Empty for the system (thresholds).",
    )
    actor_username = models.CharField(max_length=150, blank=True)
    action = models.CharField(max_length=20, choices=AuditAction.choices)
    subject_type = models.CharField(max_length=10)  # rule, case, strike, appeal
    subject_id = models.BigIntegerField()
    target_key = models.CharField(max_length=20, blank=True)
    object_id = models.BigIntegerField(null=True, blank=True)
    reason = models.TextField(blank=True)
    details = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [
            models.Index(fields=["subject_type", "subject_id"], name="audit_subject_idx"),
            models.Index(fields=["actor", "-created_at"], name="audit_actor_idx"),
            models.Index(fields=["-created_at", "-id"], name="audit_recent_idx"),
        ]

    def __str__(self) -> str:
        who = self.actor_username or "system"
        return f"{who} {self.action} {self.subject_type} {self.subject_id}"


class ReviewQueueCase(Case):
    """The open cases, as the admin's review queue."""

    class Meta:
        proxy = True
        verbose_name = "review queue case"
        verbose_name_plural = "review queue"
