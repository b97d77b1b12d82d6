"""The selection pool: commission plans, showcases, samples and product tags in notes."""

from collections.abc import Sequence
from datetime import datetime

from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from apps.accounts.models import User
from apps.commerce.models import (
    RATE_MAX_BP,
    RATE_MIN_BP,
    NoteProductTag,
    Plan,
    PlanKind,
    Product,
    ProductStatus,
    SampleRequest,
    ShowcaseItem,
)
from apps.commerce.services.access import EDIT_ROLES, get_product_for_member, get_store_for_member
from apps.commerce.states import SAMPLE_MACHINE
from apps.core.errors import Conflict, InvalidInput, NotFound
from apps.notes import selectors as note_selectors

MAX_TAGS = 5


def _atomic() -> transaction.Atomic:
    return transaction.atomic(durable=not transaction.get_connection().in_atomic_block)


def _check_rate(rate_bp: int) -> None:
    if type(rate_bp) is not int or not RATE_MIN_BP <= rate_bp <= RATE_MAX_BP:
        raise InvalidInput(
            "A commission rate is 1 % to 80 %.",
            code="plan.rate_invalid",
            fields={"rate_bp": [f"{RATE_MIN_BP}..{RATE_MAX_BP} basis points."]},
        )


def plan_open_set(*, user: User, store_id: int, product_id: int, rate_bp: int) -> Plan:
    """Enroll the product in the pool with an open plan, or change its rate (new plan row)."""
    product = get_product_for_member(
        user=user, store_id=store_id, product_id=product_id, roles=EDIT_ROLES
    )
    _check_rate(rate_bp)
    with _atomic():
        Product.objects.select_for_update().get(pk=product.pk)
        Plan.objects.filter(product=product, kind=PlanKind.OPEN, is_active=True).update(
            is_active=False, ends_at=timezone.now()
        )
        return Plan.objects.create(product=product, kind=PlanKind.OPEN, rate_bp=rate_bp)


def plan_targeted_create(
    *,
    user: User,
    store_id: int,
    product_id: int,
    creator_id: int,
    rate_bp: int,
    starts_at: datetime | None,
    ends_at: datetime | None,
) -> Plan:
    """A rate for one invited creator, overriding the open plan while its period runs."""
    product = get_product_for_member(
        user=user, store_id=store_id, product_id=product_id, roles=EDIT_ROLES
    )
    _check_rate(rate_bp)
    if starts_at and ends_at and ends_at <= starts_at:
        raise InvalidInput(
            "The period ends before it starts.",
            code="plan.period_invalid",
            fields={"ends_at": ["After starts_at."]},
        )
    if not User.objects.filter(pk=creator_id, is_active=True).exists():
        raise NotFound("No such creator.", code="user.not_found")
    with _atomic():
        Product.objects.select_for_update().get(pk=product.pk)
        Plan.objects.filter(
            product=product, kind=PlanKind.TARGETED, creator_id=creator_id, is_active=True
        ).update(is_active=False)
        return Plan.objects.create(
            product=product,
            kind=PlanKind.TARGETED,
            creator_id=creator_id,
            rate_bp=rate_bp,
            starts_at=starts_at,
            ends_at=ends_at,
        )


def _pool_product(product_id: int, creator: User) -> Product:
    """A product on sale that the creator may pick: an open plan, or a targeted plan for them."""
    product = (
        Product.objects.filter(pk=product_id, status=ProductStatus.ON_SALE)
        .filter(
            Exists(
                Plan.objects.filter(product=OuterRef("pk"), is_active=True).filter(
                    Q(kind=PlanKind.OPEN) | Q(kind=PlanKind.TARGETED, creator=creator)
                )
            )
        )
        .first()
    )
    if product is None:
        raise NotFound("No such product in the pool.", code="product.not_found")
    return product


def showcase_add(*, creator: User, product_id: int) -> ShowcaseItem:
    """Add a pool product to the creator's showcase (again: the same item)."""
    product = _pool_product(product_id, creator)
    item, _ = ShowcaseItem.objects.get_or_create(creator=creator, product=product)
    return item


def showcase_remove(*, creator: User, product_id: int) -> None:
    deleted, _ = ShowcaseItem.objects.filter(creator=creator, product_id=product_id).delete()
    if not deleted:
        raise NotFound("Not in your showcase.", code="showcase.not_found")


def sample_request(*, creator: User, product_id: int) -> SampleRequest:
    """A creator asks for a free sample of a pool product (one open request per product)."""
    product = _pool_product(product_id, creator)
    try:
        with _atomic():
            return SampleRequest.objects.create(creator=creator, product=product)
    except IntegrityError:
        raise Conflict(
            "You already have a sample request for this product.", code="sample.duplicate"
        ) from None


def sample_decide(*, user: User, store_id: int, sample_id: int, action: str) -> SampleRequest:
    """The store approves, declines or ships a sample (owners and managers)."""
    store = get_store_for_member(user=user, store_id=store_id, roles=EDIT_ROLES)
    if action not in {"approve", "decline", "ship"}:
        raise InvalidInput("Unknown action.", code="sample.action_invalid")
    with _atomic():
        sample = (
            SampleRequest.objects.select_for_update()
            .filter(pk=sample_id, product__store_id=store.pk)
            .first()
        )
        if sample is None:
            raise NotFound("Sample request not found.", code="sample.not_found")
        SAMPLE_MACHINE.move(sample, action)
        sample.save(update_fields=["status", "updated_at"])
    return sample


def sample_receive(*, creator: User, sample_id: int) -> SampleRequest:
    with _atomic():
        sample = SampleRequest.objects.select_for_update().filter(pk=sample_id).first()
        if sample is None or sample.creator_id != creator.pk:
            raise NotFound("Sample request not found.", code="sample.not_found")
        SAMPLE_MACHINE.move(sample, "receive")
        sample.save(update_fields=["status", "updated_at"])
    return sample


def note_products_set(*, creator: User, note_id: int, product_ids: Sequence[int]) -> list[int]:
    """Tag up to five showcase products in one of the creator's notes (replaces the tags)."""
    ids = list(dict.fromkeys(product_ids))
    if len(ids) > MAX_TAGS:
        raise InvalidInput(
            f"At most {MAX_TAGS} products in a note.",
            code="note_products.too_many",
            fields={"product_ids": [f"At most {MAX_TAGS}."]},
        )
    if not note_selectors.my_notes(viewer=creator).filter(pk=note_id).exists():
        raise NotFound("Note not found.", code="note.not_found")
    owned = set(
        ShowcaseItem.objects.filter(creator=creator, product_id__in=ids).values_list(
            "product_id", flat=True
        )
    )
    missing = [pk for pk in ids if pk not in owned]
    if missing:
        raise Conflict(
            "Only products in your showcase can be tagged.",
            code="note_products.not_in_showcase",
            fields={"product_ids": [f"Not in your showcase: {missing}"]},
        )
    with _atomic():
        NoteProductTag.objects.filter(note_id=note_id).delete()
        NoteProductTag.objects.bulk_create(
            NoteProductTag(note_id=note_id, product_id=pk, position=i) for i, pk in enumerate(ids)
        )
    return ids
