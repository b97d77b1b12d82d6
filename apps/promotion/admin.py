"""Operators' screens: the review queue, orders by state, stop with refund, the audit trail.

States and money change only through the services (actions below), never by editing a row.
"""

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from apps.core.errors import DomainError
from apps.promotion import services
from apps.promotion.models import OrderStatus, PromotionOrder, PromotionOrderEvent


class EventInline(admin.TabularInline):
    model = PromotionOrderEvent
    extra = 0
    can_delete = False
    fields = ("created_at", "action", "from_status", "to_status", "actor", "spent", "refunded")
    readonly_fields = fields
    ordering = ("id",)

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


def _run(modeladmin: admin.ModelAdmin, request: HttpRequest, queryset: QuerySet, call) -> None:
    done = 0
    for order in queryset.order_by("pk"):
        try:
            call(order)
            done += 1
        except DomainError as exc:
            modeladmin.message_user(request, f"Order #{order.pk}: {exc}", messages.WARNING)
    if done:
        modeladmin.message_user(request, f"{done} order(s) updated.", messages.SUCCESS)


@admin.register(PromotionOrder)
class PromotionOrderAdmin(admin.ModelAdmin):
    list_display = (
        "id",
        "creator",
        "note",
        "status",
        "flagged",
        "objective",
        "budget",
        "spent",
        "refunded",
        "starts_at",
        "ends_at",
    )
    list_filter = ("status", "flagged", "objective")
    list_select_related = ("creator", "note")
    search_fields = ("=id", "=creator__username")
    ordering = ("-id",)
    readonly_fields = [field.name for field in PromotionOrder._meta.fields]
    inlines = [EventInline]
    actions = ["approve", "reject", "stop_with_refund"]
    show_full_result_count = False

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    @admin.action(description="Approve held orders", permissions=["change"])
    def approve(self, request: HttpRequest, queryset: QuerySet) -> None:
        _run(
            self,
            request,
            queryset.filter(status=OrderStatus.IN_REVIEW),
            lambda order: services.promotion_order_approve(
                operator=request.user, order_id=order.pk
            ),
        )

    @admin.action(description="Reject held orders (full refund)", permissions=["change"])
    def reject(self, request: HttpRequest, queryset: QuerySet) -> None:
        _run(
            self,
            request,
            queryset,
            lambda order: services.promotion_order_reject(
                operator=request.user, order_id=order.pk, detail="rejected by an operator"
            ),
        )

    @admin.action(description="Stop (refund the unspent part)", permissions=["change"])
    def stop_with_refund(self, request: HttpRequest, queryset: QuerySet) -> None:
        _run(
            self,
            request,
            queryset,
            lambda order: services.promotion_order_operator_stop(
                operator=request.user, order_id=order.pk, detail="stopped by an operator"
            ),
        )
