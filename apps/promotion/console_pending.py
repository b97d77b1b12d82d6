"""What promotion puts on the operator console's home: orders held by screening."""

from apps.core.console import (
    CREATORS_AND_BRANDS,
    PendingLine,
    PendingWork,
    admin_url,
    register_app_section,
    register_pending,
)
from apps.promotion.models import OrderStatus, PromotionOrder


def review_lines() -> list[PendingLine]:
    """Orders waiting for an operator's approval (partial index on flagged orders)."""
    count = PromotionOrder.objects.filter(flagged=True, status=OrderStatus.IN_REVIEW).count()
    return [
        PendingLine(
            "Held by screening, to review",
            count,
            admin_url("promotion_promotionorder_changelist", "flagged__exact=1"),
        )
    ]


def register() -> None:
    register_app_section("promotion", CREATORS_AND_BRANDS)
    register_pending(
        PendingWork(
            key="promotion.review",
            section=CREATORS_AND_BRANDS,
            title="Promotion review",
            permission="promotion.view_promotionorder",
            lines=review_lines,
        )
    )
