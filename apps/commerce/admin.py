"""Operators' screens: stores, products, plans, orders (refund action), commissions by state.

Orders and commissions are read-only here: an order moves only through its services, so the
refund action calls ``order_refund`` (lock, machine, ledger moves, stock back) like the store's
own route does.
"""

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from apps.commerce.models import (
    Commission,
    Order,
    OrderEvent,
    OrderLine,
    Plan,
    Product,
    SampleRequest,
    Store,
    TrackedLink,
)
from apps.commerce.services.orders import order_refund
from apps.core.admin_base import ReadOnlyAdmin, ReadOnlyInline
from apps.core.errors import DomainError


def _yuan(amount: int | None) -> str:
    return "" if amount is None else f"¥{amount / 100:,.2f}"


@admin.register(Store)
class StoreAdmin(ReadOnlyAdmin):
    list_display = ("id", "name", "organisation", "created_at")
    search_fields = ("name",)
    list_select_related = ("organisation",)


class PlanInline(ReadOnlyInline):
    model = Plan
    fields = ("kind", "creator", "rate_bp", "starts_at", "ends_at", "is_active")


@admin.register(Product)
class ProductAdmin(ReadOnlyAdmin):
    list_display = ("id", "title", "store", "status", "price_yuan", "stock", "sales")
    list_filter = ("status",)
    search_fields = ("title",)
    list_select_related = ("store",)
    inlines = [PlanInline]

    @admin.display(description="price")
    def price_yuan(self, product: Product) -> str:
        return _yuan(product.price)


@admin.register(Plan)
class PlanAdmin(ReadOnlyAdmin):
    list_display = ("id", "product", "kind", "creator", "rate_bp", "starts_at", "ends_at")
    list_filter = ("kind", "is_active")
    list_select_related = ("product", "creator")


class OrderLineInline(ReadOnlyInline):
    model = OrderLine
    fields = ("product", "quantity", "unit_price", "amount", "creator_id", "note_id", "room_id")
    fields += ("commission_rate_bp", "commission")


class OrderEventInline(ReadOnlyInline):
    model = OrderEvent
    fields = ("action", "from_status", "to_status", "actor", "created_at")


class CommissionInline(ReadOnlyInline):
    model = Commission
    fields = ("creator", "amount", "status", "closed_at")


@admin.register(Order)
class OrderAdmin(ReadOnlyAdmin):
    list_display = ("id", "store", "buyer", "status", "total_yuan", "creator", "created_at")
    list_filter = ("status",)
    list_select_related = ("store", "buyer", "creator")
    inlines = [OrderLineInline, CommissionInline, OrderEventInline]
    actions = ["refund_selected"]
    show_full_result_count = False

    @admin.display(description="total")
    def total_yuan(self, order: Order) -> str:
        return _yuan(order.total)

    @admin.action(description="Refund selected (refund requested only)", permissions=["change"])
    def refund_selected(self, request: HttpRequest, queryset: QuerySet[Order]) -> None:
        done = 0
        for order_id in queryset.values_list("pk", flat=True):
            try:
                order_refund(user=request.user, order_id=order_id)
                done += 1
            except DomainError as error:
                self.message_user(request, f"Order {order_id}: {error}", messages.WARNING)
        self.message_user(request, f"{done} order(s) refunded.")

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        # The refund action needs commerce.change_order; the form stays read-only.
        return obj is None and request.user.has_perm("commerce.change_order")


@admin.register(Commission)
class CommissionAdmin(ReadOnlyAdmin):
    list_display = ("id", "order", "creator", "amount_yuan", "status", "created_at", "closed_at")
    list_filter = ("status",)
    list_select_related = ("creator",)

    @admin.display(description="amount")
    def amount_yuan(self, commission: Commission) -> str:
        return _yuan(commission.amount)


@admin.register(SampleRequest)
class SampleRequestAdmin(ReadOnlyAdmin):
    list_display = ("id", "product", "creator", "status", "created_at")
    list_filter = ("status",)
    list_select_related = ("product", "creator")


@admin.register(TrackedLink)
class TrackedLinkAdmin(ReadOnlyAdmin):
    list_display = ("code", "creator", "product", "note_id", "room_id", "created_at")
    search_fields = ("code",)
    list_select_related = ("creator", "product")
