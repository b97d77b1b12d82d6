"""The one posting service (and its batch sibling) and reversals.

``transaction_post`` is the only code that writes entries or changes a balance (an account's or
one of its shards'). Everything else (top-ups, transfers, payout holds, reversals, the named
moves in ``moves``) describes its legs and calls it, or ``transactions_post_batch`` for many
independent postings in one database transaction.

On PostgreSQL one posting is one statement, ``SELECT * FROM ledger_post(...)`` (a PL/pgSQL
function, migration 0005: one round trip, plans cached by the server), and a batch is two to
four statements built by ``posting_sql``; neither is compiled by the ORM. Elsewhere (SQLite,
embedded mode) the ORM does the same work one row at a time.
"""

from collections.abc import Hashable, Iterable, Sequence
from typing import Any

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import Sum
from django.utils import timezone

from apps.core.errors import Conflict, InvalidInput
from apps.ledger.locks import lock_accounts
from apps.ledger.models import (
    REVERSIBLE_KINDS,
    Account,
    AccountShard,
    Entry,
    Transaction,
    TransactionKind,
    format_fen,
)
from apps.ledger.services import posting_sql
from apps.ledger.services.base import InsufficientFunds, Posting, insufficient_funds


def _checked_legs(legs: Iterable[tuple[Hashable, int]]) -> dict[Any, int]:
    """Leg key (an account id, or an owner and kind) -> amount: non-zero ints of fen, one leg
    per account, two or more, summing to zero; anything else is the caller's bug."""
    amounts: dict[Any, int] = {}
    for key, amount in legs:
        if type(amount) is not int or amount == 0:
            raise ValueError(f"A leg's amount must be a non-zero int of fen, not {amount!r}.")
        if key in amounts:
            raise ValueError("One leg per account in a transaction.")
        amounts[key] = amount
    if len(amounts) < 2 or sum(amounts.values()) != 0:
        raise ValueError("A transaction needs two or more legs summing to zero.")
    return amounts


def _legs_by_account(legs: Sequence[tuple[Account | int, int]]) -> dict[int, int]:
    return _checked_legs(
        (account.pk if isinstance(account, Account) else int(account), amount)
        for account, amount in legs
    )


def _shard_counts(postings: Sequence[Posting]) -> dict[int, int]:
    """Account id -> number of shards, from the accounts the caller passed (no query for them).

    An ``Account`` loaded before it was made hot says 0: the posting then locks its row and
    changes ``Account.balance``, which is as correct (the balance is row plus shards), only
    slower. Bare ids are looked up in one query.
    """
    counts: dict[int, int] = {}
    bare: set[int] = set()
    for posting in postings:
        for account, _ in posting.legs:
            if isinstance(account, Account):
                counts[account.pk] = account.shards
            else:
                bare.add(int(account))
    bare -= counts.keys()
    if bare:
        counts.update(Account.objects.filter(pk__in=bare).values_list("pk", "shards"))
    return counts


def transaction_post(
    *,
    kind: str,
    legs: Sequence[tuple[Account | int, int]],
    description: str = "",
    key: str | None = None,
    reverses: Transaction | None = None,
) -> Transaction:
    """Post one balanced transaction; the only writer of entries and balances.

    Lock order: the key (an advisory lock, keyed postings only), then the account rows in
    ascending pk order, then shard rows in (account, shard) order. Callers may already hold
    their own domain row, never an account. Refuses with ``InsufficientFunds`` (409, nothing
    written) if an account that must stay >= 0 would not. With ``key``, posting it again (or
    concurrently) returns the first transaction. Usable inside the caller's transaction; opens
    one (no savepoint) otherwise.
    """
    posting = Posting(kind=kind, legs=legs, description=description, key=key, reverses=reverses)
    result = _post([posting], partial=False)[0]
    assert isinstance(result, Transaction)
    return result


def transaction_post_unless_guarded(
    *, posting: Posting, guards: Sequence[str], user_id: int
) -> Transaction | None:
    """PostgreSQL, outside any transaction: ``transaction_post``, in the same one statement,
    unless one of the SQL ``guards`` (see ``income_splits``) is true for ``user_id`` now; then
    None and nothing is written (the caller takes its slower path)."""
    amounts = _legs_by_account(posting.legs)
    return posting_sql.post_one(
        posting,
        amounts,
        _shard_counts([posting]),
        refuse=insufficient_funds,
        guards=guards,
        guard_user=user_id,
    )


