"""Demo data for ``manage.py seed_demo``: a store with products in the pool, creators'
showcases with tagged notes and links, and orders in every state.

Everything goes through the services (money through the ledger's moves); the brand and its
store are found by name on a re-run and nothing changes; ``demo`` manages the store. Buyers
are the fans the ledger demo funded; a buyer short of money is skipped. Fast on SQLite: a few
dozen orders.
"""

from datetime import timedelta

from django.contrib.auth import get_user_model
from django.utils import timezone

from apps.accounts import organisations
from apps.accounts.models import Category, Organisation
from apps.commerce.models import Store
from apps.commerce.recommendations import recommendations_refresh
from apps.commerce.services import catalog, checkout, links, orders, pool
from apps.core.errors import DomainError
from apps.core.seeding import DemoContext
from apps.notes import selectors as note_selectors

BRAND = "青禾好物 Demo Shop"
STORE = "青禾旗舰店"
PRODUCTS = [
    ("积雪草修护面霜 50g", 12_900, "beauty", 1_500),
    ("氨基酸洗面奶 120ml", 5_900, "beauty", 2_000),
    ("竹纤维毛巾三条装", 3_990, "home", 1_200),
    ("便携咖啡杯 350ml", 8_800, "home", 1_000),
    ("轻量徒步背包 22L", 26_900, "travel", 800),
    ("防晒冰袖两双", 2_990, "beauty", 3_000),
]
# What happens to each demo order after payment, in turn: every state is represented.
ENDINGS = ["paid", "shipped", "delivered", "completed", "refund_requested", "refunded"]


def _category(slug: str) -> int | None:
    return Category.objects.filter(slug=slug).values_list("pk", flat=True).first()


def _brand(owner: object, demo: object) -> Organisation | None:
    """The shop's own verified brand (not the ledger demo's, whose wallet figures stay as they
    are), owned by a demo user, with ``demo`` as its manager so the README's account can run it."""
    found = Organisation.objects.filter(name=BRAND).first()
    if found is not None:
        return found
    operator = get_user_model().objects.filter(username="admin").first()
    if operator is None:
        return None
    brand = organisations.organisation_create(
        user=owner,
        kind="brand",
        name=BRAND,
        business_licence_number="91330100MA2SHOP01",
        contact_name="Demo",
        contact_phone="13800000000",
        contact_email="shop@example.com",
    )
    organisations.membership_invite(
        organisation_id=brand.pk, actor=owner, username=demo.username, role="manager"
    )
    organisations.organisation_verify(
        organisation_id=brand.pk, operator=operator, reason="demo: licence checked"
    )
    return brand


def seed(ctx: DemoContext) -> None:
    users = get_user_model().objects.in_bulk([*ctx.user_ids, ctx.demo_user_id])
    demo = users[ctx.demo_user_id]
    owner = users[ctx.user_ids[-1]]
    brand = _brand(owner, demo)
    if brand is None:
        ctx.stdout.write("commerce demo skipped: no operator to verify its brand")
        return
    if Store.objects.filter(organisation=brand, name=STORE).exists():
        return
    store = catalog.store_create(user=demo, organisation_id=brand.pk, name=STORE)
    products = []
    for title, price, category, rate in PRODUCTS:
        product = catalog.product_create(
            user=demo,
            store_id=store.pk,
            title=title,
            description=f"{title}：青禾护肤官方旗舰店正品。",
            category=_category(category),
            price=price,
            stock=200,
        )
        catalog.product_move(user=demo, store_id=store.pk, product_id=product.pk, action="publish")
        pool.plan_open_set(user=demo, store_id=store.pk, product_id=product.pk, rate_bp=rate)
        products.append(product)
    creators = [users[i] for i in ctx.creator_ids[:3]]
    now = timezone.now()
    pool.plan_targeted_create(
        user=demo,
        store_id=store.pk,
        product_id=products[0].pk,
        creator_id=creators[0].pk,
        rate_bp=2_500,
        starts_at=now - timedelta(days=3),
        ends_at=now + timedelta(days=27),
    )
    codes = []
    for index, creator in enumerate(creators):
        picks = products[index : index + 3]
        for product in picks:
            pool.showcase_add(creator=creator, product_id=product.pk)
        note = note_selectors.my_notes(viewer=creator).filter(status="published").first()
        if note is not None:
            pool.note_products_set(
                creator=creator, note_id=note.pk, product_ids=[p.pk for p in picks]
            )
        for product in picks:
            code = links.tracked_link(
                creator_id=creator.pk,
                product_id=product.pk,
                note_id=note.pk if note is not None else None,
            )
            codes.append((code, product))
    pool.sample_request(creator=creators[1], product_id=products[4].pk)
    approved = pool.sample_request(creator=creators[2], product_id=products[3].pk)
    pool.sample_decide(user=demo, store_id=store.pk, sample_id=approved.pk, action="approve")
    fans = [users[i] for i in ctx.user_ids[len(ctx.creator_ids) :]][:10]
    placed = 0
    for fan in fans:
        code, product = ctx.rng.choice(codes)
        links.link_click(
            code=code, buyer_id=fan.pk, visitor=f"u{fan.pk}", user_agent="Mozilla/5.0 demo"
        )
        basket = [(product.pk, 1)]
        extra = ctx.rng.choice(products)
        if extra.pk != product.pk:
            basket.append((extra.pk, 1))
        try:
            order = checkout.order_checkout(buyer=fan, store_id=store.pk, items=basket)
        except DomainError:  # a fan the ledger demo left short of money
            continue
        _finish(order, ENDINGS[placed % len(ENDINGS)], demo, fan)
        placed += 1
    recommendations_refresh()
    ctx.stdout.write(f"commerce demo: store {store.pk}, {len(products)} products, {placed} orders")


def _finish(order: object, ending: str, seller: object, buyer: object) -> None:
    """Move a fresh order to ``ending`` through the same services the API uses."""
    if ending == "paid":
        return
    if ending == "refund_requested" or ending == "refunded":
        orders.order_refund_request(buyer=buyer, order_id=order.pk)
        if ending == "refunded":
            orders.order_refund(user=seller, store_id=order.store_id, order_id=order.pk)
        return
    orders.order_ship(user=seller, store_id=order.store_id, order_id=order.pk)
    if ending == "shipped":
        return
    delivered_at = timezone.now() - timedelta(days=8 if ending == "completed" else 1)
    orders.order_deliver(user=seller, store_id=order.store_id, order_id=order.pk, now=delivered_at)
    if ending == "completed":
        orders.order_complete(order_id=order.pk)
