"""Checkout: a buyer pays an order of one store's products from the wallet.

The hot row is the product's stock. Everything that can fail for other reasons (prices,
attribution, the wallet) runs first; the stock is taken last by one conditional statement,
``UPDATE ... SET stock = stock - n WHERE stock >= n RETURNING``, so the product's row lock is
held only from that statement to the commit and stock can never go below zero (a CHECK refuses
it too). A refused decrement (sold out) rolls the whole order back, money included.

Money (the ledger's named moves, in this transaction): ``escrow_open`` moves the price minus the
commission from the buyer's wallet into the order's escrow; ``commission_accrue`` moves each
creator's commission from the buyer's payment into their pending commission. Lock order: the
new order row (nobody else sees it), ledger accounts by pk (inside the postings), then product
rows by pk -- the same order the refund uses, so the two never wait on each other in a cycle.
"""

from collections.abc import Sequence
from datetime import datetime, timedelta

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from apps.accounts.models import User
from apps.analytics.services import server_event_enqueue
from apps.commerce.models import (
    Click,
    Commission,
    Order,
    OrderEvent,
    OrderLine,
    OrderStatus,
    Plan,
    PlanKind,
    Product,
    ProductStatus,
)
from apps.commerce.services import checkout_sql
from apps.commerce.services.money import (
    commission_of,
    order_escrow,
    order_key,
    order_reference,
)
from apps.core.errors import Conflict, InvalidInput, NotFound
from apps.core.sql import prepared_cursor
from apps.ledger.services import Owner, escrow_open_and_accrue

MAX_LINES = 20
MAX_QUANTITY = 99


def _items(items: Sequence[tuple[int, int]]) -> dict[int, int]:
    wanted: dict[int, int] = {}
    for product_id, quantity in items:
        if type(quantity) is not int or not 1 <= quantity <= MAX_QUANTITY:
            raise InvalidInput(
                "Quantities are 1 to 99.",
                code="order.invalid",
                fields={"items": [f"quantity 1..{MAX_QUANTITY}"]},
            )
        # The same product twice is one line; its quantity may exceed one line's 99.
        wanted[product_id] = wanted.get(product_id, 0) + quantity
    if not 1 <= len(wanted) <= MAX_LINES:
        raise InvalidInput(
            f"An order has 1 to {MAX_LINES} products.",
            code="order.invalid",
            fields={"items": [f"1..{MAX_LINES} products"]},
        )
    return wanted


def last_clicks(*, buyer_id: int, product_ids: Sequence[int], now: datetime) -> dict[int, dict]:
    """The buyer's last counted click per product within the attribution window (one query)."""
    since = now - timedelta(days=settings.COMMERCE_ATTRIBUTION_DAYS)
    rows = (
        Click.objects.filter(
            buyer_id=buyer_id,
            product_id__in=product_ids,
            created_at__gte=since,
            created_at__lte=now,
        )
        .order_by("product_id", "-created_at", "-id")
        .values("product_id", "creator_id", "note_id", "room_id")
    )
    found: dict[int, dict] = {}
    for row in rows:
        found.setdefault(row["product_id"], row)
    return found


def commission_rates(
    *, pairs: Sequence[tuple[int, int]], now: datetime
) -> dict[tuple[int, int], int]:
    """(product, creator) -> rate in basis points: a running targeted plan, else the open one."""
    if not pairs:
        return {}
    products = {product for product, _ in pairs}
    creators = {creator for _, creator in pairs}
    running = Q(starts_at__isnull=True) | Q(starts_at__lte=now)
    running &= Q(ends_at__isnull=True) | Q(ends_at__gt=now)
    plans = Plan.objects.filter(product_id__in=products, is_active=True).filter(
        Q(kind=PlanKind.OPEN) | (Q(kind=PlanKind.TARGETED, creator_id__in=creators) & running)
    )
    open_rate: dict[int, int] = {}
    targeted: dict[tuple[int, int], int] = {}
    for kind, product_id, creator_id, rate in plans.values_list(
        "kind", "product_id", "creator_id", "rate_bp"
    ):
        if kind == PlanKind.OPEN:
            open_rate[product_id] = rate
        else:
            targeted[(product_id, creator_id)] = rate
    return {
        (product, creator): targeted.get((product, creator), open_rate.get(product, 0))
        for product, creator in pairs
    }


def _take_stock(wanted: dict[int, int]) -> None:
    """Decrement every line's stock in product-pk order; 409 ``product.sold_out`` if short."""
    with prepared_cursor() as cursor:
        for product_id in sorted(wanted):
            cursor.execute(
                "UPDATE commerce_product SET stock = stock - %s, sales = sales + %s "
                "WHERE id = %s AND stock >= %s AND status = %s RETURNING stock",
                [wanted[product_id], wanted[product_id], product_id, wanted[product_id], "on_sale"],
            )
            if cursor.fetchone() is None:
                raise Conflict(
                    "Not enough stock left for this order.",
                    code="product.sold_out",
                    fields={"items": [f"product {product_id}"]},
                )


