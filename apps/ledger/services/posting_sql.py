"""Postings on PostgreSQL, no ORM compile: one statement for one posting, two to four for a batch.

Called only by ``posting.transaction_post`` and ``posting.transactions_post_batch``; the rules
(legs, lock order, refusals, keys) are theirs.

One posting (``post_one``) is ``SELECT * FROM ledger_post(...)``, the PL/pgSQL function of
migration 0005, which does the steps below for that posting with plans cached per connection:
one round trip, its own transaction in autocommit.

A batch (``post``) is these statements:

1. keyed postings only: ``pg_advisory_xact_lock`` on each key's hash, in hash order, so two
   postings with one key queue here (and the second then sees the first's transaction);
2. ``SELECT ... FOR NO KEY UPDATE`` of the account rows this posting may change, in pk order
   (not ``FOR UPDATE``: an entry's foreign key takes ``KEY SHARE`` on its account at commit, and a
   credit to a hot account must never wait for, or deadlock with, a debit holding that row),
   with the keys already posted (a repeat then fetches its first transaction);
3. only when a hot account is debited: ``SELECT ... FOR NO KEY UPDATE`` of all its shards, and
   of the shards of every other hot account the batch credits, in (account, shard) order (the
   debit folds its shards into the account row: the balance is checked on the total);
4. one statement with data-modifying CTEs: the transactions (ids drawn from their sequence), the
   credits to hot accounts' shards (locked in (account, shard) order, running balances computed
   with a window), the entries, the account balances (``UPDATE ... FROM (VALUES ...)``) and the
   folded shards set to zero.

Funds are checked in Python between 2-3 and 4, on the locked rows, so a refusal has written
nothing. A credit to a hot account takes no lock on the account row, only on one of its shards,
held from statement 4 to the commit.
"""

import random
from collections import defaultdict
from collections.abc import Callable, Sequence
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from apps.core.errors import NotFound
from apps.ledger.models import Transaction
from apps.ledger.services.base import InsufficientFunds, Posting

_TRANSACTION_FIELDS = ("id", "kind", "description", "key", "reverses_id", "created_at")
_sequence: dict[str, str] = {}


def _transaction_sequence(cursor: Any) -> str:
    """The id sequence of ``ledger_transaction`` (identity column), looked up once per alias."""
    alias = connection.alias
    if alias not in _sequence:
        cursor.execute("SELECT pg_get_serial_sequence('ledger_transaction', 'id')")
        _sequence[alias] = cursor.fetchone()[0]
    return _sequence[alias]


def _transaction(values: Sequence[Any]) -> Transaction:
    return Transaction.from_db(connection.alias, list(_TRANSACTION_FIELDS), list(values))


def post(
    postings: Sequence[Posting],
    amounts: list[dict[int, int]],
    shards: dict[int, int],
    *,
    partial: bool,
    refuse: Callable[[str, int, int], InsufficientFunds],
) -> list[Transaction | InsufficientFunds]:
    """Post ``postings`` (legs already checked into ``amounts``); see the module docstring.

    Inside the caller's transaction the statements join it. Outside any (autocommit), the
    posting is its own transaction and ``BEGIN`` and ``COMMIT`` travel with its first and last
    statements (several statements in one round trip), so a posting costs two round trips.
    """
    if connection.in_atomic_block or not connection.get_autocommit():
        return _post(postings, amounts, shards, partial=partial, refuse=refuse, own=False)
    if connection.settings_dict.get("OPTIONS", {}).get("server_side_binding"):
        # Server-side binding cannot carry several statements in one round trip.
        with transaction.atomic():
            return _post(postings, amounts, shards, partial=partial, refuse=refuse, own=False)
    connection.ensure_connection()
    try:
        return _post(postings, amounts, shards, partial=partial, refuse=refuse, own=True)
    except BaseException:
        _rollback()
        raise


def _array(values: list[int]) -> str:
    """An int array as its text literal, cheaper than psycopg adapting a list (the values are
    ints, checked by ``posting._legs_by_account``)."""
    return "{" + ",".join(map(str, values)) + "}"


