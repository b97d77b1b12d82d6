"""Object-permission checks for every commerce route (collected by tests/core).

The victim owns a store (with a manager, a finance member and a viewer), is a creator with a
showcase, a tagged note, a link, a sample request and a commission, and a buyer with an order.
The attacker is none of these: store routes answer 404 to them and 403 to members whose role
may not act; "me" routes show only the attacker's own (empty) things; another store's path is
no door to the victim's orders.
"""

import time
from dataclasses import dataclass

from apps.accounts.models import User
from apps.commerce.models import (
    Commission,
    Order,
    OrderStatus,
    Product,
    SampleRequest,
    ShowcaseItem,
    Store,
)
from apps.commerce.services import catalog, pool
from apps.notes.models import Note
from tests.accounts.organisation_factories import add_member, assert_refused
from tests.commerce.factories import buy, click, creator_with_link, make_product, make_store
from tests.ledger.factories import funded_user, top_up

EDIT = {"owner", "manager"}
ALL = {"owner", "manager", "finance", "viewer"}


@dataclass
class World:
    store: Store
    members: dict[str, User]
    product: Product
    draft: Product
    targeted_only: Product
    note: Note
    sample: SampleRequest
    order: Order  # the victim's own purchase
    sold: Order  # an order attributed to the victim as creator


def _world(victim: User) -> World:
    store = make_store(victim, name=f"受害者店{victim.pk}")
    members = {"owner": victim}
    for role in ("manager", "finance", "viewer"):
        members[role] = add_member(store.organisation, role)
    product = make_product(store, price=1_000, stock=50)
    draft = catalog.product_create(user=victim, store_id=store.pk, title="草稿", price=500)
    targeted_only = make_product(store, title="定向", open_rate_bp=None)
    pool.plan_targeted_create(
        user=victim,
        store_id=store.pk,
        product_id=targeted_only.pk,
        creator_id=victim.pk,
        rate_bp=2_000,
        starts_at=None,
        ends_at=None,
    )
    note = Note.objects.create(author=victim, kind="image", title="好物", status="published")
    _, code = creator_with_link(product, victim, note_id=note.pk)
    pool.note_products_set(creator=victim, note_id=note.pk, product_ids=[product.pk])
    sample = pool.sample_request(creator=victim, product_id=product.pk)
    buyer = funded_user(5_000)
    click(code, buyer)
    sold = buy(buyer, product)
    top_up(victim, 5_000)
    order = buy(victim, product)
    return World(store, members, product, draft, targeted_only, note, sample, order, sold)


def _unchanged(world: World) -> None:
    world.product.refresh_from_db()
    assert world.product.stock == 48
    assert world.product.title == "保湿面霜"
    assert world.product.status == "on_sale"
    world.order.refresh_from_db()
    assert world.order.status == OrderStatus.PAID
    world.sample.refresh_from_db()
    assert world.sample.status == "requested"
    assert Commission.objects.get(order=world.sold).status == "pending"
    assert ShowcaseItem.objects.filter(creator=world.members["owner"]).count() == 1


def _store_path(world: World) -> str:
    return f"/api/v1/stores/{world.store.pk}"


def _product_path(world: World, product: Product | None = None) -> str:
    return f"{_store_path(world)}/products/{(product or world.product).pk}"


def _key() -> dict[str, str]:
    return {"HTTP_IDEMPOTENCY_KEY": f"attack-{time.monotonic_ns()}"}


def _store_route(allowed: set[str], method: str, path, body: dict | None = None):
    def check(client, victim) -> None:
        world = _world(victim)
        url = path(world)

        def request(c):
            if method == "get":
                return c.get(url)
            if url.endswith("/images"):
                return c.post(url, {}, format="multipart")
            return getattr(c, method)(url, body or {}, format="json")

        assert_refused(client, world.members, allowed, request)
        _unchanged(world)

    return check


