"""The checks every named move shares: keys, owners, fees, shares and legs.

Kept apart from ``moves`` so that module holds the moves themselves; each check raises the
same 400 (``ledger.*_invalid``) whichever move it guards.
"""

from collections.abc import Sequence
from decimal import Decimal
from fractions import Fraction

from apps.core.errors import InvalidInput
from apps.ledger.models import Account, OwnerType
from apps.ledger.services.accounts import Owner
from apps.ledger.services.posting import check_amount

MAX_KEY_LENGTH = 90
WALLET_OWNER_TYPES = frozenset({OwnerType.USER, OwnerType.ORGANISATION, OwnerType.BRAND})
Shares = Sequence[tuple[Owner, int]]


def _key(move: str, key: str) -> str:
    if not isinstance(key, str) or not 1 <= len(key) <= MAX_KEY_LENGTH:
        raise InvalidInput(
            f"A move needs a key of 1 to {MAX_KEY_LENGTH} characters.",
            code="ledger.key_invalid",
            fields={"key": ["Required, at most 90 characters."]},
        )
    return f"{move}:{key}"


def _owner(owner: Owner, allowed: frozenset[str], field: str) -> Owner:
    owner = Owner(*owner)
    if owner.type not in allowed or type(owner.id) is not int or owner.id <= 0:
        raise InvalidInput(
            f"{field} must be one of {sorted(allowed)} with a positive id.",
            code="ledger.owner_invalid",
            fields={field: [f"Not an owner of type {'/'.join(sorted(allowed))}."]},
        )
    return owner


def _fee(fee: int, amount: int) -> int:
    if type(fee) is not int or not 0 <= fee < amount:
        raise InvalidInput(
            "The fee must be whole fen, at least 0 and below the amount.",
            code="ledger.fee_invalid",
            fields={"fee": [f"Between 0 and {amount - 1} fen."]},
        )
    return fee


def _shares(shares: Shares, *, exclude: Owner | None = None) -> list[tuple[Owner, int]]:
    checked: list[tuple[Owner, int]] = []
    for owner, amount in shares:
        owner = _owner(owner, WALLET_OWNER_TYPES, "shares")
        check_amount(amount, field="shares")
        if owner == exclude or owner in {o for o, _ in checked}:
            raise InvalidInput(
                "Each share goes to a different owner, never back to the payer.",
                code="ledger.shares_invalid",
                fields={"shares": ["Duplicate or circular owner."]},
            )
        checked.append((owner, amount))
    if not checked:
        raise InvalidInput("At least one share.", code="ledger.shares_invalid")
    return checked


def _legs(*legs: tuple[Account, int]) -> list[tuple[Account, int]]:
    """Drop zero legs (a fee of 0) and merge legs on one account."""
    merged: dict[int, tuple[Account, int]] = {}
    for account, amount in legs:
        if account.pk in merged:
            amount += merged[account.pk][1]
        merged[account.pk] = (account, amount)
    return [(account, amount) for account, amount in merged.values() if amount]


def gift_fee(amount: int, fee_rate: Decimal | Fraction | str) -> int:
    """The platform's fee on a gift: ``floor(amount * fee_rate)`` fen, exactly (no floats)."""
    rate = Fraction(str(fee_rate)) if not isinstance(fee_rate, Fraction) else fee_rate
    if not 0 <= rate < 1:
        raise InvalidInput(
            "The fee rate must be at least 0 and below 1.",
            code="ledger.fee_invalid",
            fields={"fee_rate": ["0 <= rate < 1."]},
        )
    return amount * rate.numerator // rate.denominator
