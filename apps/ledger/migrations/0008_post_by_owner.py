"""``ledger_post_owned``: a posting whose legs name owners, not accounts, in one statement.

A live gift touches three accounts that nearly always exist (the sender's wallet, the host's,
the platform's revenue); looking them up first cost every gift a round trip of its own. This
function finds them by owner, in the same statement as the guard (``ledger_post_guarded``,
migration 0007) and the posting (``ledger_post``, migration 0005), with each account's shard
count read from its row. Status ``missing`` (nothing written) when an account does not exist
yet: the caller then takes the path that creates it.
"""

from django.db import migrations

from apps.core.migration_sql import postgresql_sql

FORWARD = """
CREATE OR REPLACE FUNCTION ledger_post_owned(
    p_guarded boolean,
    p_kind text,
    p_description text,
    p_key text,
    p_owner_types text[],
    p_owner_ids bigint[],
    p_kinds text[],
    p_amounts bigint[],
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
-- Legs: one per distinct (owner, kind), non-zero amounts summing to 0 (checked by the caller).
DECLARE
    ids bigint[];
    amounts bigint[];
    shard_counts integer[];
    found integer;
BEGIN
    IF p_guarded THEN
        status := 'guarded';
        RETURN;
    END IF;
    SELECT array_agg(a.id ORDER BY a.id), array_agg(w.amount ORDER BY a.id),
           array_agg(a.shards ORDER BY a.id), count(*)
      INTO ids, amounts, shard_counts, found
      FROM unnest(p_owner_types, p_owner_ids, p_kinds, p_amounts)
           AS w (owner_type, owner_id, kind, amount)
      JOIN ledger_account a
        ON a.owner_type = w.owner_type AND a.owner_id = w.owner_id AND a.kind = w.kind;
    IF found <> cardinality(p_owner_types) THEN
        status := 'missing';
        RETURN;
    END IF;
    SELECT p.status, p.tx_id, p.tx_kind, p.tx_description, p.tx_key, p.tx_reverses,
           p.tx_created, p.short_kind, p.short_balance, p.short_needed
      INTO status, tx_id, tx_kind, tx_description, tx_key, tx_reverses,
           tx_created, short_kind, short_balance, short_needed
      FROM ledger_post(p_kind, p_description, p_key, NULL, ids, amounts, shard_counts) AS p;
END;
$$;
"""

BACKWARD = """
DROP FUNCTION IF EXISTS ledger_post_owned(
    boolean, text, text, text, text[], bigint[], text[], bigint[]
);
"""


class Migration(migrations.Migration):
    dependencies = [("ledger", "0007_guarded_posting")]

    operations = [postgresql_sql(FORWARD, BACKWARD)]
