"""Product recommendations from real behaviour, computed nightly by a Celery job.

Bought together (for a viewer on a product page): item-to-item similarity of purchases. With
the ``implicit`` library installed, its cosine item k-nearest-neighbours model over the
buyer x product matrix of paid (not refunded) orders (its BM25 weighting gives a product bought
by most buyers no weight at all, which a small shop hits at once; on the bench history both
score alike); without it, cosine co-occurrence computed here from the same matrix.

Products for a creator to pick: pool products whose category fits the interests of the
creator's fans (the analytics fan snapshot), weighted by the product's conversion rate
(analytics metrics) and by what buyers of the creator's showcase products also bought.

Evaluation (``evaluate``): leave each buyer's last purchase out, train on the rest, and ask for
10 products for each buyer from their earlier purchases; hit rate@10 and NDCG@10 against the
most-bought products (popularity), both excluding what the buyer already bought.
"""

import math
import warnings
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from apps.analytics import metrics, metrics_commerce
from apps.commerce.models import (
    OrderLine,
    OrderStatus,
    Plan,
    PlanKind,
    Product,
    ProductStatus,
    Recommendation,
    RecommendationKind,
    ShowcaseItem,
)
from apps.commerce.selectors import product_cards

try:  # the library is optional: the co-occurrence fallback gives the same kind of model
    import numpy
    from implicit.nearest_neighbours import CosineRecommender
    from scipy.sparse import csr_matrix
except ImportError:  # pragma: no cover - exercised where implicit is not installed
    CosineRecommender = None

TOP = 10
NEIGHBOURS = 50


@dataclass
class ItemModel:
    """Item-to-item similarities: ``similar[item] = [(other, score), ...]`` best first."""

    similar: dict[int, list[tuple[int, float]]]
    engine: str

    def recommend(self, history: Iterable[int], n: int = TOP) -> list[tuple[int, float]]:
        """Items to suggest after ``history`` (summed similarities), excluding the history."""
        seen = set(history)
        scores: dict[int, float] = defaultdict(float)
        for item in seen:
            for other, score in self.similar.get(item, ()):
                if other not in seen:
                    scores[other] += score
        return sorted(scores.items(), key=lambda pair: (-pair[1], pair[0]))[:n]


def _cooccurrence(baskets: Sequence[Sequence[int]]) -> ItemModel:
    together: dict[int, Counter] = defaultdict(Counter)
    count: Counter = Counter()
    for basket in baskets:
        items = set(basket)
        count.update(items)
        for item in items:
            for other in items:
                if other != item:
                    together[item][other] += 1
    similar = {
        item: sorted(
            ((o, n / math.sqrt(count[item] * count[o])) for o, n in others.items()),
            key=lambda pair: (-pair[1], pair[0]),
        )[:NEIGHBOURS]
        for item, others in together.items()
    }
    return ItemModel(similar, "co-occurrence (cosine)")


def _implicit(baskets: Sequence[Sequence[int]]) -> ItemModel:
    items = sorted({item for basket in baskets for item in basket})
    index = {item: i for i, item in enumerate(items)}
    rows, cols = [], []
    for row, basket in enumerate(baskets):
        for item in set(basket):
            rows.append(row)
            cols.append(index[item])
    matrix = csr_matrix(
        (numpy.ones(len(rows), dtype=numpy.float32), (rows, cols)),
        shape=(len(baskets), len(items)),
    )
    model = CosineRecommender(K=NEIGHBOURS)
    with warnings.catch_warnings():  # it warns about the matrix format it converts itself
        warnings.simplefilter("ignore")
        model.fit(matrix, show_progress=False)
    similar: dict[int, list[tuple[int, float]]] = {}
    ids, scores = model.similar_items(numpy.arange(len(items)), N=NEIGHBOURS + 1)
    for i, (row_ids, row_scores) in enumerate(zip(ids, scores, strict=True)):
        similar[items[i]] = [
            (items[j], float(s))
            for j, s in zip(row_ids, row_scores, strict=True)
            if j != i and s > 0
        ]
    return ItemModel(similar, "implicit cosine item k-NN")


def item_model(baskets: Sequence[Sequence[int]]) -> ItemModel:
    """The best available item-to-item model for these baskets (one basket per buyer)."""
    baskets = [basket for basket in baskets if basket]
    if not baskets:
        return ItemModel({}, "empty")
    if CosineRecommender is not None:
        return _implicit(baskets)
    return _cooccurrence(baskets)


def purchase_histories() -> dict[int, list[int]]:
    """Each buyer's purchased products in time order (paid, not refunded orders), one query."""
    histories: dict[int, list[int]] = defaultdict(list)
    lines = (
        OrderLine.objects.exclude(order__status=OrderStatus.REFUNDED)
        .order_by("order__created_at", "order_id", "id")
        .values_list("order__buyer_id", "product_id")
    )
    for buyer_id, product_id in lines.iterator(chunk_size=5000):
        histories[buyer_id].append(product_id)
    return dict(histories)


@dataclass(frozen=True)
class Evaluation:
    buyers: int
    hit_rate: float
    ndcg: float
    popularity_hit_rate: float
    popularity_ndcg: float
    engine: str


