"""Commerce reads: product cards, the pool, showcases, orders, and the seams other apps call.

Live's shelf calls ``shelf_cards`` and ``room_sales``; notes' attachment registry calls
``note_product_cards``. Each reads commerce's tables in a constant number of queries whatever
the count.
"""

from collections.abc import Iterable, Sequence
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from apps.accounts.models import User
from apps.commerce.models import (
    Click,
    Commission,
    NoteProductTag,
    Order,
    OrderLine,
    OrderStatus,
    Plan,
    PlanKind,
    Product,
    ProductStatus,
    SampleRequest,
    ShowcaseItem,
    Store,
    TrackedLink,
)
from apps.core.errors import NotFound


def _open_rate() -> Subquery:
    return Subquery(
        Plan.objects.filter(product=OuterRef("pk"), kind=PlanKind.OPEN, is_active=True).values(
            "rate_bp"
        )[:1]
    )


def product_cards() -> QuerySet[Product]:
    """Products with their store and open rate, ready for ``ProductCardSerializer``."""
    return Product.objects.select_related("store").annotate(open_rate_bp=_open_rate())


def products_on_sale(*, store_id: int | None = None, category_id: int | None = None) -> QuerySet:
    products = product_cards().filter(status=ProductStatus.ON_SALE)
    if store_id is not None:
        products = products.filter(store_id=store_id)
    if category_id is not None:
        products = products.filter(category_id=category_id)
    return products.order_by("-id")


def product_on_sale(*, product_id: int) -> Product:
    product = products_on_sale().prefetch_related("images").filter(pk=product_id).first()
    if product is None:
        raise NotFound("Product not found.", code="product.not_found")
    return product


def store_products(*, store: Store) -> QuerySet[Product]:
    """Every product of a store, drafts included (its members' view)."""
    return product_cards().filter(store=store).order_by("-id")


def store_product(*, store: Store, product_id: int) -> Product:
    product = store_products(store=store).prefetch_related("images").filter(pk=product_id).first()
    if product is None:
        raise NotFound("Product not found.", code="product.not_found")
    return product


def _targeted_rate(creator_id: int) -> Subquery:
    now = timezone.now()
    return Subquery(
        Plan.objects.filter(
            Q(starts_at__isnull=True) | Q(starts_at__lte=now),
            Q(ends_at__isnull=True) | Q(ends_at__gt=now),
            product=OuterRef("pk"),
            kind=PlanKind.TARGETED,
            creator_id=creator_id,
            is_active=True,
        ).values("rate_bp")[:1]
    )


def pool_for_creator(*, creator: User, filters: dict[str, int]) -> QuerySet[Product]:
    """Products a creator may pick, with the creator's own rate (targeted overrides open)."""
    products = (
        product_cards()
        .filter(status=ProductStatus.ON_SALE)
        .annotate(rate_bp=Coalesce(_targeted_rate(creator.pk), _open_rate(), Value(0)))
        .filter(rate_bp__gt=0)
    )
    if "category" in filters:
        products = products.filter(category_id=filters["category"])
    if "min_rate_bp" in filters:
        products = products.filter(rate_bp__gte=filters["min_rate_bp"])
    if "min_price" in filters:
        products = products.filter(price__gte=filters["min_price"])
    if "max_price" in filters:
        products = products.filter(price__lte=filters["max_price"])
    if "min_sales" in filters:
        products = products.filter(sales__gte=filters["min_sales"])
    return products.order_by("-id")


def showcase_of(*, creator: User) -> QuerySet[ShowcaseItem]:
    return (
        ShowcaseItem.objects.filter(creator=creator)
        .select_related("product__store")
        .annotate(
            open_rate_bp=Subquery(
                Plan.objects.filter(
                    product=OuterRef("product_id"), kind=PlanKind.OPEN, is_active=True
                ).values("rate_bp")[:1]
            )
        )
        .order_by("-id")
    )


def product_plans(*, product: Product) -> QuerySet[Plan]:
    return Plan.objects.filter(product=product).order_by("-id")


def store_samples(*, store: Store) -> QuerySet[SampleRequest]:
    return SampleRequest.objects.filter(product__store=store).order_by("-id")


def creator_samples(*, creator: User) -> QuerySet[SampleRequest]:
    return SampleRequest.objects.filter(creator=creator).order_by("-id")


