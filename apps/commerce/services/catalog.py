"""Stores and products: created and edited by a verified brand's owners and managers."""

from typing import IO, Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction

from apps.accounts.models import Category, User
from apps.accounts.organisation_models import OrganisationKind
from apps.accounts.organisation_selectors import (
    get_organisation_for_member,
    organisation_require_verified,
)
from apps.commerce.models import Product, ProductImage, ProductStatus, Store
from apps.commerce.services.access import (
    EDIT_ROLES,
    get_product_for_member,
    get_store_for_member,
)
from apps.commerce.states import PRODUCT_MACHINE
from apps.core.errors import Conflict, InvalidInput, PayloadTooLarge
from apps.core.images import ImageRefused, accept_image
from apps.ledger.services import Owner, account_make_hot, owner_wallet
from apps.moderation.screening import Surface, ensure_can_post, screen_text

MAX_IMAGES = 9
MAX_PRICE_FEN = 10_000_000
MAX_STOCK = 1_000_000


def _screened(field: str, text: str) -> str:
    """Screen a listing text; review hits are refused too (a listing is public at once)."""
    if not text:
        return text
    result = screen_text(surface=Surface.PRODUCT, text=text)
    result.raise_if_blocked()
    if result.needs_review:
        raise InvalidInput(
            "This text needs a review before it can be listed; please rephrase it.",
            code="moderation.review_required",
            fields={field: ["Held for review."]},
        )
    return result.text


def store_create(*, user: User, organisation_id: int, name: str, description: str = "") -> Store:
    """A verified brand's store; its wallet is made hot (sales credit it concurrently)."""
    ensure_can_post(user)
    name, description = _screened("name", name), _screened("description", description)
    with transaction.atomic(durable=not transaction.get_connection().in_atomic_block):
        organisation = get_organisation_for_member(
            user=user, organisation_id=organisation_id, roles=EDIT_ROLES, lock=True
        )
        organisation_require_verified(organisation=organisation)
        if organisation.kind != OrganisationKind.BRAND:
            raise Conflict("Only brands open stores.", code="store.not_brand")
        if Store.objects.filter(organisation=organisation, name=name).exists():
            raise Conflict("The organisation has a store of that name.", code="store.name_taken")
        store = Store.objects.create(
            organisation=organisation, name=name, description=description, created_by=user
        )
    wallet = owner_wallet(owner_type="organisation", owner_id=organisation.pk)
    account_make_hot(account=wallet, shards=settings.COMMERCE_SELLER_SHARDS)
    return store


def _check_numbers(price: int | None, stock: int | None) -> None:
    if price is not None and not 1 <= price <= MAX_PRICE_FEN:
        raise InvalidInput(
            "Price out of range.", code="product.invalid", fields={"price": ["1..10000000 fen"]}
        )
    if stock is not None and not 0 <= stock <= MAX_STOCK:
        raise InvalidInput(
            "Stock out of range.", code="product.invalid", fields={"stock": ["0..1000000"]}
        )


def _category(category_id: int | None) -> Category | None:
    if category_id is None:
        return None
    category = Category.objects.filter(pk=category_id).first()
    if category is None:
        raise InvalidInput(
            "Unknown category.", code="product.invalid", fields={"category": ["No such category."]}
        )
    return category


def product_create(*, user: User, store_id: int, **fields: Any) -> Product:
    """A draft product of the store (owners and managers); texts screened first."""
    ensure_can_post(user)
    store = get_store_for_member(user=user, store_id=store_id, roles=EDIT_ROLES)
    _check_numbers(fields.get("price"), fields.get("stock", 0))
    return Product.objects.create(
        store=store,
        title=_screened("title", fields["title"]),
        description=_screened("description", fields.get("description", "")),
        category=_category(fields.get("category")),
        price=fields["price"],
        stock=fields.get("stock", 0),
    )


def product_update(*, user: User, store_id: int, product_id: int, **fields: Any) -> Product:
    """Change a product's listing; stock is set absolutely (a restock), never below 0."""
    product = get_product_for_member(
        user=user, store_id=store_id, product_id=product_id, roles=EDIT_ROLES
    )
    _check_numbers(fields.get("price"), fields.get("stock"))
    changes: dict[str, Any] = {}
    for name in ("title", "description"):
        if name in fields:
            changes[name] = _screened(name, fields[name])
    for name in ("price", "stock"):
        if name in fields:
            changes[name] = fields[name]
    if "category" in fields:
        changes["category"] = _category(fields["category"])
    if changes:
        Product.objects.filter(pk=product.pk).update(**changes)
        product.refresh_from_db()
    return product


def product_move(*, user: User, store_id: int, product_id: int, action: str) -> Product:
    """Publish or withdraw a product through its machine (409 on an illegal move)."""
    product = get_product_for_member(
        user=user, store_id=store_id, product_id=product_id, roles=EDIT_ROLES
    )
    with transaction.atomic(durable=not transaction.get_connection().in_atomic_block):
        locked = Product.objects.select_for_update().get(pk=product.pk)
        PRODUCT_MACHINE.move(locked, action)
        if locked.status == ProductStatus.ON_SALE and not locked.title:
            raise Conflict("A product needs a title.", code="product.incomplete")
        locked.save(update_fields=["status", "updated_at"])
    return locked


def product_image_add(
    *, user: User, store_id: int, product_id: int, upload: IO[bytes], size: int
) -> ProductImage:
    """Add an image, checked like note images (header, pixels, a whole decode)."""
    product = get_product_for_member(
        user=user, store_id=store_id, product_id=product_id, roles=EDIT_ROLES
    )
    if size > settings.COMMERCE_PRODUCT_IMAGE_MAX_BYTES:
        raise PayloadTooLarge("The image is too large.", code="product.image_too_large")
    try:
        header, thumbnail = accept_image(
            upload, max_pixels=settings.NOTES_IMAGE_MAX_PIXELS, thumbnail_box=(720, 720)
        )
    except ImageRefused as refused:
        raise InvalidInput(
            "This file is not an image we accept.",
            code="product.image_invalid",
            fields={"image": [str(refused)]},
        ) from None
    with transaction.atomic(durable=not transaction.get_connection().in_atomic_block):
        locked = Product.objects.select_for_update().get(pk=product.pk)
        count = ProductImage.objects.filter(product=locked).count()
        if count >= MAX_IMAGES:
            raise Conflict(f"At most {MAX_IMAGES} images.", code="product.too_many_images")
        image = ProductImage(
            product=locked, width=header.width, height=header.height, position=count
        )
        extension = header.format.lower().replace("jpeg", "jpg")
        image.file.save(f"p{locked.pk}.{extension}", ContentFile(upload.read()), save=False)
        image.thumbnail.save(f"p{locked.pk}-t.jpg", ContentFile(thumbnail.data), save=False)
        image.save()
        if count == 0:
            locked.cover = image.thumbnail.name
            locked.save(update_fields=["cover", "updated_at"])
    return image


def store_wallet_owner(store: Store) -> Owner:
    return Owner.organisation(store.organisation_id)
