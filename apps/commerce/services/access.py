"""Permission-checked fetches every store route uses: organisation membership and role."""

from collections.abc import Collection

from apps.accounts.models import User
from apps.accounts.organisation_models import MembershipRole
from apps.accounts.organisation_selectors import ALL_ROLES, get_organisation_for_member
from apps.commerce.models import Product, Store
from apps.core.errors import NotFound

EDIT_ROLES: frozenset[str] = frozenset({MembershipRole.OWNER, MembershipRole.MANAGER})
READ_ROLES: frozenset[str] = ALL_ROLES


def get_store_for_member(
    *, user: User, store_id: int, roles: Collection[str] = READ_ROLES, lock: bool = False
) -> Store:
    """The store when the user is a member of its organisation with one of ``roles``.

    404 ``store.not_found`` to outsiders (as for a missing id), 403 for a role that may not act.
    """
    store = Store.objects.filter(pk=store_id).first()
    if store is None:
        raise NotFound("Store not found.", code="store.not_found")
    try:
        store.organisation_checked = get_organisation_for_member(
            user=user, organisation_id=store.organisation_id, roles=roles, lock=lock
        )
    except NotFound:
        raise NotFound("Store not found.", code="store.not_found") from None
    return store


def get_product_for_member(
    *, user: User, store_id: int, product_id: int, roles: Collection[str] = READ_ROLES
) -> Product:
    store = get_store_for_member(user=user, store_id=store_id, roles=roles)
    product = Product.objects.filter(pk=product_id, store_id=store.pk).first()
    if product is None:
        raise NotFound("Product not found.", code="product.not_found")
    product.store = store
    return product