def _with_lines(orders: QuerySet[Order]) -> QuerySet[Order]:
    return orders.prefetch_related("lines").order_by("-id")


def buyer_orders(*, buyer: User) -> QuerySet[Order]:
    return _with_lines(Order.objects.filter(buyer=buyer))


def buyer_order(*, buyer: User, order_id: int) -> Order:
    order = buyer_orders(buyer=buyer).filter(pk=order_id).first()
    if order is None:
        raise NotFound("Order not found.", code="order.not_found")
    return order


def store_orders(*, store: Store) -> QuerySet[Order]:
    return _with_lines(Order.objects.filter(store=store))


def store_order(*, store: Store, order_id: int) -> Order:
    order = store_orders(store=store).filter(pk=order_id).first()
    if order is None:
        raise NotFound("Order not found.", code="order.not_found")
    return order


def creator_commissions(*, creator: User, status: str | None = None) -> QuerySet[Commission]:
    commissions = Commission.objects.filter(creator=creator)
    if status:
        commissions = commissions.filter(status=status)
    return commissions.order_by("-id")


def commission_sums(*, creator_id: int) -> dict[str, int]:
    """Pending, settled and reversed commission of a creator (fen), one query."""
    sums = Commission.objects.filter(creator_id=creator_id).aggregate(
        pending=Coalesce(Sum("amount", filter=Q(status="pending")), 0),
        settled=Coalesce(Sum("amount", filter=Q(status="settled")), 0),
        reversed=Coalesce(Sum("amount", filter=Q(status="reversed")), 0),
    )
    return {key: int(value) for key, value in sums.items()}


def _card(product: Product, code: str | None = None) -> dict[str, Any]:
    card = {
        "id": product.pk,
        "title": product.title,
        "price": product.price,
        "cover": product.cover.url if product.cover else None,
        "sales": product.sales,
        "store": {"id": product.store_id, "name": product.store.name},
    }
    if code is not None:
        card["link_code"] = code
    return card


def note_product_cards(note_ids: Sequence[int]) -> dict[int, list[dict[str, Any]]]:
    """The products tagged in each note, as cards, for a whole page of notes (one query)."""
    cards: dict[int, list[dict[str, Any]]] = {}
    tags = (
        NoteProductTag.objects.filter(note_id__in=list(note_ids), product__status="on_sale")
        .select_related("product__store")
        .order_by("note_id", "position")
    )
    for tag in tags:
        cards.setdefault(tag.note_id, []).append(_card(tag.product))
    return cards


def shelf_cards(
    host_id: int, product_ids: Iterable[int], room_id: int | None = None
) -> dict[int, dict]:
    """Cards (id, title, price, cover, store, link code...) of the ids in the host's showcase.

    Ids that are not in the host's showcase, or not on sale, are absent from the answer. The
    ``link_code`` is the room's own link when ``room_id`` is given (live creates it with
    ``services.tracked_link(room_id=...)`` when a product goes on the shelf), so an order
    through it carries the room; otherwise the host's general link, when one exists.
    """
    ids = list(product_ids)
    if not ids:
        return {}
    products = (
        Product.objects.filter(pk__in=ids, status=ProductStatus.ON_SALE)
        .filter(Exists(ShowcaseItem.objects.filter(creator_id=host_id, product=OuterRef("pk"))))
        .select_related("store")
        .annotate(
            link_code=Subquery(
                TrackedLink.objects.filter(
                    creator_id=host_id,
                    product=OuterRef("pk"),
                    scope=f"r{room_id}" if room_id is not None else "-",
                ).values("code")[:1]
            )
        )
    )
    return {product.pk: _card(product, product.link_code) for product in products}


def room_sales(room_id: int) -> dict[str, int]:
    """A live room's commerce figures: ``product_clicks``, ``orders`` and ``gmv`` (fen).

    Orders and GMV count lines attributed to the room on orders not refunded.
    """
    clicks = Click.objects.filter(room_id=room_id).count()
    sold = (
        OrderLine.objects.filter(room_id=room_id)
        .exclude(order__status=OrderStatus.REFUNDED)
        .aggregate(orders=Count("order_id", distinct=True), gmv=Coalesce(Sum("amount"), 0))
    )
    return {"product_clicks": clicks, "orders": sold["orders"], "gmv": int(sold["gmv"])}
