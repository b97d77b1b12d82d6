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

O = OrderStatus
ORDER_MACHINE = Machine(
    name="order",
    states=tuple(OrderStatus.values),
    transitions={
        (O.PAID, "ship"): O.SHIPPED,
        (O.SHIPPED, "deliver"): O.DELIVERED,
        (O.DELIVERED, "complete"): O.COMPLETED,
        (O.PAID, "request_refund"): O.REFUND_REQUESTED,
        (O.SHIPPED, "request_refund"): O.REFUND_REQUESTED,
        (O.DELIVERED, "request_refund"): O.REFUND_REQUESTED,
        (O.REFUND_REQUESTED, "refund"): O.REFUNDED,
    },
)
