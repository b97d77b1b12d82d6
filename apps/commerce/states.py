"""The commerce state machines (apps/core/states.py): products, samples, orders."""

from apps.commerce.models import OrderStatus, ProductStatus, SampleStatus
from apps.core.states import Machine

PRODUCT_MACHINE = Machine(
    name="product",
    states=tuple(ProductStatus.values),
    transitions={
        (ProductStatus.DRAFT, "publish"): ProductStatus.ON_SALE,
        (ProductStatus.OFF_SHELF, "publish"): ProductStatus.ON_SALE,
        (ProductStatus.ON_SALE, "withdraw"): ProductStatus.OFF_SHELF,
    },
)

SAMPLE_MACHINE = Machine(
    name="sample",
    states=tuple(SampleStatus.values),
    transitions={
        (SampleStatus.REQUESTED, "approve"): SampleStatus.APPROVED,
        (SampleStatus.REQUESTED, "decline"): SampleStatus.DECLINED,
        (SampleStatus.APPROVED, "ship"): SampleStatus.SHIPPED,
        (SampleStatus.SHIPPED, "receive"): SampleStatus.RECEIVED,
    },
)

S = OrderStatus
ORDER_MACHINE = Machine(
    name="order",
    states=tuple(OrderStatus.values),
    transitions={
        (S.PAID, "ship"): S.SHIPPED,
        (S.SHIPPED, "deliver"): S.DELIVERED,
        (S.DELIVERED, "complete"): S.COMPLETED,
        (S.PAID, "request_refund"): S.REFUND_REQUESTED,
        (S.SHIPPED, "request_refund"): S.REFUND_REQUESTED,
        (S.DELIVERED, "request_refund"): S.REFUND_REQUESTED,
        (S.REFUND_REQUESTED, "refund"): S.REFUNDED,
    },
)
