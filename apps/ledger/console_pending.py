"""What the ledger puts on the operator console's home: payouts waiting, reconciliation differences.

Registered from ``LedgerConfig.ready()``.
"""

from apps.core.console import (
    MONEY,
    PendingLine,
    PendingWork,
    admin_url,
    register_app_section,
    register_pending,
)
from apps.ledger.models import Payout, PayoutStatus, ReconciliationReport


def payout_lines() -> list[PendingLine]:
    """Payouts to approve, and approved payouts not yet confirmed paid."""
    counts = dict.fromkeys((PayoutStatus.REQUESTED, PayoutStatus.APPROVED), 0)
    for status in counts:
        counts[status] = Payout.objects.filter(status=status).count()
    return [
        PendingLine(
            "Requested, to approve",
            counts[PayoutStatus.REQUESTED],
            admin_url("ledger_payout_changelist", "status__exact=requested"),
        ),
        PendingLine(
            "Approved, being paid",
            counts[PayoutStatus.APPROVED],
            admin_url("ledger_payout_changelist", "status__exact=approved"),
        ),
    ]


def reconciliation_lines() -> list[PendingLine]:
    """Differences found by the latest nightly reconciliation (0 when the book is clean)."""
    latest = ReconciliationReport.objects.order_by("-started_at", "-id").first()
    if latest is None:
        return [
            PendingLine(
                "No reconciliation has run yet",
                0,
                admin_url("ledger_reconciliationreport_changelist"),
            )
        ]
    return [
        PendingLine(
            f"Differences in the run of {latest.started_at:%Y-%m-%d %H:%M} UTC",
            latest.difference_count,
            admin_url(
                "ledger_reconciliationdifference_changelist", f"report__id__exact={latest.pk}"
            ),
            alarm=True,
        )
    ]


def register() -> None:
    register_app_section("ledger", MONEY)
    register_pending(
        PendingWork(
            key="ledger.payouts",
            section=MONEY,
            title="Payouts",
            permission="ledger.view_payout",
            lines=payout_lines,
        )
    )
    register_pending(
        PendingWork(
            key="ledger.reconciliation",
            section=MONEY,
            title="Reconciliation",
            permission="ledger.view_reconciliationreport",
            lines=reconciliation_lines,
        )
    )
