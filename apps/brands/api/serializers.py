"""Request and response shapes of brands' API. Amounts are integer fen."""

from django.conf import settings
from rest_framework import serializers

from apps.brands import cooperation_money as money
from apps.brands.aftercare_models import (
    ProtectedChange,
    ProtectionRequest,
    ProtectionRequestStatus,
    Rating,
    UsageRight,
    UsageRightKind,
)
from apps.brands.cooperation_models import (
    Campaign,
    CampaignMode,
    CampaignStatus,
    Cooperation,
    CooperationEvent,
    CooperationStatus,
    DeliverableKind,
    Offer,
    Side,
)
from apps.core.serializers import StrictBooleanField, StrictCharField

MAX_ID = 2**63 - 1
FEN_HELP = "Integer fen (1 yuan = 100 fen)."


def _fen(**kwargs: object) -> serializers.IntegerField:
    return serializers.IntegerField(
        min_value=1, max_value=settings.LEDGER_MAX_AMOUNT_FEN, help_text=FEN_HELP, **kwargs
    )


def _price(**kwargs: object) -> serializers.IntegerField:
    """A price: its escrow (price + the platform's fee) must fit one ledger move."""
    return serializers.IntegerField(
        min_value=1, max_value=money.max_price(), help_text=FEN_HELP, **kwargs
    )


class TargetAudienceSerializer(serializers.Serializer):
    gender = serializers.ChoiceField(choices=["any", "female", "male"], required=False)
    age_bands = serializers.ListField(
        child=StrictCharField(max_length=10), max_length=10, required=False
    )
    regions = serializers.ListField(
        child=StrictCharField(max_length=30), max_length=40, required=False
    )
    interests = serializers.ListField(
        child=StrictCharField(max_length=30), max_length=20, required=False
    )


class CampaignInputSerializer(serializers.Serializer):
    title = StrictCharField(max_length=60)
    description = StrictCharField(max_length=2000)
    deliverable_kind = serializers.ChoiceField(choices=DeliverableKind.choices)
    guidelines = StrictCharField(max_length=2000, required=False, allow_blank=True)
    product = StrictCharField(max_length=100, required=False, allow_blank=True)
    publish_from = serializers.DateField()
    publish_until = serializers.DateField()
    usage_rights_days = serializers.IntegerField(min_value=0, max_value=730, required=False)
    boost_right = StrictBooleanField(required=False)
    repost_right = StrictBooleanField(required=False)
    protection_days = serializers.IntegerField(min_value=30, max_value=365, required=False)
    budget = _fen()
    target_audience = TargetAudienceSerializer(required=False)
    mode = serializers.ChoiceField(choices=CampaignMode.choices)
    deadline = serializers.DateTimeField()


class CampaignUpdateSerializer(CampaignInputSerializer):
    status = serializers.ChoiceField(choices=CampaignStatus.choices, required=False)

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, partial=True, **kwargs)


class CampaignSerializer(serializers.ModelSerializer):
    brand_id = serializers.IntegerField()
    brand_name = StrictCharField(source="brand.name")
    target_audience = TargetAudienceSerializer()
    mode = serializers.ChoiceField(choices=CampaignMode.choices)
    status = serializers.ChoiceField(choices=CampaignStatus.choices)
    deliverable_kind = serializers.ChoiceField(choices=DeliverableKind.choices)
    budget = serializers.IntegerField(help_text=FEN_HELP)

    class Meta:
        model = Campaign
        fields = (
            "id",
            "brand_id",
            "brand_name",
            "title",
            "description",
            "deliverable_kind",
            "guidelines",
            "product",
            "publish_from",
            "publish_until",
            "usage_rights_days",
            "boost_right",
            "repost_right",
            "protection_days",
            "budget",
            "target_audience",
            "mode",
            "deadline",
            "status",
            "created_at",
        )


class InvitationSerializer(serializers.Serializer):
    creator_id = serializers.IntegerField(min_value=1, max_value=MAX_ID)
    price = _price()
    message = StrictCharField(max_length=1000, required=False, allow_blank=True)


class CartSerializer(serializers.Serializer):
    invitations = InvitationSerializer(many=True, allow_empty=False, max_length=50)


class ApplicationSerializer(serializers.Serializer):
    price = _price()
    message = StrictCharField(max_length=1000, required=False, allow_blank=True)
    publish_from = serializers.DateField(required=False)
    publish_until = serializers.DateField(required=False)


class OfferInputSerializer(serializers.Serializer):
    price = _price()
    deliverable_kind = serializers.ChoiceField(choices=DeliverableKind.choices)
    publish_from = serializers.DateField()
    publish_until = serializers.DateField()
    message = StrictCharField(max_length=1000, required=False, allow_blank=True)


class OfferSerializer(serializers.ModelSerializer):
    side = serializers.ChoiceField(choices=Side.choices)
    deliverable_kind = serializers.ChoiceField(choices=DeliverableKind.choices)
    price = serializers.IntegerField(help_text=FEN_HELP)
    author_id = serializers.IntegerField()

    class Meta:
        model = Offer
        fields = (
            "id",
            "side",
            "author_id",
            "price",
            "deliverable_kind",
            "publish_from",
            "publish_until",
            "message",
            "created_at",
        )


