"""The commerce API end to end: a store lists, a creator picks and links, a buyer orders."""

import pytest
from django.test import Client

from apps.commerce import selectors
from apps.commerce.models import Click, Order, OrderStatus
from apps.moderation import services as moderation
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


def _key(n: int) -> dict[str, str]:
    return {"HTTP_IDEMPOTENCY_KEY": f"order-key-{n}"}


def test_a_store_lists_a_creator_links_and_a_buyer_orders(make_client) -> None:
    store = make_store()
    owner = make_client(store_owner(store))
    base = f"/api/v1/stores/{store.pk}/products"
    created = owner.post(base, {"title": "竹炭牙刷", "price": 1_290, "stock": 5}, format="json")
    assert created.status_code == 201, created.content
    product_id = created.json()["id"]
    assert created.json()["status"] == "draft"
    assert owner.post(f"{base}/{product_id}/status", {"action": "publish"}).status_code == 200
    plan = owner.put(f"{base}/{product_id}/open-plan", {"rate_bp": 2_000}, format="json")
    assert plan.status_code == 200 and plan.json()["rate_bp"] == 2_000

    creator = UserFactory()
    as_creator = make_client(creator)
    pool = as_creator.get("/api/v1/pool", {"min_rate_bp": 1_500, "max_price": 2_000}).json()
    assert [p["id"] for p in pool["results"]] == [product_id]
    assert as_creator.get("/api/v1/pool", {"min_rate_bp": 2_500}).json()["results"] == []
    added = as_creator.post("/api/v1/me/showcase", {"product_id": product_id}, format="json")
    assert added.status_code == 201
    note = Note.objects.create(author=creator, kind="image", title="刷牙", status="published")
    tagged = as_creator.put(
        f"/api/v1/notes/{note.pk}/products", {"product_ids": [product_id]}, format="json"
    )
    assert tagged.json() == {"product_ids": [product_id]}
    link = as_creator.post(
        "/api/v1/me/links", {"product_id": product_id, "note_id": note.pk}, format="json"
    ).json()
    assert link["url"].endswith(f"/l/{link['code']}")

    # The note carries its products' cards wherever notes are serialized.
    detail = make_client(UserFactory()).get(f"/api/v1/notes/{note.pk}").json()
    assert [card["id"] for card in detail["attachments"]["products"]] == [product_id]

    buyer = funded_user(5_000)
    browser = Client(HTTP_USER_AGENT="Mozilla/5.0 (iPhone)")
    browser.force_login(buyer)
    assert browser.get(f"/l/{link['code']}").status_code == 302
    as_buyer = make_client(buyer)
    body = {"store_id": store.pk, "items": [{"product_id": product_id, "quantity": 2}]}
    placed = as_buyer.post("/api/v1/orders", body, format="json", **_key(1))
    assert placed.status_code == 201, placed.content
    replay = as_buyer.post("/api/v1/orders", body, format="json", **_key(1))
    assert replay.json() == placed.json() and replay["Idempotent-Replayed"] == "true"
    order_id = placed.json()["id"]
    assert Order.objects.count() == 1
    order = Order.objects.get()
    assert (order.creator_id, order.source_note_id, order.total) == (creator.pk, note.pk, 2_580)
    commissions = as_creator.get("/api/v1/me/commissions").json()["results"]
    assert [(c["order_id"], c["amount"], c["status"]) for c in commissions] == [
        (order_id, 516, "pending")
    ]

    store_orders = owner.get(f"/api/v1/stores/{store.pk}/orders").json()["results"]
    assert store_orders[0]["creator_id"] == creator.pk
    action = f"/api/v1/stores/{store.pk}/orders/{order_id}/action"
    assert owner.post(action, {"action": "ship"}).json()["status"] == "shipped"
    mine = f"/api/v1/me/orders/{order_id}/action"
    delivered = as_buyer.post(mine, {"action": "confirm_receipt"}).json()
    assert delivered["status"] == "delivered" and delivered["return_deadline"]
    assert as_buyer.post(mine, {"action": "request_refund"}).json()["status"] == (
        "refund_requested"
    )
    illegal = owner.post(action, {"action": "ship"})
    assert illegal.status_code == 409
    assert illegal.json()["error"]["code"] == "order.illegal_transition"
    assert owner.post(action, {"action": "refund"}).json()["status"] == "refunded"
    assert as_creator.get("/api/v1/me/commissions").json()["results"][0]["status"] == "reversed"
    assert Order.objects.get().status == OrderStatus.REFUNDED


def test_a_sold_out_order_is_a_409_and_writes_nothing(make_client) -> None:
    product = make_product(make_store(), price=1_000, stock=1)
    buyer = funded_user(5_000)
    body = {"store_id": product.store_id, "items": [{"product_id": product.pk, "quantity": 2}]}
    response = make_client(buyer).post("/api/v1/orders", body, format="json", **_key(2))
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "product.sold_out"
    assert Order.objects.count() == 0


def test_listing_texts_are_screened(make_client) -> None:
    moderation.keyword_rule_create(term="高仿", category="fraud", action="block")
    store = make_store()
    response = make_client(store_owner(store)).post(
        f"/api/v1/stores/{store.pk}/products",
        {"title": "高仿名牌包", "price": 100},
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "moderation.blocked"


def test_shelf_cards_and_room_sales_for_live() -> None:
    store = make_store()
    shown, hidden = make_product(store, price=3_000), make_product(store, title="另一个")
    host = UserFactory()
    _host, code = creator_with_link(shown, host, room_id=77)
    cards = selectors.shelf_cards(host.pk, [shown.pk, hidden.pk])
    assert set(cards) == {shown.pk}  # not in the host's showcase: absent
    assert cards[shown.pk]["price"] == 3_000
    buyer = funded_user(10_000)
    click(code, buyer)
    order = buy(buyer, shown, 2)
    assert order.source_room_id == 77
    assert selectors.room_sales(77) == {"product_clicks": 1, "orders": 1, "gmv": 6_000}
    assert selectors.room_sales(78) == {"product_clicks": 0, "orders": 0, "gmv": 0}
    assert Click.objects.get().room_id == 77


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/products",
        "/api/v1/pool",
        "/api/v1/me/showcase",
        "/api/v1/me/orders",
        "/api/v1/me/commissions",
        "store-orders",
        "store-products",
    ],
)
def test_lists_make_the_same_number_of_queries_for_1_and_20_rows(
    url, make_client, count_queries
) -> None:
    def world(rows: int):
        store = make_store(name=f"店{rows}")
        products = [make_product(store, price=100, title=f"商品{i}") for i in range(rows)]
        creator, buyer = UserFactory(), funded_user(100 * rows)
        for product in products:
            _, code = creator_with_link(product, creator)
            click(code, buyer)
            buy(buyer, product)
        path = {
            "store-orders": f"/api/v1/stores/{store.pk}/orders",
            "store-products": f"/api/v1/stores/{store.pk}/products",
        }.get(url, url)
        who = store_owner(store) if url.startswith("store") else creator
        if url == "/api/v1/me/orders":
            who = buyer
        client = make_client(who)

        def fetch() -> None:
            response = client.get(path, {"page_size": 50})
            assert response.status_code == 200
            assert len(response.json()["results"]) >= rows

        return fetch

    one, twenty = world(1), world(20)
    assert count_queries(one) == count_queries(twenty)
