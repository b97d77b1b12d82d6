"""``ledger_post``: one posting in one statement, its plans cached by the server.

A single posting (``transaction_post``) on PostgreSQL is one ``SELECT * FROM ledger_post(...)``:
in autocommit that statement is its own transaction, so the key's advisory lock, the row locks,
the funds check, the writes and the commit cost one round trip, and PL/pgSQL keeps each inner
statement's plan for the connection instead of planning a large data-modifying statement per
posting. The rules are ``posting_sql``'s (and the batch path's): key lock, account rows in id
order (``NO KEY UPDATE``), then shards in (account, shard) order (a posting that folds a hot
account locks, in that order, the shards of every hot account it touches).

A refusal is a status, not an exception: the caller's transaction (if any) stays usable and
nothing has been written; Python raises ``InsufficientFunds`` from the returned figures.
Elsewhere (SQLite) there is no function and the ORM path does the same work.
"""

from django.db import migrations

from apps.core.migration_sql import postgresql_sql

FORWARD = """
CREATE OR REPLACE FUNCTION ledger_post(
    p_kind text,
    p_description text,
    p_key text,
    p_reverses bigint,
    p_accounts bigint[],
    p_amounts bigint[],
    p_shards integer[],
    OUT status text,
    OUT tx_id bigint,
    OUT tx_kind text,
    OUT tx_description text,
    OUT tx_key text,
    OUT tx_reverses bigint,
    OUT tx_created timestamptz,
    OUT short_kind text,
    OUT short_balance bigint,
    OUT short_needed bigint
) LANGUAGE plpgsql AS $$
-- p_accounts: distinct, ascending; p_amounts: non-zero, summing to 0 (checked by the caller and
-- at commit by the balance trigger); p_shards: each account's shard count (0: ordinary).
-- status: posted | existing (the key was posted before: its transaction) | refused (an
-- account would go below zero: short_*; nothing written) | not_found (an account is missing).
DECLARE
    n integer := cardinality(p_accounts);
    lock_ids bigint[] := '{}';
    fold_ids bigint[] := '{}';
    credit_ids bigint[] := '{}';
    shard_ids bigint[];
    shard_totals bigint[];
    row_ids bigint[] := '{}';
    row_balances bigint[] := '{}';
    afters bigint[] := array_fill(NULL::bigint, ARRAY[n]);
    ids bigint[];
    balances bigint[];
    allows boolean[];
    kinds text[];
    i integer;
    j integer;
    shard integer;
    bal bigint;
    now_ts timestamptz := clock_timestamp();
BEGIN
    IF p_key IS NOT NULL THEN
        -- Same lock as the batch path: two postings of one key queue here, and the second
        -- (a new snapshot per statement) then sees the first's transaction.
        PERFORM pg_advisory_xact_lock(hashtextextended(p_key, 11));
        SELECT t.id, t.kind, t.description, t.key, t.reverses_id, t.created_at
          INTO tx_id, tx_kind, tx_description, tx_key, tx_reverses, tx_created
          FROM ledger_transaction t WHERE t.key = p_key;
        IF FOUND THEN
            status := 'existing';
            RETURN;
        END IF;
    END IF;

    -- Rows to lock: ordinary accounts, and hot accounts being debited (folded).
    FOR i IN 1..n LOOP
        IF p_shards[i] = 0 OR p_amounts[i] < 0 THEN
            lock_ids := lock_ids || p_accounts[i];
            IF p_shards[i] > 0 THEN
                fold_ids := fold_ids || p_accounts[i];
            END IF;
        ELSE
            credit_ids := credit_ids || p_accounts[i];
        END IF;
    END LOOP;
    SELECT array_agg(l.id), array_agg(l.balance), array_agg(l.allow_negative), array_agg(l.kind)
      INTO ids, balances, allows, kinds
      FROM (SELECT a.id, a.balance, a.allow_negative, a.kind FROM ledger_account a
             WHERE a.id = ANY(lock_ids) ORDER BY a.id FOR NO KEY UPDATE) AS l;
    IF coalesce(cardinality(ids), 0) <> cardinality(lock_ids) THEN
        status := 'not_found';
        RETURN;
    END IF;

    -- Every row is locked before any shard: rows (id order), then shards in (account, shard)
    -- order. A debited hot account locks all its shards (folded into the checked balance); the
    -- shards of the hot accounts this posting credits are locked in the same statement, so a
    -- fold of one hot account and a credit to another never take shards out of that order
    -- (two hot hosts gifting each other would otherwise deadlock). Credits alone lock only
    -- their chosen shard, below.
    IF cardinality(fold_ids) > 0 THEN
        SELECT array_agg(t.account_id), array_agg(t.total) INTO shard_ids, shard_totals
          FROM (SELECT s.account_id, sum(s.balance)::bigint AS total
                  FROM (SELECT account_id, balance FROM ledger_accountshard
                         WHERE account_id = ANY(fold_ids || credit_ids)
                         ORDER BY account_id, shard_no FOR NO KEY UPDATE) AS s
                 GROUP BY s.account_id) AS t;
    END IF;
    FOR j IN 1..cardinality(ids) LOOP
        i := array_position(p_accounts, ids[j]);
        bal := balances[j];
        IF p_shards[i] > 0 THEN
            bal := bal + coalesce(shard_totals[array_position(shard_ids, ids[j])], 0);
        END IF;
        IF NOT allows[j] AND bal + p_amounts[i] < 0 THEN
            status := 'refused';
            short_kind := kinds[j];
            short_balance := bal;
            short_needed := -p_amounts[i];
            RETURN;
        END IF;
        row_ids := row_ids || ids[j];
        row_balances := row_balances || (bal + p_amounts[i]);
        afters[i] := bal + p_amounts[i];
    END LOOP;

    -- Credits to hot accounts: one random shard each, locked by its UPDATE.
    FOR i IN 1..n LOOP
        IF afters[i] IS NULL THEN
            shard := floor(random() * p_shards[i])::integer;
            UPDATE ledger_accountshard SET balance = balance + p_amounts[i]
             WHERE account_id = p_accounts[i] AND shard_no = shard
            RETURNING balance INTO bal;
            IF NOT FOUND THEN
                RAISE EXCEPTION 'ledger account % has no shard %', p_accounts[i], shard;
            END IF;
            afters[i] := bal;
        END IF;
    END LOOP;

    INSERT INTO ledger_transaction (kind, description, key, reverses_id, created_at)
    VALUES (p_kind, p_description, p_key, p_reverses, now_ts)
    RETURNING id INTO tx_id;
    INSERT INTO ledger_entry (transaction_id, account_id, amount, balance_after, created_at)
    SELECT tx_id, u.a, u.m, u.b, now_ts FROM unnest(p_accounts, p_amounts, afters) AS u (a, m, b);
    UPDATE ledger_account a SET balance = u.b, updated_at = now_ts
      FROM unnest(row_ids, row_balances) AS u (id, b) WHERE a.id = u.id;
    IF cardinality(fold_ids) > 0 THEN
        UPDATE ledger_accountshard SET balance = 0
         WHERE account_id = ANY(fold_ids) AND balance <> 0;
    END IF;

    status := 'posted';
    tx_kind := p_kind;
    tx_description := p_description;
    tx_key := p_key;
    tx_reverses := p_reverses;
    tx_created := now_ts;
END;
$$;
"""

BACKWARD = """
DROP FUNCTION IF EXISTS ledger_post(text, text, text, bigint, bigint[], bigint[], integer[]);
"""


class Migration(migrations.Migration):
    dependencies = [("ledger", "0004_named_moves_and_hot_account_shards")]

    operations = [postgresql_sql(FORWARD, BACKWARD)]
