"""Discovery and data card: query parameters (validated here) and response shapes."""

from rest_framework import serializers

from apps.accounts.regions import REGION_CHOICES
from apps.brands.api.profile_serializers import RatesSerializer
from apps.brands.discovery import SORTS, DiscoveryQuery
from apps.brands.profile_models import Availability, Deliverable
from apps.core.serializers import FlatSerializer
from apps.creators.api.analytics_serializers import AnalyticsDemographicsSerializer

FEN_MAX = 2**62
CATEGORY_LIST = r"^[-a-zA-Z0-9_]+(,[-a-zA-Z0-9_]+)*$"
MAX_CATEGORIES = 20
FANS_MAX = 2**62


def _share(help_text: str) -> serializers.FloatField:
    return serializers.FloatField(required=False, min_value=0.0, max_value=1.0, help_text=help_text)


class DiscoveryQuerySerializer(serializers.Serializer):
    """Every parameter is optional and any combination is valid; ranges that cross match no one."""

    category = serializers.RegexField(
        CATEGORY_LIST,
        required=False,
        max_length=400,
        help_text="Category slugs separated by commas: creators in any of them.",
    )
    fans_min = serializers.IntegerField(required=False, min_value=0, max_value=FANS_MAX)
    fans_max = serializers.IntegerField(required=False, min_value=0, max_value=FANS_MAX)
    deliverable = serializers.ChoiceField(
        choices=Deliverable.choices,
        required=False,
        help_text="Creators offering it; the price range and the price sort read its price "
        "(image_note when not given).",
    )
    price_min = serializers.IntegerField(
        required=False, min_value=0, max_value=FEN_MAX, help_text="Lowest price in fen."
    )
    price_max = serializers.IntegerField(
        required=False, min_value=0, max_value=FEN_MAX, help_text="Highest price in fen."
    )
    female_share_min = _share("Least share of fans who are women (0-1).")
    male_share_min = _share("Least share of fans who are men (0-1).")
    region = serializers.ChoiceField(
        choices=REGION_CHOICES, required=False, help_text="Creators with fans in this region."
    )
    region_share_min = _share("Least share of fans in the region (0-1); needs region.")
    engagement_min = _share("Least engagement rate over the last 30 notes (0-1).")
    engagement_max = _share("Highest engagement rate over the last 30 notes (0-1).")
    availability = serializers.ChoiceField(
        choices=Availability.choices,
        required=False,
        help_text="As of today: a creator busy until a past date is available.",
    )
    sort = serializers.ChoiceField(
        choices=SORTS,
        default="fit",
        help_text="fit (fit score, highest first), fans (most first), engagement (highest "
        "first) or price (cheapest first, for the deliverable).",
    )

    def query(self) -> DiscoveryQuery:
        data = dict(self.validated_data)
        slugs = [slug for slug in data.pop("category", "").split(",") if slug]
        return DiscoveryQuery(categories=list(dict.fromkeys(slugs))[:MAX_CATEGORIES], **data)


class RegionShareSerializer(FlatSerializer):
    region = serializers.CharField()
    share = serializers.FloatField()


class DiscoveryCreatorSerializer(serializers.Serializer):
    creator_id = serializers.IntegerField()
    display_name = serializers.CharField()
    fans = serializers.IntegerField()
    categories = serializers.ListField(child=serializers.CharField())
    rates = RatesSerializer()
    availability = serializers.ChoiceField(choices=Availability.choices)
    busy_until = serializers.DateField(allow_null=True)
    female_share = serializers.FloatField(allow_null=True, help_text="Null when withheld.")
    male_share = serializers.FloatField(allow_null=True, help_text="Null when withheld.")
    regions = RegionShareSerializer(many=True, help_text="Visible regions, largest first.")
    engagement_rate = serializers.FloatField()
    authenticity_score = serializers.IntegerField(allow_null=True)
    fit_score = serializers.FloatField()


class FanTrendDaySerializer(FlatSerializer):
    day = serializers.DateField()
    fans_total = serializers.IntegerField()
    new_fans = serializers.IntegerField()
    lost_fans = serializers.IntegerField()


class PeriodSerializer(FlatSerializer):
    start = serializers.DateField()
    end = serializers.DateField()
    days = serializers.IntegerField()


class CardNoteSerializer(FlatSerializer):
    note_id = serializers.IntegerField()
    title = serializers.CharField(allow_blank=True)
    kind = serializers.CharField()
    published_at = serializers.DateTimeField()
    reads = serializers.IntegerField()
    engagements = serializers.IntegerField()
    engagement_rate = serializers.FloatField(allow_null=True)


class RecentNotesSerializer(serializers.Serializer):
    period = PeriodSerializer(help_text="The days the notes' figures are summed over.")
    notes = serializers.IntegerField(help_text="Recent published notes counted (at most 30).")
    average_reads = serializers.FloatField(allow_null=True)
    average_engagements = serializers.FloatField(allow_null=True)
    engagement_rate = serializers.FloatField(allow_null=True)
    top_notes = CardNoteSerializer(many=True)


class CooperationStatsSerializer(FlatSerializer):
    completed = serializers.IntegerField()
    rating_average = serializers.FloatField(allow_null=True)
    rating_count = serializers.IntegerField()


class BurstHourSerializer(FlatSerializer):
    hour = serializers.CharField(help_text="Start of the hour, ISO 8601 UTC.")
    follows = serializers.IntegerField()


class AuthenticitySerializer(serializers.Serializer):
    score = serializers.IntegerField(allow_null=True, help_text="0-100; null without fans.")
    formula = serializers.CharField()
    active_target = serializers.FloatField()
    active_fans_share = serializers.FloatField(allow_null=True)
    never_active_share = serializers.FloatField(allow_null=True)
    follows_30d = serializers.IntegerField()
    burst_hours = serializers.IntegerField()
    burst_follows = serializers.IntegerField()
    burst_follow_share = serializers.FloatField()
    bursts = BurstHourSerializer(many=True, help_text="The busiest burst hours.")
    as_of = serializers.DateTimeField()


class DataCardSerializer(serializers.Serializer):
    creator_id = serializers.IntegerField()
    display_name = serializers.CharField()
    fans = serializers.IntegerField()
    categories = serializers.ListField(child=serializers.CharField())
    rates = RatesSerializer()
    availability = serializers.ChoiceField(choices=Availability.choices)
    busy_until = serializers.DateField(allow_null=True)
    pitch = serializers.CharField(allow_blank=True)
    fit_score = serializers.FloatField()
    fan_trend = FanTrendDaySerializer(many=True)
    demographics = AnalyticsDemographicsSerializer()
    recent_notes = RecentNotesSerializer()
    cooperations = CooperationStatsSerializer()
    authenticity = AuthenticitySerializer()
