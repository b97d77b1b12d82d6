"""The selection pool: commission plans, creators' showcases, samples and product tags."""

from django.conf import settings
from django.db import models
from django.db.models import Q

from apps.commerce.catalog_models import Product
from apps.notes.models import Note

RATE_MIN_BP = 100  # 1 %
RATE_MAX_BP = 8000  # 80 %


class PlanKind(models.TextChoices):
    OPEN = "open", "Open (any creator)"
    TARGETED = "targeted", "Targeted (one creator)"


class Plan(models.Model):
    """A commission plan; a running targeted plan overrides the open one for its creator.

    Rates are basis points (1 % = 100) so commissions are computed in integers.
    """

    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="plans")
    kind = models.CharField(max_length=8, choices=PlanKind.choices)
    creator = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    rate_bp = models.PositiveIntegerField()
    starts_at = models.DateTimeField(null=True, blank=True)
    ends_at = models.DateTimeField(null=True, blank=True)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(rate_bp__gte=RATE_MIN_BP, rate_bp__lte=RATE_MAX_BP),
                name="plan_rate_range",
            ),
            models.CheckConstraint(
                condition=Q(kind="open", creator__isnull=True)
                | Q(kind="targeted", creator__isnull=False),
                name="plan_creator_matches_kind",
            ),
            models.UniqueConstraint(
                fields=["product"],
                condition=Q(kind="open", is_active=True),
                name="plan_one_open_per_product",
            ),
            models.UniqueConstraint(
                fields=["product", "creator"],
                condition=Q(kind="targeted", is_active=True),
                name="plan_one_targeted_per_creator",
            ),
        ]
        indexes = [
            models.Index(fields=["product", "kind", "is_active"], name="plan_product_idx"),
            models.Index(fields=["kind", "is_active", "rate_bp"], name="plan_pool_idx"),
            models.Index(fields=["creator", "is_active"], name="plan_creator_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.rate_bp / 100:g}% on {self.product_id}"


class ShowcaseItem(models.Model):
    """A product a creator picked from the pool: what they may tag, shelve and link."""

    creator = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="showcase_items"
    )
    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["creator", "product"], name="showcase_unique")
        ]
        indexes = [models.Index(fields=["creator", "-id"], name="showcase_creator_idx")]

    def __str__(self) -> str:
        return f"product {self.product_id} in showcase of {self.creator_id}"


class SampleStatus(models.TextChoices):
    REQUESTED = "requested", "Requested"
    APPROVED = "approved", "Approved"
    SHIPPED = "shipped", "Shipped"
    RECEIVED = "received", "Received"
    DECLINED = "declined", "Declined"


class SampleRequest(models.Model):
    creator = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="samples")
    status = models.CharField(
        max_length=10, choices=SampleStatus.choices, default=SampleStatus.REQUESTED
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["creator", "product"],
                condition=~Q(status="declined"),
                name="sample_one_open_per_creator",
            )
        ]
        indexes = [
            models.Index(fields=["creator", "-id"], name="sample_creator_idx"),
            models.Index(fields=["product", "status"], name="sample_product_idx"),
        ]

    def __str__(self) -> str:
        return f"sample of {self.product_id} for {self.creator_id} ({self.status})"


class NoteProductTag(models.Model):
    """A showcase product tagged in one of the creator's notes (at most five per note)."""

    note = models.ForeignKey(Note, on_delete=models.CASCADE, related_name="+")
    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="+")
    position = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ("position",)
        constraints = [
            models.UniqueConstraint(fields=["note", "product"], name="note_tag_unique"),
        ]
        indexes = [models.Index(fields=["note", "position"], name="note_tag_note_idx")]

    def __str__(self) -> str:
        return f"product {self.product_id} in note {self.note_id}"