def _organisation_stores(client, victim) -> None:
    world = _world(victim)
    url = f"/api/v1/organisations/{world.store.organisation_id}/stores"
    assert_refused(client, world.members, ALL, lambda c: c.get(url))
    assert_refused(client, world.members, EDIT, lambda c: c.post(url, {"name": "x"}, format="json"))
    assert Store.objects.filter(organisation=world.store.organisation).count() == 1


def _store_order(client, victim) -> None:
    world = _world(victim)
    url = f"{_store_path(world)}/orders/{world.order.pk}"
    assert_refused(client, world.members, ALL, lambda c: c.get(url))
    # A member of another store cannot read this store's order through their own store.
    own = make_store(client.attacker, name=f"攻击者店{client.attacker.pk}")
    response = client.get(f"/api/v1/stores/{own.pk}/orders/{world.order.pk}")
    assert response.status_code == 404
    assert client.get(f"/api/v1/stores/{own.pk}/orders").json()["results"] == []
    _unchanged(world)


def _public_products(client, victim) -> None:
    world = _world(victim)
    listed = {p["id"] for p in client.get("/api/v1/products").json()["results"]}
    assert world.product.pk in listed and world.draft.pk not in listed
    _unchanged(world)


def _public_product(client, victim) -> None:
    world = _world(victim)
    assert client.get(f"/api/v1/products/{world.draft.pk}").status_code == 404
    assert client.get(f"/api/v1/products/{world.product.pk}").status_code == 200
    _unchanged(world)


def _bought_together(client, victim) -> None:
    world = _world(victim)
    assert client.get(f"/api/v1/products/{world.draft.pk}/bought-together").status_code == 404
    _unchanged(world)


def _product_samples(client, victim) -> None:
    world = _world(victim)
    response = client.post(f"/api/v1/products/{world.draft.pk}/samples")
    assert response.status_code == 404
    # A product targeted at the victim only is not in the attacker's pool.
    response = client.post(f"/api/v1/products/{world.targeted_only.pk}/samples")
    assert response.status_code == 404
    _unchanged(world)


def _pool(client, victim) -> None:
    world = _world(victim)
    listed = {p["id"] for p in client.get("/api/v1/pool").json()["results"]}
    assert world.product.pk in listed
    assert world.targeted_only.pk not in listed and world.draft.pk not in listed
    _unchanged(world)


def _showcase(client, victim) -> None:
    world = _world(victim)
    assert client.get("/api/v1/me/showcase").json()["results"] == []
    _unchanged(world)


def _showcase_item(client, victim) -> None:
    world = _world(victim)
    assert client.delete(f"/api/v1/me/showcase/{world.product.pk}").status_code == 404
    _unchanged(world)


def _my_samples(client, victim) -> None:
    world = _world(victim)
    assert client.get("/api/v1/me/samples").json()["results"] == []
    _unchanged(world)


def _my_sample_receive(client, victim) -> None:
    world = _world(victim)
    assert client.post(f"/api/v1/me/samples/{world.sample.pk}/receive").status_code == 404
    _unchanged(world)


def _note_products(client, victim) -> None:
    world = _world(victim)
    url = f"/api/v1/notes/{world.note.pk}/products"
    assert client.put(url, {"product_ids": []}, format="json").status_code == 404
    _unchanged(world)


def _my_links(client, victim) -> None:
    world = _world(victim)
    body = {"product_id": world.product.pk, "note_id": world.note.pk}
    assert client.post("/api/v1/me/links", body, format="json").status_code == 404
    _unchanged(world)


def _orders(client, victim) -> None:
    world = _world(victim)
    body = {"store_id": world.store.pk, "items": [{"product_id": world.product.pk, "quantity": 1}]}
    response = client.post("/api/v1/orders", body, format="json", **_key())
    assert response.status_code == 409  # the attacker's own empty wallet, never the victim's
    assert response.json()["error"]["code"] == "wallet.insufficient_funds"
    _unchanged(world)


