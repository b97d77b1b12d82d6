"""The recommender beats popularity on a structured history; commerce events roll up into the
figures the dashboards read."""

from datetime import timedelta

import pytest
from django.utils import timezone

from apps.accounts.models import Category
from apps.analytics import metrics_commerce
from apps.analytics.days import local_yesterday
from apps.analytics.models import Event
from apps.analytics.rollups import rollup_run
from apps.commerce.demo_history import purchase_baskets
from apps.commerce.models import Recommendation
from apps.commerce.recommendations import (
    bought_together,
    evaluate,
    picks_for_creator,
    recommendations_refresh,
)
from apps.commerce.services import catalog, orders
from apps.notes.models import Note
from tests.commerce.factories import (
    buy,
    click,
    creator_with_link,
    make_product,
    make_store,
    store_owner,
)
from tests.factories import UserFactory
from tests.ledger.factories import funded_user

pytestmark = pytest.mark.django_db


def test_item_model_beats_popularity_on_a_structured_history() -> None:
    products = list(range(1, 121))
    baskets = purchase_baskets(buyers=1_500, products=products, categories=6, seed=7)
    result = evaluate(dict(enumerate(baskets)))
    assert result.buyers > 1_000
    assert result.hit_rate > result.popularity_hit_rate
    assert result.ndcg > result.popularity_ndcg


def test_refresh_stores_bought_together_from_orders() -> None:
    store = make_store()
    cream, towel, cup = (make_product(store, price=100, title=t) for t in ("霜", "巾", "杯"))
    for _ in range(3):
        buyer = funded_user(300)
        buy(buyer, cream)
        buy(buyer, towel)
    buy(funded_user(100), cup)
    recommendations_refresh()
    assert [p.pk for p in bought_together(cream.pk)][:1] == [towel.pk]
    assert cup.pk not in [p.pk for p in bought_together(cream.pk)]
    assert Recommendation.objects.filter(subject_id=cup.pk).count() == 0


def test_orders_clicks_and_refunds_roll_up_per_product_creator_and_note(
    django_capture_on_commit_callbacks,
) -> None:
    store = make_store()
    product = make_product(store, price=1_000, stock=10, open_rate_bp=1_000)
    creator = UserFactory()
    note = Note.objects.create(author=creator, kind="image", title="推荐", status="published")
    _creator, code = creator_with_link(product, creator, note_id=note.pk)
    yesterday = local_yesterday(timezone.now())
    at = timezone.now() - timedelta(days=1)
    buyers = [funded_user(2_000) for _ in range(3)]
    placed = []
    with django_capture_on_commit_callbacks(execute=True):  # events are stored on commit
        for buyer in buyers:
            click(code, buyer, at=at)
            placed.append(buy(buyer, product, 2, now=at))
        orders.order_refund_request(buyer=buyers[0], order_id=placed[0].pk)
        orders.order_refund(user=store_owner(store), store_id=store.pk, order_id=placed[0].pk)
    # Events are stored with their own time: move them into yesterday for the nightly run.

    Event.objects.filter(kind__in=["order", "link_click", "refund"]).update(occurred_at=at)
    rollup_run(day=yesterday)

    figures = metrics_commerce.creator_dashboard(creator_id=creator.pk, days=7)["totals"]
    assert figures["clicks"] == 3
    assert figures["orders"] == 2  # three paid lines, one refunded
    assert figures["gmv"] == 4_000
    assert figures["commission"] == 400
    assert figures["conversion_rate"] == pytest.approx(2 / 3, abs=1e-4)  # rounded ratio
    board = metrics_commerce.store_dashboard(product_titles={product.pk: product.title}, days=7)
    assert board["totals"]["gmv"] == 4_000
    assert board["products"][0]["product_id"] == product.pk
    per_note = metrics_commerce.note_commerce(note_ids=[note.pk], creator_id=creator.pk)
    assert per_note[note.pk]["commission"] == 400
    # Running the day again changes nothing.
    rollup_run(day=yesterday)
    again = metrics_commerce.creator_dashboard(creator_id=creator.pk, days=7)["totals"]
    assert again == figures


def test_creator_picks_favour_the_fans_interests_and_skip_the_showcase(monkeypatch) -> None:
    beauty = Category.objects.create(slug="beauty-test", name="Beauty", name_zh="美妆")
    home = Category.objects.create(slug="home-test", name="Home", name_zh="家居")
    store = make_store()
    owner = store_owner(store)
    fitting, other, picked = (
        make_product(store, price=100, title=t) for t in ("面霜", "拖鞋", "口红")
    )
    for product, category in ((fitting, beauty), (other, home), (picked, beauty)):
        catalog.product_update(
            user=owner, store_id=store.pk, product_id=product.pk, category=category.pk
        )
    creator = UserFactory()
    creator_with_link(picked, creator)
    snapshot = (None, [("interest", str(beauty.pk), 90), ("interest", str(home.pk), 10)])
    monkeypatch.setattr(
        "apps.analytics.metrics.fan_demographic_snapshot", lambda **kwargs: snapshot
    )
    recommendations_refresh()
    ranked = [p.pk for p in picks_for_creator(creator.pk)]
    assert picked.pk not in ranked
    assert ranked.index(fitting.pk) < ranked.index(other.pk)
