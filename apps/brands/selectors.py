"""What other apps may ask brands: sponsored notes, boost rights, cooperation income per note;
and brands' own list reads.

Promotion (Fries eligibility) and commerce (per-note return) call the first three; they read
brands' tables only, in one query per call whatever the number of notes.
"""

from collections.abc import Iterable
from datetime import datetime

from django.db.models import QuerySet, Sum
from django.utils import timezone

from apps.brands.aftercare_models import UsageRight, UsageRightKind
from apps.brands.cooperation_models import Campaign, Cooperation, CooperationStatus, Offer

# A note stays sponsored once published, whatever happened to the cooperation afterwards.
SPONSORED_STATES = (
    CooperationStatus.PUBLISHED,
    CooperationStatus.COMPLETED,
    CooperationStatus.DISPUTED,
    CooperationStatus.RESOLVED,
)


def sponsored_note_ids(note_ids: Iterable[int]) -> set[int]:
    """The notes among ``note_ids`` that are published cooperation (sponsored) notes."""
    ids = set(note_ids)
    if not ids:
        return set()
    return set(
        Cooperation.objects.filter(
            note_id__in=ids, status__in=SPONSORED_STATES, published_at__isnull=False
        ).values_list("note_id", flat=True)
    )


def sponsor_names(note_ids: Iterable[int]) -> dict[int, str]:
    """``note_id -> brand name`` of sponsored notes (the label), one query."""
    ids = set(note_ids)
    if not ids:
        return {}
    return dict(
        Cooperation.objects.filter(
            note_id__in=ids, status__in=SPONSORED_STATES, published_at__isnull=False
        ).values_list("note_id", "brand__name")
    )


def boost_right_holders(note_ids: Iterable[int], at: datetime | None = None) -> dict[int, int]:
    """``note_id -> brand organisation id`` for notes whose brand holds a boost right at ``at``."""
    ids = set(note_ids)
    if not ids:
        return {}
    at = at or timezone.now()
    return dict(
        UsageRight.objects.filter(
            note_id__in=ids, kind=UsageRightKind.BOOST, starts_at__lte=at, expires_at__gt=at
        ).values_list("note_id", "brand_id")
    )


def cooperation_income_by_note(note_ids: Iterable[int]) -> dict[int, int]:
    """``note_id -> fen`` released to the creator for the cooperation that produced the note."""
    ids = set(note_ids)
    if not ids:
        return {}
    rows = (
        Cooperation.objects.filter(note_id__in=ids, creator_paid__gt=0)
        .values("note_id")
        .annotate(total=Sum("creator_paid"))
        .order_by()
    )
    return {row["note_id"]: row["total"] for row in rows}


def brand_campaigns(*, brand_id: int) -> QuerySet[Campaign]:
    return Campaign.objects.filter(brand_id=brand_id)


def creator_cooperations(*, creator_id: int) -> QuerySet[Cooperation]:
    """The creator's cooperations with their campaign and brand, newest first (one query)."""
    return Cooperation.objects.filter(creator_id=creator_id).select_related("campaign", "brand")


def brand_cooperations(*, brand_id: int, status: str | None = None) -> QuerySet[Cooperation]:
    queryset = Cooperation.objects.filter(brand_id=brand_id).select_related("campaign", "brand")
    return queryset.filter(status=status) if status else queryset


def cooperation_offers(*, cooperation_id: int) -> QuerySet[Offer]:
    return Offer.objects.filter(cooperation_id=cooperation_id)
