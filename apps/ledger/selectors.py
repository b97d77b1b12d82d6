"""Ledger reads: balances, wallet history, monthly statements, a user's intents and payouts."""

import csv
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import F, OuterRef, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404

from apps.accounts.models import User
from apps.ledger.models import (
    Account,
    AccountKind,
    AccountShard,
    Entry,
    OwnerType,
    PaymentIntent,
    Payout,
    format_fen,
)

STATEMENT_COLUMNS = [
    "posted_at",
    "transaction_id",
    "kind",
    "description",
    "amount_yuan",
    "balance_after_yuan",
]


@dataclass(frozen=True)
class WalletBalance:
    available: int
    held: int


def with_balance(accounts: QuerySet[Account]) -> QuerySet[Account]:
    """Accounts annotated with ``total``: the row's balance plus its shards' (hot accounts).

    One statement, so the figure is exact: everything committed before it started, nothing
    half-posted (a posting changes the row or a shard, never both for one leg).
    """
    shards = (
        AccountShard.objects.filter(account=OuterRef("pk"))
        .order_by()
        .values("account")
        .annotate(total=Sum("balance"))
        .values("total")
    )
    return accounts.annotate(total=F("balance") + Coalesce(Subquery(shards), 0))


def account_balance(*, owner_type: str, owner_id: int, kind: str) -> int:
    """One account's exact balance in fen (0 before first use), shards included."""
    found = (
        with_balance(Account.objects.filter(owner_type=owner_type, owner_id=owner_id, kind=kind))
        .values_list("total", flat=True)
        .first()
    )
    return found or 0


def escrow_balance(*, contract: int) -> int:
    """What a contract's escrow holds, in fen."""
    return account_balance(
        owner_type=OwnerType.CONTRACT, owner_id=contract, kind=AccountKind.ESCROW
    )


def wallet_balance(*, owner_type: str, owner_id: int) -> WalletBalance:
    """Available (wallet) and held (pending payouts) money, in fen; zero before first use."""
    balances = dict(
        with_balance(
            Account.objects.filter(
                owner_type=owner_type,
                owner_id=owner_id,
                kind__in=[AccountKind.WALLET, AccountKind.HOLD],
            )
        ).values_list("kind", "total")
    )
    return WalletBalance(
        available=balances.get(AccountKind.WALLET, 0), held=balances.get(AccountKind.HOLD, 0)
    )


def user_wallet_balance(*, user: User) -> WalletBalance:
    return wallet_balance(owner_type=OwnerType.USER, owner_id=user.pk)


def wallet_entries(*, user: User) -> QuerySet[Entry]:
    """The user's wallet history, newest first (the pagination orders it)."""
    return Entry.objects.filter(
        account__owner_type=OwnerType.USER,
        account__owner_id=user.pk,
        account__kind=AccountKind.WALLET,
    ).select_related("transaction")


def _month_bounds(month: date) -> tuple[datetime, datetime]:
    """A calendar month in the platform's business time zone (Asia/Shanghai)."""
    zone = ZoneInfo(settings.ANALYTICS_TIME_ZONE)
    start = datetime(month.year, month.month, 1, tzinfo=zone)
    following = (
        datetime(month.year + 1, 1, 1, tzinfo=zone)
        if month.month == 12
        else datetime(month.year, month.month + 1, 1, tzinfo=zone)
    )
    return start, following


def _cell(text: str) -> str:
    """Neutralise spreadsheet formulas in text cells (CSV injection)."""
    return f"'{text}" if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


class _Echo:
    def write(self, value: str) -> str:
        return value


def wallet_statement_lines(*, user: User, month: date) -> Iterator[str]:
    """CSV lines of the user's wallet entries in one month, oldest first, streamed."""
    zone = ZoneInfo(settings.ANALYTICS_TIME_ZONE)
    start, end = _month_bounds(month)
    writer = csv.writer(_Echo())
    yield writer.writerow(STATEMENT_COLUMNS)
    entries = (
        wallet_entries(user=user)
        .filter(created_at__gte=start, created_at__lt=end)
        .order_by("created_at", "id")
    )
    for entry in entries.iterator(chunk_size=2000):
        yield writer.writerow(
            [
                entry.created_at.astimezone(zone).isoformat(timespec="seconds"),
                entry.transaction_id,
                entry.transaction.kind,
                _cell(entry.transaction.description),
                format_fen(entry.amount),
                format_fen(entry.balance_after),
            ]
        )


def payment_intent_list(*, user: User) -> QuerySet[PaymentIntent]:
    return PaymentIntent.objects.filter(user=user)


def get_payment_intent_for_user(*, user: User, intent_id: int) -> PaymentIntent:
    """The user's own intent; another user's is a 404, never a 403 (ids are not confirmed)."""
    return get_object_or_404(PaymentIntent, pk=intent_id, user=user)


def payout_list(*, user: User) -> QuerySet[Payout]:
    return Payout.objects.filter(user=user)


def get_payout_for_user(*, user: User, payout_id: int) -> Payout:
    return get_object_or_404(Payout, pk=payout_id, user=user)
