"""Ledger accounts: found or created by owner and kind, hot accounts given balance shards.

An owner is ``(owner_type, owner_id)``: a user, an organisation, a product's contract (escrow),
or the platform (``0``). Accounts are created empty on first use; reading a balance never writes.
"""

from collections.abc import Iterable
from typing import NamedTuple

from django.db import connection, transaction
from django.utils import timezone

from apps.core.sql import prepared_cursor
from apps.ledger.models import (
    DEFAULT_SHARDS,
    HOT_SYSTEM_KINDS,
    NEGATIVE_ALLOWED_KINDS,
    Account,
    AccountKind,
    AccountShard,
    OwnerType,
)


class Owner(NamedTuple):
    """Who owns an account: ``Owner("user", 7)``, ``Owner("contract", 42)``."""

    type: str
    id: int

    @classmethod
    def user(cls, user_id: int) -> "Owner":
        return cls(OwnerType.USER, user_id)

    @classmethod
    def organisation(cls, organisation_id: int) -> "Owner":
        return cls(OwnerType.ORGANISATION, organisation_id)

    @classmethod
    def contract(cls, reference: int) -> "Owner":
        return cls(OwnerType.CONTRACT, reference)


PLATFORM = Owner(OwnerType.PLATFORM, 0)


def account_get_or_create(*, owner_type: str, owner_id: int, kind: str) -> Account:
    """The owner's account of this kind, created empty on first use (safe under concurrency)."""
    account, _ = Account.objects.get_or_create(
        owner_type=owner_type,
        owner_id=owner_id,
        kind=kind,
        defaults={"allow_negative": kind in NEGATIVE_ALLOWED_KINDS},
    )
    return account


_COLUMNS = [field.attname for field in Account._meta.concrete_fields]
_SELECT = ", ".join(_COLUMNS)
_MATCH = "a.owner_type = w.owner_type AND a.owner_id = w.owner_id AND a.kind = w.kind"
# PostgreSQL: found and created in one statement, of one shape whatever the number of accounts
# (arrays), prepared once per connection. ``made`` inserts only what ``found`` missed (no
# sequence value is spent on an account that exists); a row another transaction inserts
# meanwhile is skipped by ON CONFLICT and read again by the caller.
_FIND_OR_CREATE = (
    "WITH wanted AS (SELECT * FROM unnest(%s::varchar[], %s::bigint[], %s::varchar[], "
    "%s::boolean[]) AS w (owner_type, owner_id, kind, allow_negative)), "
    f"found AS (SELECT {', '.join('a.' + c for c in _COLUMNS)} FROM ledger_account a "
    f"JOIN wanted w ON {_MATCH}), "
    "made AS (INSERT INTO ledger_account "
    "(owner_type, owner_id, kind, allow_negative, balance, shards, created_at, updated_at) "
    "SELECT w.owner_type, w.owner_id, w.kind, w.allow_negative, 0, 0, %s, %s FROM wanted w "
    f"WHERE NOT EXISTS (SELECT 1 FROM found a WHERE {_MATCH}) "
    f"ON CONFLICT (owner_type, owner_id, kind) DO NOTHING RETURNING {_SELECT}) "
    f"SELECT {_SELECT} FROM found UNION ALL SELECT {_SELECT} FROM made"
)


def _select(cursor: object, wanted: set[tuple[Owner, str]]) -> list[tuple]:
    params: list[object] = []
    for owner, kind in wanted:
        params += [owner.type, owner.id, kind]
    cursor.execute(
        f"SELECT {_SELECT} FROM ledger_account WHERE (owner_type, owner_id, kind) IN ("
        + ", ".join(["(%s, %s, %s)"] * len(wanted))
        + ")",
        params,
    )
    return cursor.fetchall()


def _find_or_create(wanted: set[tuple[Owner, str]]) -> list[tuple]:
    """The rows of the wanted accounts, the missing ones inserted by one statement.

    PostgreSQL: one round trip (``_FIND_OR_CREATE``). Elsewhere (SQLite, embedded mode): a
    select, then one ``INSERT ... ON CONFLICT DO NOTHING`` of the missing ones, then a select of
    those. Either way a row a concurrent transaction inserted first is read again afterwards.
    """
    now = timezone.now()
    if connection.vendor != "postgresql":
        with connection.cursor() as cursor:
            rows = _select(cursor, wanted)
        missing = wanted - {(Owner(row[1], row[2]), row[3]) for row in rows}
        if missing:
            Account.objects.bulk_create(
                [
                    Account(
                        owner_type=owner.type,
                        owner_id=owner.id,
                        kind=kind,
                        allow_negative=kind in NEGATIVE_ALLOWED_KINDS,
                        created_at=now,
                        updated_at=now,
                    )
                    for owner, kind in missing
                ],
                ignore_conflicts=True,
            )
            with connection.cursor() as cursor:
                rows += _select(cursor, missing)
        return rows
    ordered = list(wanted)
    with prepared_cursor() as cursor:
        cursor.execute(
            _FIND_OR_CREATE,
            [
                [str(owner.type) for owner, _ in ordered],
                [owner.id for owner, _ in ordered],
                [str(kind) for _, kind in ordered],
                [kind in NEGATIVE_ALLOWED_KINDS for _, kind in ordered],
                now,
                now,
            ],
        )
        rows = cursor.fetchall()
    if len(rows) < len(wanted):  # inserted meanwhile by a transaction that committed since
        missing = wanted - {(Owner(row[1], row[2]), row[3]) for row in rows}
        with connection.cursor() as cursor:
            rows += _select(cursor, missing)
    return rows