def _my_orders(client, victim) -> None:
    world = _world(victim)
    assert client.get("/api/v1/me/orders").json()["results"] == []
    _unchanged(world)


def _my_order(client, victim) -> None:
    world = _world(victim)
    assert client.get(f"/api/v1/me/orders/{world.order.pk}").status_code == 404
    _unchanged(world)


def _my_order_action(client, victim) -> None:
    world = _world(victim)
    url = f"/api/v1/me/orders/{world.order.pk}/action"
    response = client.post(url, {"action": "request_refund"}, format="json")
    assert response.status_code == 404
    _unchanged(world)


def _my_commissions(client, victim) -> None:
    world = _world(victim)
    assert client.get("/api/v1/me/commissions").json()["results"] == []
    _unchanged(world)


def _commission_dashboard(client, victim) -> None:
    world = _world(victim)
    body = client.get("/api/v1/me/commission-dashboard").json()
    assert (body["pending"], body["settled"], body["reversed"]) == (0, 0, 0)
    _unchanged(world)


def _note_returns(client, victim) -> None:
    world = _world(victim)
    assert client.get("/api/v1/me/note-returns").json() == []
    _unchanged(world)


def _recommendations(client, victim) -> None:
    world = _world(victim)
    assert client.get("/api/v1/me/product-recommendations").status_code == 200
    _unchanged(world)


ROUTE_CHECKS = {
    "commerce-organisation-stores": _organisation_stores,
    "commerce-store-products": _store_route(ALL, "get", lambda w: f"{_store_path(w)}/products"),
    "commerce-store-product": _store_route(
        EDIT, "patch", lambda w: _product_path(w), {"title": "被改了"}
    ),
    "commerce-store-product-status": _store_route(
        EDIT, "post", lambda w: f"{_product_path(w)}/status", {"action": "withdraw"}
    ),
    "commerce-store-product-images": _store_route(
        EDIT, "post", lambda w: f"{_product_path(w)}/images", {}
    ),
    "commerce-store-plans": _store_route(ALL, "get", lambda w: f"{_product_path(w)}/plans"),
    "commerce-store-open-plan": _store_route(
        EDIT, "put", lambda w: f"{_product_path(w)}/open-plan", {"rate_bp": 8_000}
    ),
    "commerce-store-samples": _store_route(ALL, "get", lambda w: f"{_store_path(w)}/samples"),
    "commerce-store-sample-decision": _store_route(
        EDIT,
        "post",
        lambda w: f"{_store_path(w)}/samples/{w.sample.pk}/decision",
        {"action": "decline"},
    ),
    "commerce-store-orders": _store_route(ALL, "get", lambda w: f"{_store_path(w)}/orders"),
    "commerce-store-order": _store_order,
    "commerce-store-order-action": _store_route(
        EDIT, "post", lambda w: f"{_store_path(w)}/orders/{w.order.pk}/action", {"action": "ship"}
    ),
    "commerce-store-dashboard": _store_route(ALL, "get", lambda w: f"{_store_path(w)}/dashboard"),
    "commerce-products": _public_products,
    "commerce-product": _public_product,
    "commerce-product-bought-together": _bought_together,
    "commerce-product-samples": _product_samples,
    "commerce-pool": _pool,
    "commerce-showcase": _showcase,
    "commerce-showcase-item": _showcase_item,
    "commerce-my-samples": _my_samples,
    "commerce-my-sample-receive": _my_sample_receive,
    "commerce-note-products": _note_products,
    "commerce-my-links": _my_links,
    "commerce-orders": _orders,
    "commerce-my-orders": _my_orders,
    "commerce-my-order": _my_order,
    "commerce-my-order-action": _my_order_action,
    "commerce-my-commissions": _my_commissions,
    "commerce-my-commission-dashboard": _commission_dashboard,
    "commerce-my-note-returns": _note_returns,
    "commerce-my-product-recommendations": _recommendations,
}
