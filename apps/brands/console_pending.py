"""What brands puts on the operator console: disputes to resolve, briefs held by screening."""

from apps.brands.cooperation_models import Campaign, Cooperation, CooperationStatus
from apps.core.console import (
    CREATORS_AND_BRANDS,
    PendingLine,
    PendingWork,
    admin_url,
    register_app_section,
    register_pending,
)

SECTION = CREATORS_AND_BRANDS


def dispute_lines() -> list[PendingLine]:
    disputes = Cooperation.objects.filter(status=CooperationStatus.DISPUTED).count()
    held = Campaign.objects.exclude(screening_held="").count()
    return [
        PendingLine(
            "Disputed cooperations, to resolve",
            disputes,
            admin_url("brands_cooperation_changelist", "status__exact=disputed"),
        ),
        PendingLine(
            "Campaign briefs held by screening",
            held,
            admin_url("brands_campaign_changelist", "held=yes"),
        ),
    ]


def register() -> None:
    register_app_section("brands", SECTION)
    register_pending(
        PendingWork(
            key="brands.disputes",
            section=SECTION,
            title="Cooperations",
            permission="brands.view_cooperation",
            lines=dispute_lines,
        )
    )
