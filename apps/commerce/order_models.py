"""Tracked links and clicks, orders with their lines and events, commissions, recommendations."""

from django.conf import settings
from django.db import models
from django.db.models import Q

from apps.commerce.catalog_models import Product, Store
from apps.notes.models import Note


class TrackedLink(models.Model):
    """One short code per (creator, product, note or live room); ``scope`` makes it unique.

    ``room_id`` is a live room's id: live is a sibling product app, so no foreign key to it.
    """

    code = models.CharField(max_length=12, unique=True)
    creator = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="+")
    note = models.ForeignKey(
        Note, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    room_id = models.BigIntegerField(null=True, blank=True)
    scope = models.CharField(max_length=24)  # "-", "n<note id>" or "r<room id>"
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["creator", "product", "scope"], name="tracked_link_unique_scope"
            )
        ]

    def __str__(self) -> str:
        return self.code


class Click(models.Model):
    """A counted click on a tracked link (one per visitor and link per 30 minutes)."""

    link = models.ForeignKey(TrackedLink, on_delete=models.CASCADE, related_name="+")
    product_id = models.BigIntegerField()
    creator_id = models.BigIntegerField()
    note_id = models.BigIntegerField(null=True)
    room_id = models.BigIntegerField(null=True)
    buyer_id = models.BigIntegerField(null=True)  # the signed-in visitor, when known
    created_at = models.DateTimeField()

    class Meta:
        indexes = [
            # Attribution: the buyer's last click on a product.
            models.Index(
                fields=["buyer_id", "product_id", "-created_at"],
                condition=Q(buyer_id__isnull=False),
                name="click_attribution_idx",
            ),
            models.Index(
                fields=["room_id"], condition=Q(room_id__isnull=False), name="click_room_idx"
            ),
        ]

    def __str__(self) -> str:
        return f"click on link {self.link_id}"


class OrderStatus(models.TextChoices):
    PAID = "paid", "Paid"
    SHIPPED = "shipped", "Shipped"
    DELIVERED = "delivered", "Delivered"
    COMPLETED = "completed", "Completed"
    REFUND_REQUESTED = "refund_requested", "Refund requested"
    REFUNDED = "refunded", "Refunded"


class Order(models.Model):
    """A buyer's paid order of one store's products; its money waits in the order's escrow."""

    buyer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    store = models.ForeignKey(Store, on_delete=models.PROTECT, related_name="orders")
    status = models.CharField(max_length=16, choices=OrderStatus.choices, default=OrderStatus.PAID)
    total = models.PositiveIntegerField(help_text="Fen paid by the buyer.")
    commission_total = models.PositiveIntegerField(default=0)
    # The attribution of the first attributed line (each line keeps its own).
    creator = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    source_note = models.ForeignKey(Note, on_delete=models.SET_NULL, null=True, related_name="+")
    source_room_id = models.BigIntegerField(null=True)
    created_at = models.DateTimeField()
    delivered_at = models.DateTimeField(null=True)
    return_deadline = models.DateTimeField(null=True)
    closed_at = models.DateTimeField(null=True)  # completed or refunded

    class Meta:
        indexes = [
            models.Index(fields=["buyer", "-id"], name="order_buyer_idx"),
            models.Index(fields=["store", "-id"], name="order_store_idx"),
            models.Index(fields=["creator", "-id"], name="order_creator_idx"),
            models.Index(
                fields=["return_deadline"],
                condition=Q(status="delivered"),
                name="order_due_idx",
            ),
            models.Index(
                fields=["source_room_id"],
                condition=Q(source_room_id__isnull=False),
                name="order_room_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"order #{self.pk} ({self.status})"


class OrderLine(models.Model):
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="lines")
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="+")
    quantity = models.PositiveIntegerField()
    unit_price = models.PositiveIntegerField()
    amount = models.PositiveIntegerField()
    creator_id = models.BigIntegerField(null=True)
    note_id = models.BigIntegerField(null=True)
    room_id = models.BigIntegerField(null=True)
    commission_rate_bp = models.PositiveIntegerField(default=0)
    commission = models.PositiveIntegerField(default=0)

    class Meta:
        indexes = [
            models.Index(fields=["product"], name="order_line_product_idx"),
            models.Index(
                fields=["note_id"], condition=Q(note_id__isnull=False), name="order_line_note_idx"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.quantity} x product {self.product_id}"


class OrderEvent(models.Model):
    """The audit trail of an order's machine: who moved it, from what, to what."""

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(max_length=16)
    from_status = models.CharField(max_length=16, blank=True)
    to_status = models.CharField(max_length=16)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField()

    class Meta:
        ordering = ("id",)

    def __str__(self) -> str:
        return f"{self.action}: {self.from_status} -> {self.to_status}"


class CommissionStatus(models.TextChoices):
    PENDING = "pending", "Pending (inside the return window)"
    SETTLED = "settled", "Settled"
    REVERSED = "reversed", "Reversed (refunded)"


class Commission(models.Model):
    """A creator's commission on one order: the ledger's accrual mirrored for lists and admin."""

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="commissions")
    creator = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    amount = models.PositiveIntegerField()
    status = models.CharField(
        max_length=10, choices=CommissionStatus.choices, default=CommissionStatus.PENDING
    )
    created_at = models.DateTimeField()
    closed_at = models.DateTimeField(null=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["order", "creator"], name="commission_unique")
        ]
        indexes = [
            models.Index(fields=["creator", "-id"], name="commission_creator_idx"),
            models.Index(fields=["status", "-id"], name="commission_status_idx"),
        ]

    def __str__(self) -> str:
        return f"commission on order {self.order_id} ({self.status})"


class RecommendationKind(models.TextChoices):
    FOR_CREATOR = "for_creator", "Products for a creator to pick"
    BOUGHT_TOGETHER = "together", "Bought together with a product"


class Recommendation(models.Model):
    """A precomputed recommendation (rewritten by the nightly job)."""

    kind = models.CharField(max_length=12, choices=RecommendationKind.choices)
    subject_id = models.BigIntegerField()  # the creator or the product
    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="+")
    rank = models.PositiveSmallIntegerField()
    score = models.FloatField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "subject_id", "rank"], name="recommendation_unique_rank"
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.subject_id} #{self.rank}"
