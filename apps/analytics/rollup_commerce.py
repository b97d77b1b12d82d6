"""The commerce rollup step: a day's product events into ``commerce_daily``.

Product events carry the product in ``properties.product_id`` and their figures in
``properties.amount`` / ``commission`` / ``quantity``; the creator is the row's ``author_id``
(the note's author, else the creator the click or order is attributed to). Rebuilt like every
other table: the day's rows deleted, then one ``INSERT ... SELECT ... GROUP BY``.
"""

from apps.analytics.commerce_models import CommerceDaily
from apps.analytics.rollup_sql import DAY, RollupDay, replace_day

TABLE = CommerceDaily._meta.db_table
CLICK_KINDS = "('product_click', 'link_click')"
PRODUCT_KINDS = "('product_click', 'link_click', 'add_to_cart', 'order', 'refund')"


def _property(ctx: RollupDay, key: str) -> str:
    if ctx.postgres:
        return f"COALESCE((e.properties->>'{key}')::bigint, 0)"
    return f"COALESCE(CAST(json_extract(e.properties, '$.{key}') AS INTEGER), 0)"


def commerce_daily(ctx: RollupDay) -> int:
    """One row per (product, creator, note) with product events on the day."""
    amount, commission = _property(ctx, "amount"), _property(ctx, "commission")
    quantity, product = _property(ctx, "quantity"), _property(ctx, "product_id")
    insert = f"""
        INSERT INTO {TABLE} (day, product_id, creator_id, note_id, clicks, add_to_cart, orders,
                             units, gmv, commission, refunds, refunded_gmv, refunded_commission)
        SELECT %(day)s, {product}, COALESCE(e.author_id, 0), COALESCE(e.note_id, 0),
               SUM(CASE WHEN e.kind IN {CLICK_KINDS} THEN 1 ELSE 0 END),
               SUM(CASE WHEN e.kind = 'add_to_cart' THEN 1 ELSE 0 END),
               SUM(CASE WHEN e.kind = 'order' THEN 1 ELSE 0 END),
               SUM(CASE WHEN e.kind = 'order' THEN {quantity} ELSE 0 END),
               SUM(CASE WHEN e.kind = 'order' THEN {amount} ELSE 0 END),
               SUM(CASE WHEN e.kind = 'order' THEN {commission} ELSE 0 END),
               SUM(CASE WHEN e.kind = 'refund' THEN 1 ELSE 0 END),
               SUM(CASE WHEN e.kind = 'refund' THEN {amount} ELSE 0 END),
               SUM(CASE WHEN e.kind = 'refund' THEN {commission} ELSE 0 END)
        FROM analytics_event e
        WHERE {DAY} AND e.kind IN {PRODUCT_KINDS}
        GROUP BY {product}, COALESCE(e.author_id, 0), COALESCE(e.note_id, 0)
        HAVING {product} > 0
    """
    return replace_day(ctx, "commerce_daily", insert)
