"""Commerce models, one module per topic (catalogue, pool, orders)."""

from apps.commerce.catalog_models import Product, ProductImage, ProductStatus, Store
from apps.commerce.order_models import (
    Click,
    Commission,
    CommissionStatus,
    Order,
    OrderEvent,
    OrderLine,
    OrderStatus,
    Recommendation,
    RecommendationKind,
    TrackedLink,
)
from apps.commerce.pool_models import (
    RATE_MAX_BP,
    RATE_MIN_BP,
    NoteProductTag,
    Plan,
    PlanKind,
    SampleRequest,
    SampleStatus,
    ShowcaseItem,
)

__all__ = [
    "RATE_MAX_BP",
    "RATE_MIN_BP",
    "Click",
    "Commission",
    "CommissionStatus",
    "NoteProductTag",
    "Order",
    "OrderEvent",
    "OrderLine",
    "OrderStatus",
    "Plan",
    "PlanKind",
    "Product",
    "ProductImage",
    "ProductStatus",
    "Recommendation",
    "RecommendationKind",
    "SampleRequest",
    "SampleStatus",
    "ShowcaseItem",
    "Store",
    "TrackedLink",
]