def transaction_post_owned(
    *,
    kind: str,
    legs: Sequence[tuple[Any, str, int]],
    description: str,
    key: str,
    guards: Sequence[str] = (),
    guard_user: int | None = None,
) -> Transaction | str:
    """PostgreSQL, outside any transaction: a keyed posting whose legs name ``(owner, account
    kind, amount)``, found, guarded and posted in one statement (a gift's one round trip).

    Returns the transaction, or ``posting_sql.GUARDED`` / ``posting_sql.MISSING`` when nothing
    was written (a guard was true; an account does not exist yet): the caller takes its slower
    path. The same rules as ``transaction_post`` (checked legs, lock order, refusal, key)."""
    rows = _checked_legs(
        ((str(owner.type), int(owner.id), str(account_kind)), amount)
        for owner, account_kind, amount in legs
    )
    return posting_sql.post_owned(
        kind=kind,
        description=description,
        key=key,
        legs=[(*slot, amount) for slot, amount in rows.items()],
        refuse=insufficient_funds,
        guards=guards,
        guard_user=guard_user,
    )


def transactions_post_batch(
    *, postings: Sequence[Posting]
) -> list[Transaction | InsufficientFunds]:
    """Post many independent transactions in one database transaction and one commit.

    Each posting is checked on its own, in order: one that would overdraw is refused (its
    ``InsufficientFunds`` is returned in its place) and the others still post. Keys behave as in
    ``transaction_post`` (a key seen earlier in the batch returns that transaction). For gifts,
    commission accruals and CPM spend, where one commit per transfer would be the bottleneck.
    """
    return _post(list(postings), partial=True)


def _post(postings: Sequence[Posting], *, partial: bool) -> list[Transaction | InsufficientFunds]:
    amounts = [_legs_by_account(posting.legs) for posting in postings]
    if not postings:
        return []
    if connection.vendor == "postgresql":
        if len(postings) == 1 and not partial:
            shards = _shard_counts(postings)
            posted = posting_sql.post_one(
                postings[0], amounts[0], shards, refuse=insufficient_funds
            )
            assert posted is not None  # no guards: never withheld
            return [posted]
        return posting_sql.post(
            postings, amounts, _shard_counts(postings), partial=partial, refuse=insufficient_funds
        )
    return _post_orm(postings, amounts, partial=partial)


def _post_orm(
    postings: Sequence[Posting], amounts: list[dict[int, int]], *, partial: bool
) -> list[Transaction | InsufficientFunds]:
    """The portable path: one posting at a time through the ORM (embedded mode, SQLite)."""
    results: list[Transaction | InsufficientFunds] = []
    with transaction.atomic():
        for posting, legs in zip(postings, amounts, strict=True):
            try:
                with transaction.atomic():
                    results.append(_post_one_orm(posting, legs))
            except InsufficientFunds as refused:
                if not partial:
                    raise
                results.append(refused)
    return results


def _post_one_orm(posting: Posting, amounts: dict[int, int]) -> Transaction:
    locked = lock_accounts(amounts)
    if posting.key is not None:
        existing = Transaction.objects.filter(key=posting.key).first()
        if existing is not None:
            return existing
    # Fold the shards of hot accounts into their rows: the portable path does not spread credits.
    hot = [account_id for account_id, account in locked.items() if account.shards]
    folded = dict(
        AccountShard.objects.filter(account_id__in=hot)
        .values("account_id")
        .annotate(total=Sum("balance"))
        .values_list("account_id", "total")
    )
    for account_id, account in locked.items():
        account.balance += folded.get(account_id, 0)
        if not account.allow_negative and account.balance + amounts[account_id] < 0:
            raise insufficient_funds(account.kind, account.balance, -amounts[account_id])

    now = timezone.now()
    new = Transaction(
        kind=posting.kind,
        description=posting.description[:200],
        key=posting.key,
        reverses=posting.reverses,
        created_at=now,
    )
    try:
        with transaction.atomic():
            new.save()
    except IntegrityError:
        if posting.key is None:
            raise
        return Transaction.objects.get(key=posting.key)  # posted meanwhile on other accounts
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
    if hot:
        AccountShard.objects.filter(account_id__in=hot).update(balance=0)
    for account_id in sorted(amounts):
        Account.objects.filter(pk=account_id).update(
            balance=locked[account_id].balance, updated_at=now
        )
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
    if type(amount) is not int or not minimum <= amount <= maximum:
        raise InvalidInput(
            f"The amount must be between {format_fen(minimum)} and {format_fen(maximum)} yuan.",
            code="ledger.amount_out_of_range",
            fields={field: [f"Between {minimum} and {maximum} fen."]},
        )