def evaluate(histories: dict[int, list[int]], n: int = TOP) -> Evaluation:
    """Leave-last-out hit rate@n and NDCG@n of the item model against popularity."""
    train, held = {}, {}
    for buyer, items in histories.items():
        if len(items) >= 2 and items[-1] not in items[:-1]:
            train[buyer], held[buyer] = items[:-1], items[-1]
        else:
            train[buyer] = items
    model = item_model(list(train.values()))
    popular = [item for item, _ in Counter(i for b in train.values() for i in set(b)).most_common()]
    hits = gains = pop_hits = pop_gains = 0.0
    for buyer, target in held.items():
        seen = set(train[buyer])
        ranked = [item for item, _ in model.recommend(train[buyer], n)]
        baseline = [item for item in popular if item not in seen][:n]
        if len(ranked) < n:  # a short list is completed by popularity
            ranked += [item for item in baseline if item not in ranked][: n - len(ranked)]
        for found, bucket in ((ranked, "model"), (baseline, "pop")):
            if target in found:
                gain = 1 / math.log2(found.index(target) + 2)
                if bucket == "model":
                    hits, gains = hits + 1, gains + gain
                else:
                    pop_hits, pop_gains = pop_hits + 1, pop_gains + gain
    total = max(len(held), 1)
    return Evaluation(
        len(held), hits / total, gains / total, pop_hits / total, pop_gains / total, model.engine
    )


def _creator_picks(creator_id: int, conversion: dict[int, float], model: ItemModel) -> list:
    _day, rows = metrics.fan_demographic_snapshot(creator_id=creator_id, day=timezone.localdate())
    interests = {int(b): fans for dim, b, fans in rows if dim == "interest" and b.isdigit()}
    total_fans = sum(interests.values()) or 1
    showcase = list(
        ShowcaseItem.objects.filter(creator_id=creator_id).values_list("product_id", flat=True)
    )
    sold_by_similar = dict(model.recommend(showcase, 50))
    open_plan = Plan.objects.filter(product=OuterRef("pk"), is_active=True).filter(
        Q(kind=PlanKind.OPEN) | Q(kind=PlanKind.TARGETED, creator_id=creator_id)
    )
    candidates = (
        Product.objects.filter(status=ProductStatus.ON_SALE)
        .filter(Exists(open_plan))
        .exclude(pk__in=showcase)
        .values_list("pk", "category_id", "sales")
    )
    scored = []
    for pk, category_id, sales in candidates:
        fit = interests.get(category_id, 0) / total_fans
        score = (0.2 + fit) * (0.05 + conversion.get(pk, 0.0)) + 0.1 * sold_by_similar.get(pk, 0)
        score += 1e-6 * math.log1p(sales)
        scored.append((pk, score))
    return sorted(scored, key=lambda pair: (-pair[1], pair[0]))[:TOP]


def recommendations_refresh() -> dict[str, int]:
    """Recompute and store both kinds of recommendation (the nightly Celery job)."""
    histories = purchase_histories()
    model = item_model(list(histories.values()))
    rows: list[Recommendation] = []
    for product_id, similar in model.similar.items():
        for rank, (other, score) in enumerate(similar[:TOP]):
            rows.append(
                Recommendation(
                    kind=RecommendationKind.BOUGHT_TOGETHER,
                    subject_id=product_id,
                    product_id=other,
                    rank=rank,
                    score=score,
                )
            )
    creators = set(ShowcaseItem.objects.values_list("creator_id", flat=True).distinct())
    on_sale = Product.objects.filter(status=ProductStatus.ON_SALE).values_list("pk", flat=True)
    conversion = metrics_commerce.product_conversion(product_ids=list(on_sale), days=30)
    for creator_id in sorted(creators):
        for rank, (product_id, score) in enumerate(_creator_picks(creator_id, conversion, model)):
            rows.append(
                Recommendation(
                    kind=RecommendationKind.FOR_CREATOR,
                    subject_id=creator_id,
                    product_id=product_id,
                    rank=rank,
                    score=score,
                )
            )
    with transaction.atomic():
        Recommendation.objects.all().delete()
        Recommendation.objects.bulk_create(rows, batch_size=2000)
    return {"bought_together": len(model.similar), "creators": len(creators), "rows": len(rows)}


def _stored(kind: str, subject_id: int) -> list[Product]:
    ranked = list(
        Recommendation.objects.filter(kind=kind, subject_id=subject_id)
        .order_by("rank")
        .values_list("product_id", "score")
    )
    scores = dict(ranked)
    products = product_cards().filter(pk__in=scores, status=ProductStatus.ON_SALE)
    found = sorted(products, key=lambda product: -scores[product.pk])
    for product in found:
        product.score = scores[product.pk]
    return found


def bought_together(product_id: int) -> list[Product]:
    """Products bought together with this one, as stored by the last refresh (two queries)."""
    return _stored(RecommendationKind.BOUGHT_TOGETHER, product_id)


def picks_for_creator(creator_id: int) -> list[Product]:
    """Products the last refresh suggested for this creator (two queries)."""
    return _stored(RecommendationKind.FOR_CREATOR, creator_id)
