"""Cooperation-profile reads: the creator's own profile and the computed eligibility gate.

Eligibility is never declared: it is computed from the follow graph (fans), the creator's
published notes and moderation's strikes, with thresholds in settings (``BRANDS_MIN_*``). The
same function answers for one creator (the API says which condition fails) and for a batch (the
discovery refresh), in three queries either way.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Count
from django.utils import timezone

from apps.accounts.models import Profile, User
from apps.brands.profile_models import CooperationProfile
from apps.core.errors import NotFound
from apps.moderation.selectors import posting_restrictions
from apps.notes.models import PUBLICLY_VISIBLE, Note


@dataclass(frozen=True, slots=True)
class Eligibility:
    """Where a creator stands against each condition of the gate."""

    fans: int
    recent_notes: int
    restricted_until: datetime | None

    @property
    def conditions(self) -> list[dict]:
        return [
            {
                "code": "fans",
                "met": self.fans >= settings.BRANDS_MIN_FANS,
                "required": settings.BRANDS_MIN_FANS,
                "actual": self.fans,
                "message": f"At least {settings.BRANDS_MIN_FANS} fans.",
            },
            {
                "code": "recent_notes",
                "met": self.recent_notes >= settings.BRANDS_MIN_RECENT_NOTES,
                "required": settings.BRANDS_MIN_RECENT_NOTES,
                "actual": self.recent_notes,
                "message": (
                    f"At least {settings.BRANDS_MIN_RECENT_NOTES} notes published in the last "
                    f"{settings.BRANDS_RECENT_NOTES_DAYS} days."
                ),
            },
            {
                "code": "no_posting_restriction",
                "met": self.restricted_until is None,
                "required": 0,
                "actual": 0 if self.restricted_until is None else 1,
                "message": "No posting restriction in force.",
            },
        ]

    @property
    def failing(self) -> list[str]:
        return [condition["code"] for condition in self.conditions if not condition["met"]]

    @property
    def eligible(self) -> bool:
        return not self.failing


def eligibility_for(
    *, creator_ids: Iterable[int], now: datetime | None = None
) -> dict[int, Eligibility]:
    """Each creator's standing against the gate. Three queries whatever the number."""
    ids = set(creator_ids)
    if not ids:
        return {}
    now = now or timezone.now()
    fans = dict(Profile.objects.filter(user_id__in=ids).values_list("user_id", "fans_count"))
    since = now - timedelta(days=settings.BRANDS_RECENT_NOTES_DAYS)
    notes = dict(
        Note.objects.filter(PUBLICLY_VISIBLE, author_id__in=ids, published_at__gte=since)
        .values("author_id")
        .annotate(count=Count("id"))
        .values_list("author_id", "count")
        .order_by()
    )
    restricted = posting_restrictions(user_ids=ids, now=now)
    return {
        creator_id: Eligibility(
            fans=fans.get(creator_id, 0),
            recent_notes=notes.get(creator_id, 0),
            restricted_until=restricted.get(creator_id),
        )
        for creator_id in ids
    }


def eligibility_of(*, creator: User, now: datetime | None = None) -> Eligibility:
    """One creator's standing against the gate (three queries)."""
    return eligibility_for(creator_ids=[creator.pk], now=now)[creator.pk]


def get_profile_for_creator(*, creator: User) -> CooperationProfile:
    """The signed-in creator's own profile with its categories and discovery row; 404 if none."""
    profile = (
        CooperationProfile.objects.filter(creator_id=creator.pk)
        .select_related("discovery_row")
        .prefetch_related("categories")
        .first()
    )
    if profile is None:
        raise NotFound(
            "You have no cooperation profile; create one to be listed to brands.",
            code="brands.profile_not_found",
        )
    return profile