def accounts_for(
    wanted: Iterable[tuple[Owner, str]], *, expect_new: bool = False
) -> dict[tuple[Owner, str], Account]:
    """Several owners' accounts in one statement (the hot paths), creating the missing ones.

    Raw SQL: this runs on every move, and the ORM would spend longer compiling it. Most calls
    find every account (a gift's wallets, the platform's revenue): a plain select, the cheapest
    statement, and the find-or-create statement only for what it missed. ``expect_new`` (an
    escrow opened for a new contract) goes straight to find-or-create: one statement either
    way. The platform's hot kinds are given their shards on first use, as ``system_account``
    does.
    """
    wanted = set(wanted)
    found: dict[tuple[Owner, str], Account] = {}
    if not wanted:
        return found
    if expect_new:
        rows = _find_or_create(wanted)
    else:
        with connection.cursor() as cursor:
            rows = _select(cursor, wanted)
        missing = wanted - {(Owner(row[1], row[2]), row[3]) for row in rows}
        if missing:
            rows += _find_or_create(missing)
    for row in rows:
        account = Account.from_db(connection.alias, _COLUMNS, row)
        owner = Owner(account.owner_type, account.owner_id)
        if owner == PLATFORM and account.kind in HOT_SYSTEM_KINDS and not account.shards:
            account = account_make_hot(account=account)
        found[(owner, account.kind)] = account
    for owner, kind in wanted - set(found):  # not visible to this transaction (repeatable read)
        if owner == PLATFORM:
            found[(owner, kind)] = system_account(kind)
        else:
            found[(owner, kind)] = account_get_or_create(
                owner_type=owner.type, owner_id=owner.id, kind=kind
            )
    return found


def system_account(kind: str) -> Account:
    """One of the platform's own accounts (revenue, clearing, promotion spend).

    Revenue and promotion spend are credited by every fee and every CPM charge, so they are
    made hot (sharded) on first use.
    """
    account = account_get_or_create(owner_type=OwnerType.PLATFORM, owner_id=0, kind=kind)
    if kind in HOT_SYSTEM_KINDS and not account.shards:
        account = account_make_hot(account=account)
    return account


def account_make_hot(*, account: Account, shards: int = DEFAULT_SHARDS) -> Account:
    """Give an account ``shards`` balance shards so concurrent credits stop queueing on its row.

    For a live host's wallet when the room starts, a seller's before a flash sale, the
    platform's revenue. The shard rows are created before the account says it has them, in one
    transaction, so a posting never picks a shard that does not exist. Never undone: an account
    with shards keeps them (a debit folds them back into its balance).
    """
    if account.allow_negative:
        raise ValueError("Clearing accounts (allowed below zero) are never sharded.")
    if not 1 <= shards <= 256:
        raise ValueError("Between 1 and 256 shards.")
    with transaction.atomic():
        locked = Account.objects.select_for_update(no_key=True).get(pk=account.pk)
        if locked.shards >= shards:
            return locked
        AccountShard.objects.bulk_create(
            [AccountShard(account=locked, shard_no=n) for n in range(shards)],
            ignore_conflicts=True,
        )
        locked.shards = shards
        locked.save(update_fields=["shards"])
    return locked


def user_wallets(*user_ids: int) -> dict[int, Account]:
    """Several users' wallets in one query (the transfer path), creating missing ones."""
    accounts = accounts_for((Owner.user(user_id), AccountKind.WALLET) for user_id in user_ids)
    return {owner.id: account for (owner, _), account in accounts.items()}


def user_wallet(user_id: int) -> Account:
    return account_get_or_create(
        owner_type=OwnerType.USER, owner_id=user_id, kind=AccountKind.WALLET
    )


def user_hold(user_id: int) -> Account:
    return account_get_or_create(owner_type=OwnerType.USER, owner_id=user_id, kind=AccountKind.HOLD)