def post_one(
    posting: Posting,
    amounts: dict[int, int],
    shards: dict[int, int],
    *,
    refuse: Callable[[str, int, int], InsufficientFunds],
    guards: Sequence[str] = (),
    guard_user: int | None = None,
) -> Transaction | None:
    """One posting as one statement, ``ledger_post`` (migration 0005): one round trip.

    Outside a transaction the statement is its own (autocommit: lock, check, write and commit
    together); inside the caller's it joins it. A refusal or a repeated key writes nothing and
    leaves the caller's transaction usable (the function returns a status, it never raises).
    With ``guards`` (SQL functions of ``(guard_user, now)``, names checked by
    ``income_splits.register``) the statement is ``ledger_post_guarded`` (migration 0007):
    None, nothing written, when a guard is true.
    """
    ordered = sorted(amounts)
    reverses_id = posting.reverses.pk if posting.reverses is not None else None
    call, head = "ledger_post(", []
    if guards:
        call = "ledger_post_guarded(({}), ".format(
            " OR ".join(f"{guard}(%s::bigint, clock_timestamp())" for guard in guards)
        )
        head = [guard_user] * len(guards)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT * FROM {call}%s::text, %s::text, %s::text, %s::bigint, "
            "%s::bigint[], %s::bigint[], %s::integer[])",
            [
                *head,
                posting.kind,
                posting.description[:200],
                posting.key,
                reverses_id,
                _array(ordered),
                _array([amounts[a] for a in ordered]),
                _array([shards.get(a) or 0 for a in ordered]),
            ],
        )
        status, *fields, short_kind, short_balance, short_needed = cursor.fetchone()
    if status == "guarded":
        return None
    if status == "refused":
        raise refuse(short_kind, short_balance, short_needed)
    if status == "not_found":
        raise NotFound("Ledger account not found.", code="ledger.account_not_found")
    posted = _transaction(fields)
    if status == "posted" and posting.reverses is not None:
        posted.reverses = posting.reverses
    return posted


GUARDED = "guarded"
MISSING = "missing"


def post_owned(
    *,
    kind: str,
    description: str,
    key: str,
    legs: Sequence[tuple[str, int, str, int]],
    refuse: Callable[[str, int, int], InsufficientFunds],
    guards: Sequence[str] = (),
    guard_user: int | None = None,
) -> Transaction | str:
    """One posting whose legs are ``(owner_type, owner_id, account kind, amount)``: the
    accounts found by owner, the guards evaluated and the posting made in one statement,
    ``ledger_post_owned`` (migration 0008). ``GUARDED`` or ``MISSING`` (an account does not
    exist yet) when nothing was written; the legs are the caller's checked, distinct ones."""
    guarded = "false"
    head: list[Any] = []
    if guards:
        guarded = " OR ".join(f"{guard}(%s::bigint, clock_timestamp())" for guard in guards)
        head = [guard_user] * len(guards)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT * FROM ledger_post_owned(({guarded}), %s::text, %s::text, %s::text, "
            "%s::text[], %s::bigint[], %s::text[], %s::bigint[])",
            [
                *head,
                kind,
                description[:200],
                key,
                [leg[0] for leg in legs],
                _array([leg[1] for leg in legs]),
                [leg[2] for leg in legs],
                _array([leg[3] for leg in legs]),
            ],
        )
        status, *fields, short_kind, short_balance, short_needed = cursor.fetchone()
    if status in (GUARDED, MISSING):
        return status
    if status == "refused":
        raise refuse(short_kind, short_balance, short_needed)
    return _transaction(fields)


def _rollback() -> None:
    """End the posting's own transaction after a refusal or an error (idle: nothing to do)."""
    raw = connection.connection
    if raw is not None and raw.info.transaction_status != 0:  # not IDLE
        raw.execute("ROLLBACK")


def _execute_last(cursor: Any, sql: str, params: list) -> list[tuple]:
    """Run several statements in one round trip; the rows of the last one."""
    cursor.execute(sql, params)
    raw = cursor.cursor
    while raw.nextset():
        pass
    return raw.fetchall()


