"""Commerce figures read from ``commerce_daily``: per product, per creator, per note.

The store dashboard, the creator's commission dashboard and the per-note return read here, so
a click, an order or a GMV means the same on every screen. Each function makes one query.
Net figures subtract refunds (counted on the day they happen).
"""

from collections.abc import Iterable, Mapping
from datetime import timedelta
from typing import Any

from django.db.models import F, QuerySet, Sum
from django.utils import timezone

from apps.analytics.commerce_models import CommerceDaily
from apps.analytics.days import local_today
from apps.analytics.metrics import ratio

FIGURES = ("clicks", "add_to_cart", "orders", "gmv", "commission", "refunds", "refunded_gmv")


def _since(days: int) -> Any:
    return local_today(timezone.now()) - timedelta(days=days)


def _sums(rows: QuerySet[CommerceDaily]) -> QuerySet:
    return (
        rows.annotate()
        .values()
        .annotate(
            clicks_sum=Sum("clicks"),
            add_to_cart_sum=Sum("add_to_cart"),
            orders_sum=Sum(F("orders") - F("refunds")),
            gmv_sum=Sum(F("gmv") - F("refunded_gmv")),
            commission_sum=Sum(F("commission") - F("refunded_commission")),
        )
    )


def _figures(row: Mapping[str, Any] | None) -> dict[str, Any]:
    row = row or {}
    clicks = int(row.get("clicks_sum") or 0)
    orders = int(row.get("orders_sum") or 0)
    return {
        "clicks": clicks,
        "add_to_cart": int(row.get("add_to_cart_sum") or 0),
        "orders": orders,
        "gmv": int(row.get("gmv_sum") or 0),
        "commission": int(row.get("commission_sum") or 0),
        "conversion_rate": ratio(orders, clicks),
    }


def _grouped(rows: QuerySet[CommerceDaily], key: str) -> dict[int, dict[str, Any]]:
    grouped = _sums(rows.order_by().values(key))
    return {row[key]: _figures(row) for row in grouped}


def _total(per_key: Mapping[int, Mapping[str, Any]]) -> dict[str, Any]:
    sums = {f"{name}_sum": 0 for name in ("clicks", "add_to_cart", "orders", "gmv", "commission")}
    for figures in per_key.values():
        for name in ("clicks", "add_to_cart", "orders", "gmv", "commission"):
            sums[f"{name}_sum"] += figures[name]
    return _figures(sums)


def store_dashboard(*, product_titles: Mapping[int, str], days: int) -> dict[str, Any]:
    """Totals and per-product figures of a store's products over the last ``days`` days."""
    rows = CommerceDaily.objects.filter(product_id__in=list(product_titles), day__gte=_since(days))
    per_product = _grouped(rows, "product_id")
    products = [
        {"product_id": pk, "title": product_titles[pk], **figures}
        for pk, figures in sorted(per_product.items(), key=lambda item: -item[1]["gmv"])
    ]
    return {"totals": _total(per_product), "products": products}


def creator_dashboard(*, creator_id: int, days: int) -> dict[str, Any]:
    """A creator's attributed clicks, orders, GMV and commission over the last ``days`` days."""
    rows = CommerceDaily.objects.filter(creator_id=creator_id, day__gte=_since(days))
    per_creator = _grouped(rows, "creator_id")
    totals = per_creator.get(creator_id, _figures(None))
    return {"totals": totals, "commission": totals["commission"]}


def note_commerce(*, note_ids: Iterable[int], creator_id: int) -> dict[int, dict[str, Any]]:
    """All-time net commerce figures of each note, credited to its creator (one query)."""
    rows = CommerceDaily.objects.filter(note_id__in=list(note_ids), creator_id=creator_id)
    return _grouped(rows, "note_id")


def product_conversion(*, product_ids: Iterable[int], days: int) -> dict[int, float]:
    """Orders per click of each product over the last ``days`` days (recommendations)."""
    rows = CommerceDaily.objects.filter(product_id__in=list(product_ids), day__gte=_since(days))
    return {
        pk: figures["conversion_rate"] or 0.0
        for pk, figures in _grouped(rows, "product_id").items()
    }