def _read_orm(
    *, buyer_id: int, store_id: int, wanted: dict[int, int], now: datetime
) -> tuple[dict[int, dict], dict[int, dict], dict[tuple[int, int], int]]:
    """The portable reads (SQLite, embedded mode); ``checkout_sql.read`` on PostgreSQL."""
    products = {
        p["pk"]: p
        for p in Product.objects.filter(pk__in=list(wanted), store_id=store_id).values(
            "pk", "price", "stock", "status"
        )
    }
    clicks = last_clicks(buyer_id=buyer_id, product_ids=list(wanted), now=now)
    rates = commission_rates(
        pairs=[(pid, click["creator_id"]) for pid, click in clicks.items()], now=now
    )
    return products, clicks, rates


def _write_orm(
    *, order: Order, lines: list[OrderLine], per_creator: dict[int, int], actor: User
) -> None:
    """The portable writes (SQLite, embedded mode); ``checkout_sql.write`` on PostgreSQL."""
    order.save(force_insert=True)
    for line in lines:
        line.order = order
    OrderLine.objects.bulk_create(lines)
    OrderEvent.objects.create(
        order=order,
        action="pay",
        to_status=OrderStatus.PAID,
        actor=actor,
        created_at=order.created_at,
    )
    Commission.objects.bulk_create(
        Commission(order=order, creator_id=creator_id, amount=amount, created_at=order.created_at)
        for creator_id, amount in per_creator.items()
    )


def order_checkout(
    *, buyer: User, store_id: int, items: Sequence[tuple[int, int]], now: datetime | None = None
) -> Order:
    """Pay an order from the buyer's wallet; attributed per line to the buyer's last click."""
    now = now or timezone.now()
    wanted = _items(items)
    if connection.vendor == "postgresql":
        since = now - timedelta(days=settings.COMMERCE_ATTRIBUTION_DAYS)
        products, clicks, rates = checkout_sql.read(
            buyer_id=buyer.pk, store_id=store_id, product_ids=sorted(wanted), now=now, since=since
        )
    else:
        products, clicks, rates = _read_orm(
            buyer_id=buyer.pk, store_id=store_id, wanted=wanted, now=now
        )
    for product_id, quantity in wanted.items():
        product = products.get(product_id)
        if product is None or product["status"] != ProductStatus.ON_SALE:
            raise NotFound(
                "Product not on sale in this store.",
                code="product.not_found",
                fields={"items": [f"product {product_id}"]},
            )
        if product["stock"] < quantity:  # fail fast; the UPDATE below decides for real
            raise Conflict(
                "Not enough stock left for this order.",
                code="product.sold_out",
                fields={"items": [f"product {product_id}"]},
            )
    lines: list[OrderLine] = []
    per_creator: dict[int, int] = {}
    for product_id in sorted(wanted):
        quantity, price = wanted[product_id], products[product_id]["price"]
        click = clicks.get(product_id)
        creator_id = click["creator_id"] if click else None
        rate = rates.get((product_id, creator_id), 0) if click and creator_id != buyer.pk else 0
        amount = quantity * price
        commission = commission_of(amount, rate)
        if commission:
            per_creator[creator_id] = per_creator.get(creator_id, 0) + commission
        lines.append(
            OrderLine(
                product_id=product_id,
                quantity=quantity,
                unit_price=price,
                amount=amount,
                creator_id=creator_id,
                note_id=click["note_id"] if click else None,
                room_id=click["room_id"] if click else None,
                commission_rate_bp=rate,
                commission=commission,
            )
        )
    total = sum(line.amount for line in lines)
    commission_total = sum(per_creator.values())
    first = next((line for line in lines if line.creator_id), None)
    with transaction.atomic(durable=not connection.in_atomic_block):
        order = Order(
            buyer=buyer,
            store_id=store_id,
            status=OrderStatus.PAID,
            total=total,
            commission_total=commission_total,
            creator_id=first.creator_id if first else None,
            source_note_id=first.note_id if first else None,
            source_room_id=first.room_id if first else None,
            created_at=now,
        )
        if connection.vendor == "postgresql":
            checkout_sql.write(order=order, lines=lines, per_creator=per_creator, actor_id=buyer.pk)
        else:
            _write_orm(order=order, lines=lines, per_creator=per_creator, actor=buyer)
        escrow_open_and_accrue(
            owner=order_escrow(order.pk),
            payer=Owner.user(buyer.pk),
            amount=total - commission_total,
            key=order_key(order.pk),
            order=order_reference(order.pk),
            commissions=[(Owner.user(creator), amount) for creator, amount in per_creator.items()],
        )
        for line in lines:
            server_event_enqueue(
                kind="order",
                actor_id=buyer.pk,
                note_id=line.note_id,
                target_user_id=line.creator_id,
                source="live" if line.room_id else ("note" if line.note_id else "other"),
                source_id=line.room_id,
                properties={
                    "product_id": line.product_id,
                    "order_id": order.pk,
                    "quantity": line.quantity,
                    "amount": line.amount,
                    "commission": line.commission,
                },
            )
        _take_stock(wanted)  # last: the hot row's lock is held only until the commit
    order.lines_cached = lines
    return order
