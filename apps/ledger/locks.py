"""Row locks on ledger accounts, always in ascending primary-key order.

Every path that changes a balance locks through here, so two transactions touching the same
accounts queue up instead of deadlocking. Lock order across the platform: the request's
idempotency key row, then the domain row (payout, payment intent...), then accounts by pk.
"""

from collections.abc import Iterable

from apps.core.errors import NotFound
from apps.ledger.models import Account


def lock_accounts(account_ids: Iterable[int]) -> dict[int, Account]:
    """``SELECT ... FOR UPDATE`` the accounts in pk order; caller must be inside a transaction."""
    wanted = sorted(set(account_ids))
    locked = {
        account.pk: account
        for account in Account.objects.select_for_update().filter(pk__in=wanted).order_by("pk")
    }
    if len(locked) != len(wanted):
        raise NotFound("Ledger account not found.", code="ledger.account_not_found")
    return locked