class CooperationSerializer(serializers.ModelSerializer):
    campaign_id = serializers.IntegerField()
    campaign_title = StrictCharField(source="campaign.title")
    brand_id = serializers.IntegerField()
    brand_name = StrictCharField(source="brand.name")
    creator_id = serializers.IntegerField()
    status = serializers.ChoiceField(choices=CooperationStatus.choices)
    deliverable_kind = serializers.ChoiceField(choices=DeliverableKind.choices)
    latest_offer_side = serializers.ChoiceField(choices=Side.choices)
    price = serializers.IntegerField(help_text=FEN_HELP)
    fee = serializers.IntegerField(help_text="The platform's fee, paid by the brand, in fen.")
    escrow_paid = serializers.IntegerField(help_text="Fen paid into escrow by the brand.")
    note_id = serializers.IntegerField(allow_null=True)

    class Meta:
        model = Cooperation
        fields = (
            "id",
            "campaign_id",
            "campaign_title",
            "brand_id",
            "brand_name",
            "creator_id",
            "status",
            "price",
            "fee",
            "escrow_paid",
            "deliverable_kind",
            "publish_from",
            "publish_until",
            "latest_offer_side",
            "note_id",
            "revision_rounds",
            "max_revision_rounds",
            "deadline_at",
            "published_at",
            "protection_until",
            "completed_at",
            "created_at",
            "updated_at",
        )


class EventSerializer(serializers.ModelSerializer):
    side = serializers.ChoiceField(choices=Side.choices)
    actor_id = serializers.IntegerField(allow_null=True)

    class Meta:
        model = CooperationEvent
        fields = ("id", "action", "from_status", "to_status", "side", "actor_id", "comment")
        fields += ("created_at",)


class DraftSerializer(serializers.Serializer):
    note_id = serializers.IntegerField()
    title = StrictCharField()
    body = StrictCharField()


class CooperationDetailSerializer(CooperationSerializer):
    events = EventSerializer(many=True, source="recent_events")
    draft = DraftSerializer(allow_null=True, help_text="The submitted draft (parties only).")

    class Meta(CooperationSerializer.Meta):
        fields = (*CooperationSerializer.Meta.fields, "events", "draft")


class SubmitSerializer(serializers.Serializer):
    note_id = serializers.IntegerField(min_value=1, max_value=MAX_ID)


class CommentSerializer(serializers.Serializer):
    comment = StrictCharField(max_length=1000)


class ReasonSerializer(serializers.Serializer):
    reason = StrictCharField(max_length=1000, required=False, allow_blank=True)


class RequiredReasonSerializer(serializers.Serializer):
    reason = StrictCharField(max_length=1000)


class EmptySerializer(serializers.Serializer):
    pass


class RatingInputSerializer(serializers.Serializer):
    score = serializers.IntegerField(min_value=1, max_value=5)
    comment = StrictCharField(max_length=500, required=False, allow_blank=True)


class RatingSerializer(serializers.ModelSerializer):
    side = serializers.ChoiceField(choices=Side.choices)
    cooperation_id = serializers.IntegerField()

    class Meta:
        model = Rating
        fields = ("id", "cooperation_id", "side", "score", "comment", "editable_until")
        fields += ("created_at", "updated_at")


class BrandRatingsSerializer(serializers.Serializer):
    average = serializers.FloatField(allow_null=True)
    count = serializers.IntegerField()


class ProtectionRequestSerializer(serializers.ModelSerializer):
    cooperation_id = serializers.IntegerField()
    change = serializers.ChoiceField(choices=ProtectedChange.choices)
    status = serializers.ChoiceField(choices=ProtectionRequestStatus.choices)

    class Meta:
        model = ProtectionRequest
        fields = ("id", "cooperation_id", "change", "status", "lapses_at", "decided_at")
        fields += ("created_at",)


class DecisionSerializer(serializers.Serializer):
    consent = StrictBooleanField()


class UsageRightSerializer(serializers.ModelSerializer):
    cooperation_id = serializers.IntegerField()
    brand_id = serializers.IntegerField()
    creator_id = serializers.IntegerField()
    note_id = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=UsageRightKind.choices)

    class Meta:
        model = UsageRight
        fields = ("id", "cooperation_id", "brand_id", "creator_id", "note_id", "kind")
        fields += ("starts_at", "expires_at", "created_at")


class ReportFiguresSerializer(serializers.Serializer):
    price = serializers.IntegerField(help_text=FEN_HELP)
    impressions = serializers.IntegerField()
    views = serializers.IntegerField(help_text="Reads.")
    likes = serializers.IntegerField()
    collects = serializers.IntegerField()
    comments = serializers.IntegerField()
    shares = serializers.IntegerField()
    follows = serializers.IntegerField(help_text="Fans gained from the note.")
    engagements = serializers.IntegerField()
    cpm = serializers.FloatField(allow_null=True, help_text="Price / impressions x 1000, fen.")
    cost_per_engagement = serializers.FloatField(allow_null=True, help_text="Fen.")


class ReportRowSerializer(ReportFiguresSerializer):
    cooperation_id = serializers.IntegerField()
    creator_id = serializers.IntegerField()
    note_id = serializers.IntegerField()


class CampaignReportSerializer(serializers.Serializer):
    campaign_id = serializers.IntegerField()
    rows = ReportRowSerializer(many=True)
    totals = ReportFiguresSerializer()
