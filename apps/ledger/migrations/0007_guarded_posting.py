"""``ledger_post_guarded``: a posting refused, writing nothing, when its guard says so.

A creator's income owes an agency's share only if a contract runs; most income owes none. The
product that knows the contracts gives the ledger a guard, a SQL function ``(user_id bigint,
at timestamptz) -> boolean`` created by its own migration (``income_splits.register``), and
the ledger posts the income as ``SELECT * FROM ledger_post_guarded(<guards> , ...)``: the
guards are evaluated as the call's first argument, in the same statement, and when one is true
the status is ``guarded`` and nothing is written (the caller then posts income and share in one
transaction). Otherwise this is ``ledger_post`` (migration 0005): one round trip.
"""

from django.db import migrations

from apps.core.migration_sql import postgresql_sql

FORWARD = """
CREATE OR REPLACE FUNCTION ledger_post_guarded(
    p_guarded boolean,
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
BEGIN
    IF p_guarded THEN
        status := 'guarded';
        RETURN;
    END IF;
    SELECT p.status, p.tx_id, p.tx_kind, p.tx_description, p.tx_key, p.tx_reverses,
           p.tx_created, p.short_kind, p.short_balance, p.short_needed
      INTO status, tx_id, tx_kind, tx_description, tx_key, tx_reverses,
           tx_created, short_kind, short_balance, short_needed
      FROM ledger_post(p_kind, p_description, p_key, p_reverses, p_accounts, p_amounts,
                       p_shards) AS p;
END;
$$;
"""

BACKWARD = """
DROP FUNCTION IF EXISTS ledger_post_guarded(
    boolean, text, text, text, bigint, bigint[], bigint[], integer[]
);
"""


class Migration(migrations.Migration):
    dependencies = [("ledger", "0006_programs_platform_credit")]

    operations = [postgresql_sql(FORWARD, BACKWARD)]
