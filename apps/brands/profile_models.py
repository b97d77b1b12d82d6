"""Creators' cooperation profiles and the denormalised rows brands discover them by.

``CooperationProfile`` is what a creator declares (opt-in): a rate card in fen, categories,
availability and a short pitch. ``CreatorDiscoveryRow`` is what the platform computes from it and
from the analytics metrics (fans, audience shares, engagement, eligibility, authenticity), one
row per profile, rewritten by the discovery refresh (``apps/brands/discovery_refresh.py``):
every discovery filter and sort is a plain indexed column of it, so a page of discovery is one
index walk whatever the filters. Registered with Django by the import in ``models.py``.
"""

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from apps.accounts.models import Category
from apps.accounts.regions import REGIONS
from apps.analytics.fields import IntegerListField


class Availability(models.TextChoices):
    AVAILABLE = "available", "Available"
    BUSY = "busy", "Busy until a date"
    NOT_TAKING_WORK = "not_taking_work", "Not taking work"


class Deliverable(models.TextChoices):
    IMAGE_NOTE = "image_note", "Image note"
    VIDEO_NOTE = "video_note", "Video note"
    LIVE_MENTION = "live_mention", "Live mention"


# Deliverable -> the rate card column (fen), on the profile and on the discovery row alike.
RATE_FIELDS: dict[str, str] = {
    Deliverable.IMAGE_NOTE: "rate_image_note",
    Deliverable.VIDEO_NOTE: "rate_video_note",
    Deliverable.LIVE_MENTION: "rate_live_mention",
}
PITCH_MAX_LENGTH = 300
# Region code -> a stable small integer (its position in the GB/T list; new regions append).
REGION_POSITIONS: dict[str, int] = {code: index + 1 for index, (code, _, _) in enumerate(REGIONS)}
# Discovery lists only eligible creators: every discovery index is partial on it.
DISCOVERABLE = Q(eligible=True)


def _rate_field(label: str) -> models.PositiveBigIntegerField:
    return models.PositiveBigIntegerField(
        null=True, blank=True, help_text=f"{label} price in fen; empty when not offered."
    )


class CooperationProfile(models.Model):
    """A creator's offer to brands. Its existence is the opt-in; deleting it opts out."""

    creator = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="cooperation_profile",
    )
    rate_image_note = _rate_field("Image note")
    rate_video_note = _rate_field("Video note")
    rate_live_mention = _rate_field("Live mention")
    categories = models.ManyToManyField(
        Category, through="CooperationProfileCategory", related_name="+", blank=True
    )
    availability = models.CharField(
        max_length=16, choices=Availability.choices, default=Availability.AVAILABLE
    )
    busy_until = models.DateField(null=True, blank=True)
    pitch = models.CharField(max_length=PITCH_MAX_LENGTH, blank=True)
    # A pitch that screening held for review: only its author sees it until an operator decides.
    pending_pitch = models.CharField(max_length=PITCH_MAX_LENGTH, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(availability="busy", busy_until__isnull=False)
                | (~Q(availability="busy") & Q(busy_until__isnull=True)),
                name="coop_profile_busy_has_date",
            ),
            models.CheckConstraint(
                condition=Q(rate_image_note__isnull=False)
                | Q(rate_video_note__isnull=False)
                | Q(rate_live_mention__isnull=False),
                name="coop_profile_has_a_rate",
            ),
        ]

    def __str__(self) -> str:
        return f"cooperation profile of {self.creator_id}"


class CooperationProfileCategory(models.Model):
    profile = models.ForeignKey(CooperationProfile, on_delete=models.CASCADE)
    category = models.ForeignKey(Category, on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["profile", "category"], name="coop_profile_category_1")
        ]
        # Discovery's category filter: EXISTS (... WHERE category_id IN (...) AND profile_id = ?).
        indexes = [models.Index(fields=["category", "profile"], name="coop_category_profile_idx")]

    def __str__(self) -> str:
        return f"{self.profile_id} in {self.category_id}"


