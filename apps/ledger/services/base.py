"""What a posting is and how a refusal is named: shared by the posting paths and the moves."""

from collections.abc import Sequence
from dataclasses import dataclass

from apps.core.errors import Conflict
from apps.ledger.models import Account, AccountKind, Transaction, format_fen


class InsufficientFunds(Conflict):
    code = "wallet.insufficient_funds"


# What a refusal is called depends on the account that would go below zero.
_SHORT_CODES = {
    AccountKind.ESCROW: "escrow.insufficient_funds",
    AccountKind.PENDING_COMMISSION: "commission.insufficient_funds",
    AccountKind.PLATFORM_REVENUE: "ledger.insufficient_funds",
    AccountKind.PROMOTION_SPEND: "ledger.insufficient_funds",
}


def insufficient_funds(kind: str, balance: int, needed: int) -> InsufficientFunds:
    return InsufficientFunds(
        f"Insufficient funds: {format_fen(balance)} available, {format_fen(needed)} needed.",
        code=_SHORT_CODES.get(kind, InsufficientFunds.code),
    )


@dataclass(frozen=True)
class Posting:
    """One balanced transaction to post: ``legs`` are ``(account or account id, fen)``."""

    kind: str
    legs: Sequence[tuple[Account | int, int]]
    description: str = ""
    key: str | None = None
    reverses: Transaction | None = None
