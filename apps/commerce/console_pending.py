"""What commerce puts on the operator console's home: refund requests and pending samples.

Registered from ``CommerceConfig.ready()``.
"""

from apps.commerce.models import OrderStatus, SampleRequest, SampleStatus
from apps.commerce.order_models import Order
from apps.core.console import (
    CREATORS_AND_BRANDS,
    PendingLine,
    PendingWork,
    admin_url,
    register_app_section,
    register_pending,
)


def commerce_lines() -> list[PendingLine]:
    """Refund requests stores have not answered, and sample requests waiting for a store."""
    refunds = Order.objects.filter(status=OrderStatus.REFUND_REQUESTED).count()
    samples = SampleRequest.objects.filter(status=SampleStatus.REQUESTED).count()
    return [
        PendingLine(
            "Refund requests waiting",
            refunds,
            admin_url("commerce_order_changelist", "status__exact=refund_requested"),
        ),
        PendingLine(
            "Sample requests waiting",
            samples,
            admin_url("commerce_samplerequest_changelist", "status__exact=requested"),
        ),
    ]


def register() -> None:
    register_app_section("commerce", CREATORS_AND_BRANDS)
    register_pending(
        PendingWork(
            key="commerce.orders",
            section=CREATORS_AND_BRANDS,
            title="Commerce",
            permission="commerce.view_order",
            lines=commerce_lines,
        )
    )
