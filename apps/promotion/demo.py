"""Demo Fries orders for ``manage.py seed_demo``: one in each state, one boosting for everyone.

Everything goes through the services (sandbox top-ups, payment into escrow, review, stop and
completion), so the demo book reconciles.
The active order targets every gender, so it shows in the demo users' discovery feeds.
Idempotent: orders are created once; a later run only replaces an active order that has ended.
"""

from datetime import timedelta

from django.contrib.auth import get_user_model
from django.utils import timezone

from apps.core.errors import DomainError
from apps.core.seeding import DemoContext
from apps.ledger import services as ledger
from apps.ledger.selectors import wallet_balance
from apps.notes.models import Note, NoteStatus
from apps.promotion import billing, services
from apps.promotion.models import OrderStatus, PromotionOrder
from apps.promotion.quotes import QuoteRequest

EVERYONE = {"genders": ["female", "male", "undisclosed"]}
PLANS = ("active", "scheduled", "in_review", "rejected", "stopped", "completed")
FUNDS = 100_000


def _note_of(creator_id: int) -> Note | None:
    """The creator's least-seen public note: the one a promotion helps most, and one that is
    not already on the demo users' first organic page (where a promoted copy is skipped)."""
    return (
        Note.objects.filter(
            author_id=creator_id,
            status=NoteStatus.PUBLISHED,
            visibility="public",
            moderation="visible",
        )
        .order_by("rank", "id")
        .first()
    )


def _fund(user) -> None:
    if wallet_balance(owner_type="user", owner_id=user.pk).available >= FUNDS // 2:
        return
    intent = ledger.payment_intent_create(user=user, amount=FUNDS, provider="sandbox")
    ledger.sandbox_payment_complete(intent=intent, succeed=True)


def _request(note: Note, **changes: object) -> QuoteRequest:
    fields: dict = {
        "note_id": note.pk,
        "objective": "reads",
        "budget": 20_000,
        "duration_hours": 168,
        "targeting_mode": "custom",
        "targeting": EVERYONE,
        "starts_at": None,
    }
    fields.update(changes)
    return QuoteRequest(**fields)


def _create(plan: str, creator, note: Note) -> None:
    if plan == "scheduled":
        start = timezone.now() + timedelta(days=2)
        services.promotion_order_create(creator=creator, request=_request(note, starts_at=start))
        return
    if plan in ("in_review", "rejected"):
        order = services.promotion_order_pay(creator=creator, request=_request(note))
        services.promotion_order_hold(order_id=order.pk, reason="Demo: checked by an operator")
        if plan == "rejected":
            services.promotion_order_reject(operator=None, order_id=order.pk, detail="Demo")
        return
    order = services.promotion_order_create(
        creator=creator, request=_request(note, duration_hours=24 if plan == "active" else 6)
    )
    billing.order_publish(order)
    # No impressions are simulated here: they would be analytics events outside the analytics
    # demo's own seeded stream (which must stay exactly its size and in time order). The active
    # order gets real ones from the demo users' feeds.
    if plan == "stopped":
        services.promotion_order_stop(creator=creator, order_id=order.pk)
    elif plan == "completed":
        services.promotion_order_complete(order_id=order.pk)


def seed(ctx: DemoContext) -> None:
    users = get_user_model().objects.in_bulk(ctx.creator_ids[: len(PLANS)])
    for ended in PromotionOrder.objects.filter(
        creator_id__in=users, status=OrderStatus.ACTIVE, ends_at__lte=timezone.now()
    ).values_list("pk", flat=True):
        services.promotion_order_complete(order_id=ended)  # no beat ran since the last seed
    existing = PromotionOrder.objects.filter(creator_id__in=users)
    has_active = existing.filter(status=OrderStatus.ACTIVE, ends_at__gt=timezone.now()).exists()
    plans = PLANS if not existing.exists() else (() if has_active else ("active",))
    for plan, creator_id in zip(plans, ctx.creator_ids, strict=False):
        creator = users.get(creator_id)
        note = _note_of(creator_id)
        if creator is None or note is None:
            continue
        try:
            _fund(creator)
            _create(plan, creator, note)
        except DomainError as exc:  # an audience too small for a tiny demo, a live order
            ctx.stdout.write(f"promotion demo: {plan} order skipped ({exc})")
    ctx.stdout.write(f"promotion demo: {PromotionOrder.objects.count()} orders")
