"""Checkout's statements on PostgreSQL, no ORM compile: one to read, one to write the order.

Called only by ``checkout.order_checkout``; the rules (attribution, rates, lock order) are its.
Elsewhere (SQLite, embedded mode) checkout uses the ORM for the same reads and writes. Both
statements are prepared once per connection (``core.sql.prepared_cursor``): their plans were
most of their server time.

``read``: the products with, per product, the buyer's last counted click in the attribution
window and the rate of the plan that applies to that click's creator (a running targeted plan,
else the product's open plan, else 0) -- what ``last_clicks`` and ``commission_rates`` answer.

``write``: the order, its lines, its ``pay`` event and its commissions, by data-modifying CTEs
around the new order's id. The order row is new, so this locks nothing anyone else waits for.
"""

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from django.db import connection

from apps.commerce.models import Order, OrderLine, OrderStatus, PlanKind
from apps.core.sql import prepared_cursor

_READ = (
    "SELECT p.id, p.price, p.stock, p.status, c.creator_id, c.note_id, c.room_id, "
    "CASE WHEN c.creator_id IS NULL THEN 0 ELSE COALESCE("
    "(SELECT t.rate_bp FROM commerce_plan t WHERE t.product_id = p.id AND t.kind = %s "
    "AND t.is_active AND t.creator_id = c.creator_id "
    "AND (t.starts_at IS NULL OR t.starts_at <= %s) AND (t.ends_at IS NULL OR t.ends_at > %s) "
    "LIMIT 1), "
    "(SELECT o.rate_bp FROM commerce_plan o WHERE o.product_id = p.id AND o.kind = %s "
    "AND o.is_active LIMIT 1), 0) END "
    "FROM commerce_product p LEFT JOIN LATERAL ("
    "SELECT k.creator_id, k.note_id, k.room_id FROM commerce_click k "
    "WHERE k.buyer_id = %s AND k.product_id = p.id AND k.created_at >= %s "
    "AND k.created_at <= %s ORDER BY k.created_at DESC, k.id DESC LIMIT 1) c ON true "
    "WHERE p.id = ANY(%s::bigint[]) AND p.store_id = %s"
)

_WRITE_ORDER = (
    "WITH o AS (INSERT INTO commerce_order (buyer_id, store_id, status, total, commission_total, "
    "creator_id, source_note_id, source_room_id, created_at, delivered_at, return_deadline, "
    "closed_at) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, NULL, NULL, NULL) RETURNING id), "
    "l AS (INSERT INTO commerce_orderline (order_id, product_id, quantity, unit_price, amount, "
    "creator_id, note_id, room_id, commission_rate_bp, commission) "
    "SELECT o.id, v.* FROM o, unnest(%s::bigint[], %s::int[], %s::int[], %s::int[], "
    "%s::bigint[], %s::bigint[], %s::bigint[], %s::int[], %s::int[]) AS v (product_id, "
    "quantity, unit_price, amount, creator_id, note_id, room_id, commission_rate_bp, commission) "
    "ORDER BY v.product_id RETURNING id, product_id), "
    "e AS (INSERT INTO commerce_orderevent (order_id, action, from_status, to_status, actor_id, "
    "created_at) SELECT o.id, 'pay', '', %s, %s, %s FROM o)"
)
_WRITE_COMMISSIONS = (
    ", c AS (INSERT INTO commerce_commission (order_id, creator_id, amount, status, created_at, "
    "closed_at) SELECT o.id, v.creator_id, v.amount, 'pending', %s, NULL "
    "FROM o, unnest(%s::bigint[], %s::int[]) AS v (creator_id, amount))"
)
_WRITE_END = " SELECT o.id, (SELECT array_agg(l.id ORDER BY l.product_id) FROM l) FROM o"


def _array(values: Sequence[int | None]) -> str:
    """An int array as its text literal (the values are ints or None, checked by checkout)."""
    return "{" + ",".join("NULL" if v is None else str(int(v)) for v in values) + "}"


def read(
    *, buyer_id: int, store_id: int, product_ids: Sequence[int], now: datetime, since: datetime
) -> tuple[dict[int, dict], dict[int, dict], dict[tuple[int, int], int]]:
    """Products (pk -> price, stock, status), last clicks and rates, as checkout's ORM reads."""
    with prepared_cursor() as cursor:
        cursor.execute(
            _READ,
            [
                PlanKind.TARGETED,
                now,
                now,
                PlanKind.OPEN,
                buyer_id,
                since,
                now,
                _array(product_ids),
                store_id,
            ],
        )
        rows = cursor.fetchall()
    products: dict[int, dict] = {}
    clicks: dict[int, dict] = {}
    rates: dict[tuple[int, int], int] = {}
    for pk, price, stock, status, creator_id, note_id, room_id, rate in rows:
        products[pk] = {"pk": pk, "price": price, "stock": stock, "status": status}
        if creator_id is not None:
            clicks[pk] = {
                "product_id": pk,
                "creator_id": creator_id,
                "note_id": note_id,
                "room_id": room_id,
            }
            rates[(pk, creator_id)] = rate
    return products, clicks, rates


def write(
    *,
    order: Order,
    lines: Sequence[OrderLine],
    per_creator: dict[int, int],
    actor_id: int,
) -> Order:
    """Insert ``order`` (unsaved), its lines, its ``pay`` event and commissions: one statement.

    The instances get their primary keys, as ``create`` and ``bulk_create`` would give them.
    """
    lines = sorted(lines, key=lambda line: line.product_id)
    columns = (
        "product_id",
        "quantity",
        "unit_price",
        "amount",
        "creator_id",
        "note_id",
        "room_id",
        "commission_rate_bp",
        "commission",
    )
    params: list[Any] = [
        order.buyer_id,
        order.store_id,
        order.status,
        order.total,
        order.commission_total,
        order.creator_id,
        order.source_note_id,
        order.source_room_id,
        order.created_at,
    ]
    params += [_array([getattr(line, column) for line in lines]) for column in columns]
    params += [OrderStatus.PAID, actor_id, order.created_at]
    sql = _WRITE_ORDER
    if per_creator:
        creators = sorted(per_creator)
        sql += _WRITE_COMMISSIONS
        params += [
            order.created_at,
            _array(creators),
            _array([per_creator[creator] for creator in creators]),
        ]
    with prepared_cursor() as cursor:
        cursor.execute(sql + _WRITE_END, params)
        order_id, line_ids = cursor.fetchone()
    order.pk = order_id
    order._state.adding = False
    order._state.db = connection.alias
    for line, line_id in zip(lines, line_ids, strict=True):
        line.pk = line_id
        line.order = order
        line._state.adding = False
        line._state.db = connection.alias
    return order
