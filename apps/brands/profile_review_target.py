"""The ``cooperation_profile`` review target: pitches held by screening or reported.

Brands registers it in core's review-target registry (``BrandsConfig.ready()``), so moderation
decides on pitches without knowing profiles: approval publishes a held pitch, rejection drops
it, and hiding a profile with no held pitch clears the published one.
"""

from django.contrib.auth.models import AbstractBaseUser

from apps.brands.discovery import verified_brand_member
from apps.brands.profile_models import DISCOVERABLE, CooperationProfile, CreatorDiscoveryRow
from apps.brands.profile_services import (
    REVIEW_TARGET,
    cooperation_pitch_clear,
    cooperation_pitch_review_settle,
)
from apps.core.review_targets import ModerationTarget, Visibility, register_target


def profile_set_visibility(profile: CooperationProfile, visibility: str) -> None:
    """Apply a moderation decision to a profile's pitch."""
    if visibility == Visibility.VISIBLE:
        cooperation_pitch_review_settle(creator_id=profile.pk, approved=True)
    elif visibility == Visibility.HIDDEN and not cooperation_pitch_review_settle(
        creator_id=profile.pk, approved=False
    ):
        cooperation_pitch_clear(creator_id=profile.pk)


def profile_excerpt(profile: CooperationProfile) -> str:
    """What a reviewer reads: the held pitch, else the published one."""
    return profile.pending_pitch or profile.pitch


def profile_visible_to(profile: CooperationProfile, viewer: AbstractBaseUser) -> bool:
    """Who can see (and so report) a pitch: its creator, and members of verified brands while
    the creator is listed; anyone else is answered as if the profile did not exist."""
    if profile.creator_id == viewer.pk:
        return True
    listed = CreatorDiscoveryRow.objects.filter(DISCOVERABLE, pk=profile.pk).exists()
    return listed and verified_brand_member(user_id=viewer.pk)


def register() -> None:
    """Register the target (called from ``BrandsConfig.ready()``)."""
    register_target(
        ModerationTarget(
            key=REVIEW_TARGET,
            model=CooperationProfile,
            author_id_of=lambda profile: profile.pk,
            set_visibility=profile_set_visibility,
            excerpt_of=profile_excerpt,
            visible_to=profile_visible_to,
        )
    )
