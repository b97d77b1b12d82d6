"""What accounts puts on the operator console's home: organisations awaiting verification.

Registered from ``AccountsConfig.ready()``; an organisation may not spend or post campaigns
until an operator verifies it, so the queue is work that blocks brands and agencies.
"""

from apps.accounts.organisation_models import Organisation, VerificationStatus
from apps.core.console import (
    CREATORS_AND_BRANDS,
    PendingLine,
    PendingWork,
    admin_url,
    register_app_section,
    register_pending,
)


def verification_lines() -> list[PendingLine]:
    """Organisations waiting for an operator's verification decision."""
    waiting = Organisation.objects.filter(verification_status=VerificationStatus.PENDING).count()
    return [
        PendingLine(
            "Awaiting verification",
            waiting,
            admin_url(
                "accounts_organisation_changelist",
                f"verification_status__exact={VerificationStatus.PENDING}",
            ),
        )
    ]


def register() -> None:
    register_app_section("accounts", CREATORS_AND_BRANDS)
    register_pending(
        PendingWork(
            key="accounts.organisations",
            section=CREATORS_AND_BRANDS,
            title="Organisations",
            permission="accounts.view_organisation",
            lines=verification_lines,
        )
    )