def _post(
    postings: Sequence[Posting],
    amounts: list[dict[int, int]],
    shards: dict[int, int],
    *,
    partial: bool,
    refuse: Callable[[str, int, int], InsufficientFunds],
    own: bool,
) -> list[Transaction | InsufficientFunds]:
    # A hot account debited anywhere in this call is folded: all its legs go to its row.
    folded = sorted(
        {a for legs in amounts for a, amount in legs.items() if shards.get(a) and amount < 0}
    )
    folded_set = set(folded)
    locked_ids = sorted(
        {a for legs in amounts for a in legs if not shards.get(a) or a in folded_set}
    )
    keys = sorted({posting.key for posting in postings if posting.key is not None})
    with connection.cursor() as cursor:
        first = "BEGIN; " if own else ""
        first_params: list[Any] = []
        if keys:
            first += (
                "SELECT pg_advisory_xact_lock(h) FROM (SELECT DISTINCT hashtextextended(k, 11) "
                "AS h FROM unnest(%s::text[]) AS k ORDER BY h) AS ordered; "
            )
            first_params.append(keys)
        balances: dict[int, int] = {}
        allow: dict[int, bool] = {}
        kinds: dict[int, str] = {}
        seen_keys: list[str] = []
        # Every posting debits a row it locks here (a hot account's debit locks its row too), so
        # this statement always runs; it also names the keys already posted: its snapshot is
        # taken after the advisory locks, so a first posting that committed meanwhile is seen.
        rows = _execute_last(
            cursor,
            first + "SELECT id, balance, allow_negative, kind, (SELECT array_agg(key) FROM "
            "ledger_transaction WHERE key = ANY(%s)) FROM ledger_account "
            "WHERE id = ANY(%s) ORDER BY id FOR NO KEY UPDATE",
            [*first_params, keys, locked_ids],
        )
        for account_id, balance, allow_negative, kind, posted in rows:
            balances[account_id] = balance
            allow[account_id] = allow_negative
            kinds[account_id] = kind
            seen_keys = posted or []
        if len(balances) != len(locked_ids):
            raise NotFound("Ledger account not found.", code="ledger.account_not_found")
        fold_amounts: dict[int, int] = {}
        if folded:
            # The shards of the hot accounts credited are locked with the folded ones, in one
            # (account, shard) order: a fold and a credit to another hot account never cross.
            credited = {a for legs in amounts for a in legs if shards.get(a)} - folded_set
            cursor.execute(
                "SELECT account_id, SUM(balance)::bigint FROM (SELECT account_id, balance "
                "FROM ledger_accountshard WHERE account_id = ANY(%s) "
                "ORDER BY account_id, shard_no FOR NO KEY UPDATE) AS locked GROUP BY account_id",
                [sorted(folded_set | credited)],
            )
            fold_amounts = {a: total for a, total in cursor.fetchall() if a in folded_set}
            for account_id in folded:
                balances[account_id] += fold_amounts.get(account_id, 0)
        existing: dict[str, Transaction] = {}
        if seen_keys:  # a repeat: rare, so its rows are fetched separately
            cursor.execute(
                f"SELECT {', '.join(_TRANSACTION_FIELDS)} FROM ledger_transaction "
                "WHERE key = ANY(%s)",
                [seen_keys],
            )
            existing = {row[3]: _transaction(row) for row in cursor.fetchall()}

        results: list[Any] = []
        tx_rows: list[tuple] = []
        entry_rows: list[tuple] = []
        shard_rows: list[tuple] = []
        deltas: dict[int, int] = defaultdict(int)
        posted_keys: dict[str, int] = {}
        for posting, legs in zip(postings, amounts, strict=True):
            if posting.key is not None and posting.key in existing:
                results.append(existing[posting.key])
                continue
            if posting.key is not None and posting.key in posted_keys:
                results.append(results[posted_keys[posting.key]])
                continue
            short = next(
                (
                    a
                    for a, amount in legs.items()
                    if a in balances and not allow[a] and balances[a] + amount < 0
                ),
                None,
            )
            if short is not None:
                refused = refuse(kinds[short], balances[short], -legs[short])
                if not partial:
                    raise refused
                results.append(refused)
                continue
            order = len(tx_rows)
            description = posting.description[:200]
            reverses_id = posting.reverses.pk if posting.reverses is not None else None
            tx_rows.append((order, posting.kind, description, posting.key, reverses_id))
            for account_id in sorted(legs):
                amount = legs[account_id]
                if account_id in balances:
                    balances[account_id] += amount
                    deltas[account_id] += amount
                    entry_rows.append((order, account_id, amount, balances[account_id], None))
                else:
                    seq = len(shard_rows)
                    shard_no = random.randrange(shards[account_id])
                    shard_rows.append((seq, account_id, shard_no, amount))
                    entry_rows.append((order, account_id, amount, None, seq))
            if posting.key is not None:
                posted_keys[posting.key] = len(results)
            results.append(("new", order, posting, description, reverses_id))
        if not tx_rows:
            if own:
                _rollback()  # only locks were taken: nothing to commit
            return results
        for account_id, amount in fold_amounts.items():
            deltas[account_id] += amount
        ids, now = _write(cursor, tx_rows, entry_rows, shard_rows, deltas, folded, commit=own)

    out: list[Any] = []
    for result in results:
        if isinstance(result, tuple):
            _, order, posting, description, reverses_id = result
            new = _transaction(
                (ids[order], posting.kind, description, posting.key, reverses_id, now)
            )
            if posting.reverses is not None:
                new.reverses = posting.reverses
            out.append(new)
        else:
            out.append(result)
    return out


