"""Request and response shapes of the promotion API. Amounts are integer fen."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from apps.accounts.models import Gender
from apps.accounts.regions import REGION_CHOICES
from apps.analytics.kinds import AgeBand
from apps.promotion.models import Objective, OrderStatus, PromotionOrder, TargetingMode
from apps.promotion.quotes import DURATIONS_HOURS, MAX_BUDGET, MIN_BUDGET

MAX_ID = 2**63 - 1
AGE_BAND_CHOICES = [(band.value, band.label) for band in AgeBand if band.value]


class PromotionAudienceSerializer(serializers.Serializer):
    """An audience: every named dimension must contain the viewer (any value of a list)."""

    genders = serializers.ListField(
        child=serializers.ChoiceField(choices=Gender.choices), required=False, max_length=3
    )
    age_bands = serializers.ListField(
        child=serializers.ChoiceField(choices=AGE_BAND_CHOICES), required=False, max_length=5
    )
    regions = serializers.ListField(
        child=serializers.ChoiceField(choices=REGION_CHOICES), required=False, max_length=40
    )
    interests = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=MAX_ID),
        required=False,
        max_length=50,
        help_text="Category ids.",
    )


@extend_schema_field(
    {
        "type": "integer",
        "format": "int64",
        "minimum": MIN_BUDGET,
        "maximum": MAX_BUDGET,
        "multipleOf": 100,
        "description": "Fen: 7500 (¥75), 20000 (¥200), or whole yuan up to 750000 (¥7,500).",
    }
)
class BudgetField(serializers.IntegerField):
    """Whole yuan, in fen: the schema says so (multipleOf 100); the service checks it too."""


class PromotionQuoteInputSerializer(serializers.Serializer):
    note_id = serializers.IntegerField(min_value=1, max_value=MAX_ID)
    objective = serializers.ChoiceField(choices=Objective.choices)
    budget = BudgetField(
        min_value=MIN_BUDGET,
        max_value=MAX_BUDGET,
        help_text="Fen: 7500 (¥75), 20000 (¥200), or whole yuan up to 750000 (¥7,500).",
    )
    duration_hours = serializers.ChoiceField(choices=[(h, f"{h} h") for h in DURATIONS_HOURS])
    starts_at = serializers.DateTimeField(
        required=False, help_text="Optional scheduled start, within 7 days."
    )
    targeting_mode = serializers.ChoiceField(choices=TargetingMode.choices)
    targeting = PromotionAudienceSerializer(
        required=False, help_text="Custom targeting: at least one criterion."
    )


class PromotionQuoteSerializer(serializers.Serializer):
    note_id = serializers.IntegerField()
    objective = serializers.ChoiceField(choices=Objective.choices)
    budget = serializers.IntegerField(help_text="Fen.")
    cpm = serializers.IntegerField(help_text="Fen per thousand impressions.")
    audience = PromotionAudienceSerializer(
        help_text="The resolved audience (smart targeting included)."
    )
    audience_size = serializers.IntegerField()
    estimated_impressions = serializers.IntegerField()
    rate = serializers.FloatField(help_text="Expected results per impression.")
    rate_source = serializers.ChoiceField(
        choices=[("category", "category"), ("default", "default")]
    )
    results_low = serializers.IntegerField()
    results_high = serializers.IntegerField()
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField()


class PromotionOrderSerializer(serializers.ModelSerializer):
    note_id = serializers.IntegerField()
    status = serializers.ChoiceField(choices=OrderStatus.choices)
    targeting = PromotionAudienceSerializer()
    budget = serializers.IntegerField(help_text="Fen paid into escrow.")
    spent = serializers.IntegerField(help_text="Fen charged so far.")
    refunded = serializers.IntegerField(help_text="Fen returned to the wallet.")
    impressions_billed = serializers.IntegerField()

    class Meta:
        model = PromotionOrder
        fields = (
            "id",
            "note_id",
            "objective",
            "budget",
            "duration_hours",
            "targeting_mode",
            "targeting",
            "audience_size",
            "cpm",
            "max_impressions",
            "status",
            "flagged",
            "stop_reason",
            "starts_at",
            "ends_at",
            "impressions_billed",
            "spent",
            "refunded",
            "created_at",
            "ended_at",
        )
        read_only_fields = fields


class PromotionReportFiguresSerializer(serializers.Serializer):
    impressions = serializers.IntegerField()
    reads = serializers.IntegerField()
    likes_collects = serializers.IntegerField()
    new_fans = serializers.IntegerField()


class PromotionReportHourSerializer(PromotionReportFiguresSerializer):
    hour = serializers.DateTimeField()
    ctr = serializers.FloatField(allow_null=True)


class PromotionReportSerializer(serializers.Serializer):
    order = PromotionOrderSerializer()
    hours = PromotionReportHourSerializer(many=True)
    totals = PromotionReportFiguresSerializer()
    ctr = serializers.FloatField(allow_null=True, help_text="Reads per impression.")
    results = serializers.IntegerField(help_text="Results of the order's objective.")
    cost_per_result = serializers.IntegerField(allow_null=True, help_text="Fen, rounded down.")
    organic = PromotionReportFiguresSerializer(help_text="The note's own figures, 7 days before.")
    organic_ctr = serializers.FloatField(allow_null=True)
