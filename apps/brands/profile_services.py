"""Cooperation-profile writes: opt in, edit, opt out, and the pitch's moderation outcome.

Every write is one transaction that locks the creator's profile row, screens the pitch on its
own moderation surface (``cooperation_pitch``) before anything is stored, and refreshes the
creator's discovery row before committing, so brands never see a rate card that differs from
the profile. A pitch held for review waits in ``pending_pitch`` (only its author sees it).
"""

from datetime import date
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from apps.accounts.models import Category, User
from apps.brands.discovery_refresh import discovery_rows_refresh
from apps.brands.profile_models import (
    RATE_FIELDS,
    Availability,
    CooperationProfile,
    CooperationProfileCategory,
)
from apps.core.errors import InvalidInput, NotFound
from apps.moderation.screening import (
    ScreeningResult,
    Surface,
    screen_text,
    submit_for_review,
)

REVIEW_TARGET = "cooperation_profile"
MAX_CATEGORIES = 5
UNSET: Any = object()


def _categories(slugs: list[str]) -> list[Category]:
    wanted = list(dict.fromkeys(slugs))
    if len(wanted) > MAX_CATEGORIES:
        raise InvalidInput(
            f"At most {MAX_CATEGORIES} categories.", fields={"categories": ["Too many."]}
        )
    found = {category.slug: category for category in Category.objects.filter(slug__in=wanted)}
    unknown = [slug for slug in wanted if slug not in found]
    if unknown:
        raise InvalidInput(
            "Unknown categories.", fields={"categories": [f"Unknown: {', '.join(unknown)}"]}
        )
    return [found[slug] for slug in wanted]


def _check(profile: CooperationProfile, today: date) -> None:
    if all(getattr(profile, field) is None for field in RATE_FIELDS.values()):
        raise InvalidInput(
            "Offer at least one deliverable.",
            fields={"rates": ["Give a price for at least one deliverable."]},
        )
    if profile.availability == Availability.BUSY:
        if profile.busy_until is None or profile.busy_until <= today:
            raise InvalidInput(
                "Busy needs a date after today.",
                fields={"busy_until": ["A date after today, when you are busy."]},
            )
    elif profile.busy_until is not None:
        raise InvalidInput(
            "A date is given only when busy.",
            fields={"busy_until": ["Only with availability 'busy'."]},
        )


def _set_pitch(profile: CooperationProfile, pitch: str) -> ScreeningResult | None:
    """Screen and place the pitch; the verdict when it waits for review. Blocked text: 400."""
    profile.pending_pitch = ""
    if not pitch:
        profile.pitch = ""
        return None
    result = screen_text(surface=Surface.COOPERATION_PITCH, text=pitch)
    result.raise_if_blocked()
    if result.needs_review:
        profile.pending_pitch = result.text
        return result
    profile.pitch = result.text
    return None


def cooperation_profile_save(
    *,
    creator: User,
    rates: dict[str, int | None] | Any = UNSET,
    categories: list[str] | Any = UNSET,
    availability: str | Any = UNSET,
    busy_until: date | Any | None = UNSET,
    pitch: str | Any = UNSET,
) -> CooperationProfile:
    """Create the creator's profile (opting in) or change the fields given; returns it.

    ``rates`` maps deliverables to fen (None withdraws one). Locks the profile row; screening
    runs before any write, so a blocked pitch leaves everything as it was. Two first saves racing
    each other: the loser's insert fails on the primary key, once the winner committed, and it is
    applied again as a change of the winner's profile (both succeed, the later one last).
    """
    fields = {
        "rates": rates,
        "categories": categories,
        "availability": availability,
        "busy_until": busy_until,
        "pitch": pitch,
    }
    for attempt in range(2):
        try:
            with transaction.atomic():
                return _save(creator, **fields)
        except IntegrityError:
            if attempt:
                raise
    raise AssertionError("unreachable")


def _save(
    creator: User,
    *,
    rates: Any,
    categories: Any,
    availability: Any,
    busy_until: Any,
    pitch: Any,
) -> CooperationProfile:
    profile = CooperationProfile.objects.select_for_update().filter(creator_id=creator.pk).first()
    created = profile is None
    if profile is None:
        profile = CooperationProfile(creator_id=creator.pk)
    if rates is not UNSET:
        for deliverable, fen in rates.items():
            setattr(profile, RATE_FIELDS[deliverable], fen)
    if availability is not UNSET:
        profile.availability = availability
        if availability != Availability.BUSY and busy_until is UNSET:
            profile.busy_until = None
    if busy_until is not UNSET:
        profile.busy_until = busy_until
    now = timezone.now()
    _check(profile, timezone.localdate(now))
    chosen = _categories(categories) if categories is not UNSET else None
    held = _set_pitch(profile, pitch) if pitch is not UNSET else None
    profile.updated_at = now
    if created:
        profile.created_at = now
        profile.save(force_insert=True)
    else:
        profile.save()
    if chosen is not None:
        CooperationProfileCategory.objects.filter(profile=profile).delete()
        CooperationProfileCategory.objects.bulk_create(
            [CooperationProfileCategory(profile=profile, category=c) for c in chosen]
        )
    if held is not None:
        submit_for_review(target=REVIEW_TARGET, object_id=profile.pk, result=held)
    discovery_rows_refresh(creator_ids=[creator.pk], now=now)
    return profile


@transaction.atomic
def cooperation_profile_delete(*, creator: User) -> None:
    """Opt out: the profile, its categories and its discovery row go (404 when there is none)."""
    deleted, _ = CooperationProfile.objects.filter(creator_id=creator.pk).delete()
    if not deleted:
        raise NotFound("You have no cooperation profile.", code="brands.profile_not_found")


@transaction.atomic
def cooperation_pitch_review_settle(*, creator_id: int, approved: bool) -> bool:
    """Apply an operator's decision to a held pitch: approval publishes it, rejection drops it.
    Returns whether a pitch was waiting."""
    profile = CooperationProfile.objects.select_for_update().filter(creator_id=creator_id).first()
    if profile is None or not profile.pending_pitch:
        return False
    if approved:
        profile.pitch = profile.pending_pitch
    profile.pending_pitch = ""
    profile.updated_at = timezone.now()
    profile.save(update_fields=["pitch", "pending_pitch", "updated_at"])
    return True


@transaction.atomic
def cooperation_pitch_clear(*, creator_id: int) -> None:
    """Remove a published pitch an operator hid (the case keeps the text)."""
    CooperationProfile.objects.filter(creator_id=creator_id).update(
        pitch="", pending_pitch="", updated_at=timezone.now()
    )
