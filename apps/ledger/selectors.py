"""Ledger reads: balances, wallet history, monthly statements, an owner's intents and payouts.

An owner is a user or an organisation (``OwnerType``); the ``user`` forms serve the user's own
wallet API and keep its output unchanged.
"""

import csv
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import (
    Case,
    CharField,
    F,
    OuterRef,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404

from apps.accounts.models import Organisation, User
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


def owner_wallet_entries(*, owner_type: str, owner_id: int) -> QuerySet[Entry]:
    """An owner's wallet history, newest first (the pagination orders it)."""
    return Entry.objects.filter(
        account__owner_type=owner_type,
        account__owner_id=owner_id,
        account__kind=AccountKind.WALLET,
    ).select_related("transaction")


def wallet_entries(*, user: User) -> QuerySet[Entry]:
    """The user's wallet history, newest first (the pagination orders it)."""
    return owner_wallet_entries(owner_type=OwnerType.USER, owner_id=user.pk)


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
    return owner_statement_lines(owner_type=OwnerType.USER, owner_id=user.pk, month=month)


def owner_statement_lines(*, owner_type: str, owner_id: int, month: date) -> Iterator[str]:
    """CSV lines of an owner's wallet entries in one month, oldest first, streamed."""
    zone = ZoneInfo(settings.ANALYTICS_TIME_ZONE)
    start, end = _month_bounds(month)
    writer = csv.writer(_Echo())
    yield writer.writerow(STATEMENT_COLUMNS)
    entries = (
        owner_wallet_entries(owner_type=owner_type, owner_id=owner_id)
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


def owner_payment_intent_list(*, owner_type: str, owner_id: int) -> QuerySet[PaymentIntent]:
    return PaymentIntent.objects.filter(owner_type=owner_type, owner_id=owner_id).select_related(
        "requested_by"
    )


def payment_intent_list(*, user: User) -> QuerySet[PaymentIntent]:
    return owner_payment_intent_list(owner_type=OwnerType.USER, owner_id=user.pk)


def get_payment_intent_for_owner(
    *, owner_type: str, owner_id: int, intent_id: int
) -> PaymentIntent:
    """The owner's intent; anyone else's is a 404, never a 403 (ids are not confirmed)."""
    return get_object_or_404(PaymentIntent, pk=intent_id, owner_type=owner_type, owner_id=owner_id)


def get_payment_intent_for_user(*, user: User, intent_id: int) -> PaymentIntent:
    """The user's own intent; another user's is a 404, never a 403 (ids are not confirmed)."""
    return get_payment_intent_for_owner(
        owner_type=OwnerType.USER, owner_id=user.pk, intent_id=intent_id
    )


def owner_payout_list(*, owner_type: str, owner_id: int) -> QuerySet[Payout]:
    return Payout.objects.filter(owner_type=owner_type, owner_id=owner_id).select_related(
        "requested_by"
    )


def payout_list(*, user: User) -> QuerySet[Payout]:
    return owner_payout_list(owner_type=OwnerType.USER, owner_id=user.pk)


def get_payout_for_owner(*, owner_type: str, owner_id: int, payout_id: int) -> Payout:
    return get_object_or_404(Payout, pk=payout_id, owner_type=owner_type, owner_id=owner_id)


def get_payout_for_user(*, user: User, payout_id: int) -> Payout:
    return get_payout_for_owner(owner_type=OwnerType.USER, owner_id=user.pk, payout_id=payout_id)


def with_owner_names(queryset: QuerySet) -> QuerySet:
    """Annotate accounts, intents or payouts with ``owner_name`` (username or organisation
    name) in the same query: operators' lists show owners by name without a query per row."""
    return queryset.annotate(
        owner_name=Case(
            When(
                owner_type=OwnerType.USER,
                then=Subquery(User.objects.filter(pk=OuterRef("owner_id")).values("username")[:1]),
            ),
            When(
                owner_type=OwnerType.ORGANISATION,
                then=Subquery(
                    Organisation.objects.filter(pk=OuterRef("owner_id")).values("name")[:1]
                ),
            ),
            default=Value(""),
            output_field=CharField(),
        )
    )
