"""Row locks on ledger accounts, always in ascending primary-key order.

Every path that changes a balance locks through here, so two transactions touching the same
accounts queue up instead of deadlocking. Lock order across the platform: the request's
idempotency key row, then the domain row (payout, payment intent...), then accounts by pk.
"""

from collections.abc import Iterable

from apps.core.errors import NotFound
from apps.ledger.models import Account


def lock_accounts(account_ids: Iterable[int]) -> dict[int, Account]:
    """``SELECT ... FOR NO KEY UPDATE`` the accounts in pk order (inside a transaction).

    ``NO KEY``: an entry's foreign key takes ``KEY SHARE`` on its account; credits to a hot
    account must not wait for a debit holding the account row.
    """
    wanted = sorted(set(account_ids))
    locked = {
        account.pk: account
        for account in Account.objects.select_for_update(no_key=True)
        .filter(pk__in=wanted)
        .order_by("pk")
    }
    if len(locked) != len(wanted):
        raise NotFound("Ledger account not found.", code="ledger.account_not_found")
    return locked