def _values(rows: Sequence[tuple], casts: Sequence[str], params: list) -> str:
    """``(%s::t, ...), ...`` for ``rows``, appending their values to ``params``."""
    row = "(" + ", ".join(f"%s::{cast}" for cast in casts) + ")"
    for values in rows:
        params.extend(values)
    return ", ".join([row] * len(rows))


def _write(
    cursor: Any,
    tx_rows: list[tuple],
    entry_rows: list[tuple],
    shard_rows: list[tuple],
    deltas: dict[int, int],
    folded: list[int],
    *,
    commit: bool,
) -> tuple[dict[int, int], Any]:
    """Statement 4: everything the postings write, in one round trip (with ``COMMIT`` when the
    posting is its own transaction). Returns the transaction ids by order."""
    now = timezone.now()
    params: list[Any] = []
    sequence = _transaction_sequence(cursor)
    parts = [
        "tx (ord, kind, description, key, reverses_id) AS (VALUES "
        + _values(tx_rows, ("int", "text", "text", "text", "bigint"), params)
        + ")",
        "ids AS MATERIALIZED (SELECT ord, nextval(%s::regclass) AS id FROM tx)",
        "t AS (INSERT INTO ledger_transaction (id, kind, description, key, reverses_id, "
        "created_at) SELECT ids.id, tx.kind, tx.description, tx.key, tx.reverses_id, %s "
        "FROM tx JOIN ids USING (ord))",
    ]
    params.extend([sequence, now])
    if shard_rows:
        parts += [
            "sc (seq, account_id, shard_no, amount) AS (VALUES "
            + _values(shard_rows, ("int", "bigint", "int", "bigint"), params)
            + ")",
            "agg AS (SELECT account_id, shard_no, SUM(amount)::bigint AS total FROM sc "
            "GROUP BY account_id, shard_no)",
            # Shard rows locked in (account, shard) order, whatever order the join produces.
            "lk AS (SELECT s.id, agg.total FROM ledger_accountshard s JOIN agg "
            "ON s.account_id = agg.account_id AND s.shard_no = agg.shard_no "
            "ORDER BY s.account_id, s.shard_no FOR NO KEY UPDATE OF s)",
            "up AS (UPDATE ledger_accountshard s SET balance = s.balance + lk.total FROM lk "
            "WHERE s.id = lk.id RETURNING s.account_id, s.shard_no, s.balance)",
            # A credit's balance_after is its shard's balance after it (later credits in the
            # same statement to the same shard subtracted).
            "sa AS (SELECT sc.seq, up.balance - COALESCE(SUM(sc.amount) OVER (PARTITION BY "
            "sc.account_id, sc.shard_no ORDER BY sc.seq ROWS BETWEEN 1 FOLLOWING AND "
            "UNBOUNDED FOLLOWING), 0) AS balance_after FROM sc JOIN up "
            "ON up.account_id = sc.account_id AND up.shard_no = sc.shard_no)",
        ]
    parts.append(
        "ev (ord, account_id, amount, balance_after, seq) AS (VALUES "
        + _values(entry_rows, ("int", "bigint", "bigint", "bigint", "int"), params)
        + ")"
    )
    after = "COALESCE(ev.balance_after, sa.balance_after)" if shard_rows else "ev.balance_after"
    join = " LEFT JOIN sa ON sa.seq = ev.seq" if shard_rows else ""
    parts.append(
        "e AS (INSERT INTO ledger_entry (transaction_id, account_id, amount, balance_after, "
        f"created_at) SELECT ids.id, ev.account_id, ev.amount, {after}, %s "
        f"FROM ev JOIN ids USING (ord){join})"
    )
    params.append(now)
    if deltas:
        params.append(now)  # updated_at, before the VALUES
        parts.append(
            "u AS (UPDATE ledger_account a SET balance = a.balance + d.delta, updated_at = %s "
            "FROM (VALUES "
            + _values(sorted(deltas.items()), ("bigint", "bigint"), params)
            + ") AS d (id, delta) WHERE a.id = d.id)"
        )
    if folded:
        parts.append(
            "f AS (UPDATE ledger_accountshard SET balance = 0 "
            "WHERE account_id = ANY(%s) AND balance <> 0)"
        )
        params.append(folded)
    cursor.execute(
        "WITH " + ",\n".join(parts) + " SELECT ord, id FROM ids" + ("; COMMIT" if commit else ""),
        params,
    )
    return dict(cursor.fetchall()), now
