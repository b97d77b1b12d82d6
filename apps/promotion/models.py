"""Fries orders: what a creator paid to promote one note, its state and its money so far.

Money is integer fen. ``budget`` sits in the order's escrow from payment on; ``spent`` is what
the billing tick has moved to the platform's promotion spend, ``refunded`` what went back to the
creator's wallet. A finished order satisfies ``spent + refunded == budget`` (checked in tests
for every path). ``max_impressions`` is the hard cap the serving counters enforce:
``max_impressions * cpm <= budget * 1000``, so the billed amount can never pass the budget.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q

from apps.core.states import Machine

# Escrow accounts are owned by ``Owner.contract(reference)``; other products number their
# contracts from their own primary keys, so promotion's references live in their own range.
CONTRACT_REFERENCE_BASE = 7_000_000_000_000


class Objective(models.TextChoices):
    ENGAGEMENT = "engagement", "Likes and collects"
    READS = "reads", "Reads"
    FANS = "fans", "New fans"


class TargetingMode(models.TextChoices):
    SMART = "smart", "Smart (the note's category and the author's audience)"
    CUSTOM = "custom", "Custom (gender, age, region, interests)"


class OrderStatus(models.TextChoices):
    PAID = "paid", "Paid"
    IN_REVIEW = "in_review", "Under review"
    SCHEDULED = "scheduled", "Scheduled"
    ACTIVE = "active", "Boosting"
    COMPLETED = "completed", "Completed"
    REJECTED = "rejected", "Rejected"
    STOPPED = "stopped", "Stopped"


class StopReason(models.TextChoices):
    NONE = "", "None"
    CREATOR = "creator", "Stopped by the creator"
    OPERATOR = "operator", "Stopped by an operator"
    DELETED = "deleted", "Note deleted"
    PRIVATE = "private", "Note made private"
    HIDDEN = "hidden", "Note hidden by moderation"
    REVIEW = "review", "Note under moderation review"


LIVE_STATUSES = (
    OrderStatus.PAID,
    OrderStatus.IN_REVIEW,
    OrderStatus.SCHEDULED,
    OrderStatus.ACTIVE,
)
FINAL_STATUSES = (OrderStatus.COMPLETED, OrderStatus.REJECTED, OrderStatus.STOPPED)

ORDER_MACHINE = Machine(
    name="promotion_order",
    states=tuple(OrderStatus.values),
    transitions={
        (OrderStatus.PAID, "submit"): OrderStatus.IN_REVIEW,
        (OrderStatus.IN_REVIEW, "approve"): OrderStatus.SCHEDULED,
        (OrderStatus.IN_REVIEW, "reject"): OrderStatus.REJECTED,
        (OrderStatus.SCHEDULED, "start"): OrderStatus.ACTIVE,
        (OrderStatus.ACTIVE, "complete"): OrderStatus.COMPLETED,
        (OrderStatus.PAID, "stop"): OrderStatus.STOPPED,
        (OrderStatus.IN_REVIEW, "stop"): OrderStatus.STOPPED,
        (OrderStatus.SCHEDULED, "stop"): OrderStatus.STOPPED,
        (OrderStatus.ACTIVE, "stop"): OrderStatus.STOPPED,
        (OrderStatus.PAID, "withdraw"): OrderStatus.STOPPED,
        (OrderStatus.IN_REVIEW, "withdraw"): OrderStatus.STOPPED,
        (OrderStatus.SCHEDULED, "withdraw"): OrderStatus.STOPPED,
        (OrderStatus.ACTIVE, "withdraw"): OrderStatus.STOPPED,
    },
)


class PromotionOrder(models.Model):
    creator = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="promotion_orders"
    )
    note = models.ForeignKey("notes.Note", on_delete=models.PROTECT, related_name="+")
    objective = models.CharField(max_length=12, choices=Objective.choices)
    budget = models.PositiveBigIntegerField(help_text="Fen paid into escrow.")
    duration_hours = models.PositiveSmallIntegerField()
    targeting_mode = models.CharField(max_length=8, choices=TargetingMode.choices)
    # Resolved audience: {"genders": [...], "age_bands": [...], "regions": [...],
    # "interests": [...]}; a missing key means "any".
    targeting = models.JSONField(default=dict, blank=True)
    audience_size = models.PositiveIntegerField(default=0)
    cpm = models.PositiveIntegerField(help_text="Fen per thousand impressions, at payment.")
    max_impressions = models.PositiveBigIntegerField()
    status = models.CharField(max_length=10, choices=OrderStatus.choices, default="paid")
    flagged = models.BooleanField(default=False, help_text="Held by screening for an operator.")
    review_reason = models.CharField(max_length=200, blank=True)
    stop_reason = models.CharField(max_length=10, choices=StopReason.choices, blank=True)
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    impressions_billed = models.PositiveBigIntegerField(default=0)
    spent = models.PositiveBigIntegerField(default=0)
    refunded = models.PositiveBigIntegerField(default=0)
    pacing_factor = models.FloatField(default=1.0)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            # At most one live order per note, decided by the database under concurrency.
            models.UniqueConstraint(
                fields=["note"],
                condition=Q(status__in=LIVE_STATUSES),
                name="promotion_one_live_order_per_note",
            ),
            models.CheckConstraint(
                condition=Q(spent__lte=models.F("budget")),
                name="promotion_spent_within_budget",
            ),
            models.CheckConstraint(
                condition=Q(refunded__lte=models.F("budget") - models.F("spent")),
                name="promotion_refund_within_unspent",
            ),
        ]
        indexes = [
            models.Index(fields=["creator", "-created_at", "-id"], name="promotion_creator_idx"),
            models.Index(fields=["status", "starts_at"], name="promotion_status_start_idx"),
            models.Index(fields=["status", "ends_at"], name="promotion_status_end_idx"),
            models.Index(
                fields=["flagged", "status"],
                name="promotion_review_queue_idx",
                condition=Q(flagged=True),
            ),
        ]

    def __str__(self) -> str:
        return f"promotion #{self.pk} ({self.status})"

    @property
    def escrow_reference(self) -> int:
        return CONTRACT_REFERENCE_BASE + self.pk

    @property
    def unspent(self) -> int:
        return self.budget - self.spent - self.refunded


class PromotionOrderEvent(models.Model):
    """The audit trail: every transition, with who made it and the money at that moment."""

    order = models.ForeignKey(PromotionOrder, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(max_length=16)
    from_status = models.CharField(max_length=10, blank=True)
    to_status = models.CharField(max_length=10)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    detail = models.CharField(max_length=200, blank=True)
    spent = models.PositiveBigIntegerField(default=0)
    refunded = models.PositiveBigIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["order", "id"], name="promotion_event_order_idx")]

    def __str__(self) -> str:
        return f"{self.action}: {self.from_status} -> {self.to_status}"
