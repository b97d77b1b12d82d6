"""Promotion test factories: funded creators, promotable notes, audiences, orders in any state."""

from datetime import timedelta
from typing import Any

from django.test import TestCase
from django.utils import timezone

from apps.accounts.models import Profile, User
from apps.ledger.models import AccountKind, OwnerType
from apps.ledger.selectors import account_balance
from apps.notes.models import Note
from apps.promotion import services
from apps.promotion.models import PromotionOrder
from apps.promotion.quotes import QuoteRequest
from tests.factories import UserFactory
from tests.ledger.factories import available, top_up
from tests.notes.factories import NoteFactory, category


def creator_with_note(*, money: int = 100_000, slug: str = "beauty") -> tuple[User, Note]:
    creator = UserFactory()
    if money:
        top_up(creator, money)
    note = NoteFactory(author=creator, category=category(slug))
    Profile.objects.filter(user=creator).update(notes_count=1)  # as the notes service keeps it
    return creator, note


def audience(n: int, *, slug: str = "beauty", **profile: Any) -> list[User]:
    """``n`` users interested in the category (and with the given profile fields)."""
    cat = category(slug)
    users = [UserFactory() for _ in range(n)]
    for user in users:
        user.profile.interests.add(cat)
    if profile:
        Profile.objects.filter(user__in=users).update(**profile)
    return users


def request_for(note: Note, **changes: Any) -> QuoteRequest:
    fields: dict[str, Any] = {
        "note_id": note.pk,
        "objective": "reads",
        "budget": 20_000,
        "duration_hours": 24,
        "targeting_mode": "smart",
        "targeting": {},
        "starts_at": None,
    }
    fields.update(changes)
    return QuoteRequest(**fields)


def paid_order(creator: User, note: Note, **changes: Any) -> PromotionOrder:
    """Paid (and reviewed) as the API does; its after-commit publication runs too."""
    with TestCase.captureOnCommitCallbacks(execute=True):
        return services.promotion_order_create(
            creator=creator, request=request_for(note, **changes)
        )


def scheduled_order(creator: User, note: Note, **changes: Any) -> PromotionOrder:
    start = timezone.now() + timedelta(hours=1)
    return paid_order(creator, note, starts_at=start, **changes)


def escrow_balance(order: PromotionOrder) -> int:
    return account_balance(
        owner_type=OwnerType.CONTRACT, owner_id=order.escrow_reference, kind=AccountKind.ESCROW
    )


def promotion_spend_total() -> int:
    return account_balance(owner_type=OwnerType.PLATFORM, owner_id=0, kind="promotion_spend")


def assert_settled(order: PromotionOrder, *, creator: User, funded: int) -> None:
    """charged + refunded = paid, to the fen; the escrow is empty; the wallet agrees."""
    order.refresh_from_db()
    assert order.spent + order.refunded == order.budget
    assert escrow_balance(order) == 0
    assert available(creator) == funded - order.spent


def serve(order: PromotionOrder, viewers: list[User], *, at=None) -> int:
    """Reserve one impression of the order per viewer, as the feed does; how many were."""
    from apps.analytics.days import local_today
    from apps.promotion.counters import counters

    moment = at or timezone.now()
    served = 0
    for viewer in viewers:
        served += len(
            counters().reserve(
                viewer_id=viewer.pk,
                candidates=[order.pk],
                want=1,
                now_ms=int(moment.timestamp() * 1000),
                day=local_today(moment).isoformat(),
                draws=[0.0],
            )
        )
    return served
