"""How much income users received, and how much of it went to agencies: set-based reads.

Income is what the moves that consult ``income_splits`` credit to a user's wallet (escrow
releases, settled commissions, gifts); the shares are the ``revenue_share`` debits of it. One
query for any number of users, through the entries' ``(account, created_at)`` index.
"""

from collections.abc import Collection
from datetime import datetime

from django.db.models import Q, Sum

from apps.ledger.models import AccountKind, Entry, OwnerType, TransactionKind

INCOME_KINDS = (
    TransactionKind.ESCROW_RELEASE,
    TransactionKind.COMMISSION_SETTLE,
    TransactionKind.GIFT,
)


def income_by_user(
    *, user_ids: Collection[int], start: datetime, end: datetime
) -> dict[int, dict[str, int]]:
    """``{user_id: {"income": fen, "shared": fen}}`` for entries in ``[start, end)``. One query."""
    rows = (
        Entry.objects.filter(
            account__owner_type=OwnerType.USER,
            account__owner_id__in=list(user_ids),
            account__kind=AccountKind.WALLET,
            created_at__gte=start,
            created_at__lt=end,
        )
        .values("account__owner_id")
        .annotate(
            income=Sum(
                "amount",
                filter=Q(transaction__kind__in=INCOME_KINDS, amount__gt=0),
                default=0,
            ),
            shared=Sum(
                "amount",
                filter=Q(transaction__kind=TransactionKind.REVENUE_SHARE, amount__lt=0),
                default=0,
            ),
        )
    )
    return {
        row["account__owner_id"]: {"income": row["income"], "shared": -row["shared"]}
        for row in rows
    }