class GinIndexOnPostgres(models.Index):
    """GIN on PostgreSQL (array overlap, JSON key presence); a plain index elsewhere."""

    def create_sql(self, model: Any, schema_editor: Any, using: str = "", **kwargs: Any) -> Any:
        if schema_editor.connection.vendor != "postgresql":
            return super().create_sql(model, schema_editor, using=using, **kwargs)
        return super().create_sql(model, schema_editor, using=" USING gin", **kwargs)


def _discoverable_index(*fields: str, name: str) -> models.Index:
    return models.Index(fields=[*fields, "creator"], name=name, condition=DISCOVERABLE)


class CreatorDiscoveryRow(models.Model):
    """One creator as discovery filters, sorts and shows them (computed, never edited).

    Shares are of the creator's fans in the newest demographics snapshot, counting only buckets
    the creator center would show (withheld buckets count as unknown: null, or no region key).
    Categories and regions are copied in too, so every filter is checked on the row itself while
    a sort index is walked, and their GIN indexes serve the selective cases.
    """

    creator = models.OneToOneField(
        CooperationProfile,
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="discovery_row",
    )
    eligible = models.BooleanField(default=False)
    fans = models.BigIntegerField(default=0)
    recent_notes = models.IntegerField(default=0, help_text="Published in the last 180 days.")
    posting_restricted = models.BooleanField(default=False)
    rate_image_note = _rate_field("Image note")
    rate_video_note = _rate_field("Video note")
    rate_live_mention = _rate_field("Live mention")
    availability = models.CharField(max_length=16, choices=Availability.choices)
    busy_until = models.DateField(null=True, blank=True)
    category_ids = IntegerListField(help_text="The profile's categories.")
    region_shares = models.JSONField(
        default=dict, blank=True, help_text="Region code -> share of fans (visible buckets)."
    )
    # The same regions as positions in ``REGION_POSITIONS``: an array PostgreSQL keeps element
    # statistics for, so the planner can weigh (and AND) the region and category indexes.
    region_ids = IntegerListField(help_text="Positions of the regions in region_shares.")
    female_share = models.FloatField(null=True, blank=True)
    male_share = models.FloatField(null=True, blank=True)
    engagement_rate = models.FloatField(
        default=0.0, help_text="Engagements / reads of the last 30 published notes."
    )
    engagement_notes = models.IntegerField(default=0)
    engagement_reads = models.BigIntegerField(default=0)
    engagement_total = models.BigIntegerField(default=0)
    authenticity_score = models.SmallIntegerField(null=True, blank=True)
    active_fans_share = models.FloatField(null=True, blank=True)
    never_active_share = models.FloatField(null=True, blank=True)
    follows_30d = models.BigIntegerField(default=0)
    burst_hours = models.IntegerField(default=0)
    burst_follows = models.BigIntegerField(default=0)
    burst_detail = models.JSONField(default=list, blank=True, help_text="Busiest burst hours.")
    fit_score = models.FloatField(default=0.0)
    demographics_as_of = models.DateField(null=True, blank=True)
    refreshed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [
            _discoverable_index("fans", name="discovery_fans_idx"),
            _discoverable_index("rate_image_note", name="discovery_rate_image_idx"),
            _discoverable_index("rate_video_note", name="discovery_rate_video_idx"),
            _discoverable_index("rate_live_mention", name="discovery_rate_live_idx"),
            _discoverable_index("engagement_rate", name="discovery_engagement_idx"),
            _discoverable_index("fit_score", name="discovery_fit_idx"),
            _discoverable_index("female_share", name="discovery_female_idx"),
            _discoverable_index("male_share", name="discovery_male_idx"),
            _discoverable_index("availability", "busy_until", name="discovery_availability_idx"),
            GinIndexOnPostgres(
                fields=["category_ids"], name="discovery_categories_idx", condition=DISCOVERABLE
            ),
            GinIndexOnPostgres(
                fields=["region_ids"], name="discovery_regions_idx", condition=DISCOVERABLE
            ),
            models.Index(fields=["refreshed_at"], name="discovery_refreshed_idx"),
        ]

    def __str__(self) -> str:
        return f"discovery row of {self.creator_id}"
