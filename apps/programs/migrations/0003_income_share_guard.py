"""``programs_income_share_owed``: the database's answer to "may this creator's income owe an
agency a share at this moment?", the guard the ledger evaluates in the income's own posting
statement (``ledger_post_guarded``, ledger migration 0007).

It is ``selectors.contract_shares``'s condition, in SQL (tests/programs/test_income_split.py
checks the two agree at every boundary): a true answer sends the income down the path that asks
the Python resolver and posts the share in the same transaction.
"""

from django.db import migrations

from apps.core.migration_sql import postgresql_sql

FORWARD = """
CREATE OR REPLACE FUNCTION programs_income_share_owed(p_user bigint, p_at timestamptz)
RETURNS boolean LANGUAGE sql STABLE AS $$
    SELECT EXISTS (
        SELECT 1 FROM programs_agencycontract
         WHERE creator_id = p_user AND active_from <= p_at AND active_until > p_at
           AND revenue_share > 0 AND (ended_at IS NULL OR ended_at > p_at)
    )
$$;
"""

BACKWARD = "DROP FUNCTION IF EXISTS programs_income_share_owed(bigint, timestamptz);"


class Migration(migrations.Migration):
    dependencies = [("programs", "0002_academy"), ("ledger", "0007_guarded_posting")]

    operations = [postgresql_sql(FORWARD, BACKWARD)]
