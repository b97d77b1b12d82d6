"""Commerce test helpers: stores, products, links and orders made through the services."""

from django.utils import timezone

from apps.accounts.models import User
from apps.commerce.models import Order, Product, Store
from apps.commerce.services import catalog, checkout, links, orders, pool
from apps.ledger.models import AccountKind
from apps.ledger.selectors import account_balance
from apps.ledger.services import Owner
from tests.accounts.organisation_factories import add_member, make_organisation
from tests.factories import UserFactory
from tests.ledger.factories import funded_user  # noqa: F401


def make_store(owner: User | None = None, *, name: str = "青禾旗舰店") -> Store:
    owner = owner or UserFactory()
    organisation = make_organisation(owner, name=f"{name}品牌", verified=True)
    return catalog.store_create(user=owner, organisation_id=organisation.pk, name=name)


def store_owner(store: Store) -> User:
    return store.organisation.created_by


def store_member(store: Store, role: str) -> User:
    return add_member(store.organisation, role)


def make_product(
    store: Store,
    *,
    price: int = 1_000,
    stock: int = 100,
    title: str = "保湿面霜",
    open_rate_bp: int | None = 1_000,
) -> Product:
    owner = store_owner(store)
    product = catalog.product_create(
        user=owner, store_id=store.pk, title=title, price=price, stock=stock
    )
    catalog.product_move(user=owner, store_id=store.pk, product_id=product.pk, action="publish")
    if open_rate_bp is not None:
        pool.plan_open_set(
            user=owner, store_id=store.pk, product_id=product.pk, rate_bp=open_rate_bp
        )
    product.refresh_from_db()
    return product


def creator_with_link(product: Product, creator: User | None = None, **scope: int) -> tuple:
    creator = creator or UserFactory()
    pool.showcase_add(creator=creator, product_id=product.pk)
    code = links.tracked_link(creator_id=creator.pk, product_id=product.pk, **scope)
    return creator, code


def click(code: str, buyer: User, *, at=None, agent: str = "Mozilla/5.0 (iPhone)") -> bool:
    return links.link_click(
        code=code, buyer_id=buyer.pk, visitor=f"u{buyer.pk}", user_agent=agent, now=at
    ).counted


def buy(buyer: User, product: Product, quantity: int = 1, *, now=None) -> Order:
    return checkout.order_checkout(
        buyer=buyer, store_id=product.store_id, items=[(product.pk, quantity)], now=now
    )


def deliver(order: Order, *, now=None) -> Order:
    owner = store_owner(order.store)
    orders.order_ship(user=owner, store_id=order.store_id, order_id=order.pk)
    return orders.order_deliver(
        user=owner, store_id=order.store_id, order_id=order.pk, now=now or timezone.now()
    )


def balance(owner: Owner, kind: str = AccountKind.WALLET) -> int:
    return account_balance(owner_type=owner.type, owner_id=owner.id, kind=kind)
