"""Whose money: an owner (a user, an organisation) is a type and an id; these are their accounts.

Every owner has a ``wallet`` (available) and a ``hold`` (money held for pending payouts), created
empty on first use through ``account_get_or_create``.
"""

from apps.ledger.models import Account, AccountKind
from apps.ledger.services.accounts import account_get_or_create


def owner_wallet(*, owner_type: str, owner_id: int) -> Account:
    return account_get_or_create(owner_type=owner_type, owner_id=owner_id, kind=AccountKind.WALLET)


def owner_hold(*, owner_type: str, owner_id: int) -> Account:
    return account_get_or_create(owner_type=owner_type, owner_id=owner_id, kind=AccountKind.HOLD)
