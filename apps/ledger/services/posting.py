"""Accounts, the one posting service, and wallet transfers.

``transaction_post`` is the only code that writes entries or changes a balance. Everything else
(top-ups, transfers, payout holds, reversals, and later escrow, commissions, Fries budgets and
gifts) describes its legs and calls it.
"""

from collections.abc import Sequence

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import BigIntegerField, Case, F, Value, When
from django.utils import timezone

from apps.accounts.models import User
from apps.accounts.services import is_blocked_either_way
from apps.core.errors import Conflict, InvalidInput, NotFound
from apps.ledger.locks import lock_accounts
from apps.ledger.models import (
    NEGATIVE_ALLOWED_KINDS,
    REVERSIBLE_KINDS,
    Account,
    AccountKind,
    Entry,
    OwnerType,
    Transaction,
    TransactionKind,
    format_fen,
)


class InsufficientFunds(Conflict):
    code = "wallet.insufficient_funds"


# --- Accounts ---------------------------------------------------------------------------------


def account_get_or_create(*, owner_type: str, owner_id: int, kind: str) -> Account:
    """The owner's account of this kind, created empty on first use (safe under concurrency)."""
    account, _ = Account.objects.get_or_create(
        owner_type=owner_type,
        owner_id=owner_id,
        kind=kind,
        defaults={"allow_negative": kind in NEGATIVE_ALLOWED_KINDS},
    )
    return account


def system_account(kind: str) -> Account:
    """One of the platform's own accounts (revenue, clearing)."""
    return account_get_or_create(owner_type=OwnerType.PLATFORM, owner_id=0, kind=kind)


def user_wallets(*user_ids: int) -> dict[int, Account]:
    """Several users' wallets in one query (the transfer path), creating missing ones."""
    found = {
        account.owner_id: account
        for account in Account.objects.filter(
            owner_type=OwnerType.USER, owner_id__in=user_ids, kind=AccountKind.WALLET
        )
    }
    for user_id in set(user_ids) - set(found):
        found[user_id] = user_wallet(user_id)
    return found


def user_wallet(user_id: int) -> Account:
    return account_get_or_create(
        owner_type=OwnerType.USER, owner_id=user_id, kind=AccountKind.WALLET
    )


def user_hold(user_id: int) -> Account:
    return account_get_or_create(owner_type=OwnerType.USER, owner_id=user_id, kind=AccountKind.HOLD)


# --- Posting ----------------------------------------------------------------------------------


def _legs_by_account(legs: Sequence[tuple[Account | int, int]]) -> dict[int, int]:
    amounts: dict[int, int] = {}
    for account, amount in legs:
        account_id = account.pk if isinstance(account, Account) else int(account)
        if type(amount) is not int or amount == 0:
            raise ValueError(f"A leg's amount must be a non-zero int of fen, not {amount!r}.")
        if account_id in amounts:
            raise ValueError("One leg per account in a transaction.")
        amounts[account_id] = amount
    if len(amounts) < 2 or sum(amounts.values()) != 0:
        raise ValueError("A transaction needs two or more legs summing to zero.")
    return amounts


def transaction_post(
    *,
    kind: str,
    legs: Sequence[tuple[Account | int, int]],
    description: str = "",
    key: str | None = None,
    reverses: Transaction | None = None,
) -> Transaction:
    """Post one balanced transaction; the only writer of entries and balances.

    Locks the accounts in ascending pk order (callers may already hold their own domain row, never
    an account), refuses with ``InsufficientFunds`` if an account that must stay >= 0 would not,
    then writes the transaction, its entries with running balances, and the cached balances.
    With ``key``, posting it again (or concurrently) returns the first transaction.
    """
    amounts = _legs_by_account(legs)
    with transaction.atomic():
        locked = lock_accounts(amounts)
        if key is not None:
            existing = Transaction.objects.filter(key=key).first()
            if existing is not None:
                return existing
        short = [
            account
            for account in locked.values()
            if not account.allow_negative and account.balance + amounts[account.pk] < 0
        ]
        if short:
            account = short[0]
            raise InsufficientFunds(
                f"Insufficient funds: {format_fen(account.balance)} available, "
                f"{format_fen(-amounts[account.pk])} needed.",
            )

        now = timezone.now()
        new = Transaction(
            kind=kind, description=description[:200], key=key, reverses=reverses, created_at=now
        )
        if key is None:
            new.save()
        else:
            try:
                with transaction.atomic():
                    new.save()
            except IntegrityError:
                # Posted concurrently under the same key on other accounts; it is committed now.
                return Transaction.objects.get(key=key)

        entries = []
        for account_id in sorted(amounts):
            account = locked[account_id]
            account.balance += amounts[account_id]
            entries.append(
                Entry(
                    transaction=new,
                    account_id=account_id,
                    amount=amounts[account_id],
                    balance_after=account.balance,
                    created_at=now,
                )
            )
        Entry.objects.bulk_create(entries)
        change = Case(
            *(When(pk=account_id, then=Value(amount)) for account_id, amount in amounts.items()),
            output_field=BigIntegerField(),
        )
        Account.objects.filter(pk__in=amounts).update(balance=F("balance") + change, updated_at=now)
    return new


def transaction_reverse(
    *, original: Transaction, description: str = "", key: str | None = None
) -> Transaction:
    """Undo a top-up or transfer with its mirror image; refused if the money was spent since."""
    if original.kind not in REVERSIBLE_KINDS:
        raise Conflict(
            f"A {original.get_kind_display().lower()} transaction cannot be reversed directly.",
            code="ledger.not_reversible",
        )
    if Transaction.objects.filter(reverses=original).exists():
        raise Conflict("This transaction is already reversed.", code="ledger.already_reversed")
    legs = [(entry.account_id, -entry.amount) for entry in original.entries.all()]
    return transaction_post(
        kind=TransactionKind.REVERSAL,
        legs=legs,
        description=description or f"Reversal of transaction #{original.pk}",
        key=key or f"reversal:{original.pk}",
        reverses=original,
    )


def check_amount(amount: int, *, minimum: int = 1, field: str = "amount") -> None:
    """400 ``ledger.amount_out_of_range`` outside [minimum, LEDGER_MAX_AMOUNT_FEN] fen."""
    maximum = settings.LEDGER_MAX_AMOUNT_FEN
    if not minimum <= amount <= maximum:
        raise InvalidInput(
            f"The amount must be between {format_fen(minimum)} and {format_fen(maximum)} yuan.",
            code="ledger.amount_out_of_range",
            fields={field: [f"Between {minimum} and {maximum} fen."]},
        )


# --- Transfers --------------------------------------------------------------------------------


def wallet_transfer(*, sender: User, recipient_id: int, amount: int) -> Transaction:
    """Move money from the sender's wallet to another user's (tips; gifts build on it)."""
    if recipient_id == sender.pk:
        raise Conflict("You cannot send money to yourself.", code="transfer.self")
    check_amount(amount)
    recipient = User.objects.filter(pk=recipient_id, is_active=True).only("username").first()
    if recipient is None:
        raise NotFound("User not found.", code="user.not_found")
    if is_blocked_either_way(sender.pk, recipient_id):
        raise Conflict("You cannot send money to this user.", code="transfer.blocked")
    with transaction.atomic():
        wallets = user_wallets(sender.pk, recipient_id)
        source, destination = wallets[sender.pk], wallets[recipient_id]
        return transaction_post(
            kind=TransactionKind.TRANSFER,
            legs=[(source, -amount), (destination, amount)],
            description=f"Transfer from @{sender.username} to @{recipient.username}",
        )
