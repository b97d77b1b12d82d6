"""Cooperation profile: the creator's request bodies and the profile and eligibility shapes."""

from typing import Any

from rest_framework import serializers

from apps.brands.profile_models import (
    PITCH_MAX_LENGTH,
    RATE_FIELDS,
    Availability,
    CooperationProfile,
)
from apps.brands.profile_services import MAX_CATEGORIES
from apps.core.serializers import FlatSerializer, StrictCharField

MIN_RATE_FEN = 100
MAX_RATE_FEN = 100_000_000_00  # a hundred million yuan


def _rate(label: str, **kwargs: Any) -> serializers.IntegerField:
    return serializers.IntegerField(
        min_value=MIN_RATE_FEN,
        max_value=MAX_RATE_FEN,
        allow_null=True,
        help_text=f"{label} price in fen; null when not offered.",
        **kwargs,
    )


class RatesInputSerializer(serializers.Serializer):
    """Deliverables left out keep their price (on PATCH) or are not offered (on PUT)."""

    image_note = _rate("Image note", required=False)
    video_note = _rate("Video note", required=False)
    live_mention = _rate("Live mention", required=False)


class CooperationProfileInputSerializer(serializers.Serializer):
    rates = RatesInputSerializer(help_text="At least one deliverable must end up with a price.")
    categories = serializers.ListField(
        child=serializers.SlugField(max_length=40),
        max_length=MAX_CATEGORIES,
        required=False,
        help_text=f"Category slugs (at most {MAX_CATEGORIES}); unknown slugs are refused.",
    )
    availability = serializers.ChoiceField(choices=Availability.choices)
    busy_until = serializers.DateField(
        required=False,
        allow_null=True,
        help_text="With availability 'busy' only: a day after today.",
    )
    pitch = StrictCharField(
        max_length=PITCH_MAX_LENGTH,
        required=False,
        allow_blank=True,
        help_text="A short pitch to brands, screened like any text (may wait for review).",
    )


class RatesSerializer(FlatSerializer):
    image_note = serializers.IntegerField(allow_null=True, help_text="Price in fen.")
    video_note = serializers.IntegerField(allow_null=True, help_text="Price in fen.")
    live_mention = serializers.IntegerField(allow_null=True, help_text="Price in fen.")


class EligibilityConditionSerializer(FlatSerializer):
    code = serializers.ChoiceField(choices=["fans", "recent_notes", "no_posting_restriction"])
    met = serializers.BooleanField()
    required = serializers.IntegerField()
    actual = serializers.IntegerField()
    message = serializers.CharField()


class EligibilitySerializer(serializers.Serializer):
    eligible = serializers.BooleanField(help_text="Listed to brands when true.")
    failing = serializers.ListField(
        child=serializers.CharField(), help_text="Codes of the conditions not met."
    )
    conditions = EligibilityConditionSerializer(many=True)
    restricted_until = serializers.DateTimeField(allow_null=True)


class CooperationProfileSerializer(serializers.Serializer):
    creator_id = serializers.IntegerField()
    rates = RatesSerializer()
    categories = serializers.ListField(child=serializers.CharField())
    availability = serializers.ChoiceField(choices=Availability.choices)
    busy_until = serializers.DateField(allow_null=True)
    pitch = serializers.CharField(allow_blank=True, help_text="What brands see.")
    pending_pitch = serializers.CharField(
        allow_blank=True, help_text="A pitch waiting for review (only you see it)."
    )
    eligibility = EligibilitySerializer()
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()


def eligibility_data(eligibility: Any) -> dict[str, Any]:
    return {
        "eligible": eligibility.eligible,
        "failing": eligibility.failing,
        "conditions": eligibility.conditions,
        "restricted_until": eligibility.restricted_until,
    }


def profile_data(profile: CooperationProfile, eligibility: Any) -> dict[str, Any]:
    return {
        "creator_id": profile.pk,
        "rates": {name: getattr(profile, field) for name, field in RATE_FIELDS.items()},
        "categories": [category.slug for category in profile.categories.all()],
        "availability": profile.availability,
        "busy_until": profile.busy_until,
        "pitch": profile.pitch,
        "pending_pitch": profile.pending_pitch,
        "eligibility": eligibility_data(eligibility),
        "created_at": profile.created_at,
        "updated_at": profile.updated_at,
    }
