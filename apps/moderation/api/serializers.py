"""Request and response shapes for the moderation API."""

from datetime import datetime

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from apps.core.serializers import StrictCharField
from apps.moderation.models import (
    AppealStatus,
    CaseStatus,
    Report,
    ReportReason,
    RuleCategory,
    Strike,
    StrikeStatus,
)
from apps.moderation.targets import all_targets

MAX_ID = 2**63 - 1


class ReportCreateSerializer(serializers.Serializer):
    target = serializers.ChoiceField(
        choices=["note", "comment", "user"], help_text="What is reported."
    )
    object_id = serializers.IntegerField(min_value=1, max_value=MAX_ID)
    reason = serializers.ChoiceField(choices=ReportReason.choices)
    detail = StrictCharField(max_length=500, required=False, allow_blank=True, default="")

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        # Targets are registered by their apps at start-up; offer the ones actually present.
        registered = sorted(all_targets())
        if registered:
            self.fields["target"].choices = registered


class ReportOutcome:
    PENDING = "pending"
    REMOVED = "removed"
    KEPT = "kept"


CASE_OUTCOMES = {
    CaseStatus.OPEN: ReportOutcome.PENDING,
    CaseStatus.REJECTED: ReportOutcome.REMOVED,
    CaseStatus.APPROVED: ReportOutcome.KEPT,
    CaseStatus.OVERTURNED: ReportOutcome.KEPT,
}


class ReportSerializer(serializers.ModelSerializer):
    target = serializers.CharField(source="target_key")
    outcome = serializers.SerializerMethodField(
        help_text="pending until an operator decides; then removed or kept."
    )

    class Meta:
        model = Report
        fields = ("id", "target", "object_id", "reason", "detail", "outcome", "created_at")

    @extend_schema_field(
        serializers.ChoiceField(
            choices=[ReportOutcome.PENDING, ReportOutcome.REMOVED, ReportOutcome.KEPT]
        )
    )
    def get_outcome(self, report: Report) -> str:
        return CASE_OUTCOMES[report.case.status]


class AppealCreateSerializer(serializers.Serializer):
    reason = serializers.CharField(
        min_length=1, max_length=1000, help_text="Why the decision should be reconsidered."
    )


class AppealSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    strike_id = serializers.IntegerField()
    status = serializers.ChoiceField(choices=AppealStatus.choices)
    reason = serializers.CharField()
    created_at = serializers.DateTimeField()
    decided_at = serializers.DateTimeField(allow_null=True)
    decision_reason = serializers.CharField(help_text="Empty until decided.")


class StrikeCaseSerializer(serializers.Serializer):
    target = serializers.CharField(source="target_key")
    object_id = serializers.IntegerField()
    excerpt = serializers.CharField()


class StrikeSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    status = serializers.ChoiceField(choices=StrikeStatus.choices)
    category = serializers.ChoiceField(choices=[*RuleCategory.choices, ("", "Unspecified")])
    reason = serializers.CharField()
    created_at = serializers.DateTimeField()
    expires_at = serializers.SerializerMethodField(
        help_text="When the strike leaves the health window."
    )
    case = StrikeCaseSerializer()
    appeal = serializers.SerializerMethodField()
    can_appeal = serializers.SerializerMethodField()
    appeal_deadline = serializers.SerializerMethodField()

    def get_expires_at(self, strike: Strike) -> str:
        expires = strike.created_at + self.context["policy"].window
        return serializers.DateTimeField().to_representation(expires)

    @extend_schema_field(AppealSerializer(allow_null=True))
    def get_appeal(self, strike: Strike) -> dict | None:
        appeal = getattr(strike, "appeal", None)
        return AppealSerializer(appeal).data if appeal is not None else None

    def _deadline(self, strike: Strike) -> datetime:
        return strike.created_at + self.context["policy"].appeal_window

    def get_appeal_deadline(self, strike: Strike) -> str:
        return serializers.DateTimeField().to_representation(self._deadline(strike))

    def get_can_appeal(self, strike: Strike) -> bool:
        return (
            strike.status == StrikeStatus.ACTIVE
            and getattr(strike, "appeal", None) is None
            and self.context["now"] <= self._deadline(strike)
        )


extend_schema_field({"type": "string", "format": "date-time"})(StrikeSerializer.get_expires_at)
extend_schema_field({"type": "string", "format": "date-time"})(StrikeSerializer.get_appeal_deadline)


class StrikePolicySerializer(serializers.Serializer):
    window_days = serializers.IntegerField()
    threshold = serializers.IntegerField(help_text="Active strikes in the window that restrict.")
    restriction_days = serializers.IntegerField()
    appeal_days = serializers.IntegerField()


class AccountHealthSerializer(serializers.Serializer):
    status = serializers.ChoiceField(
        choices=["good", "warning", "restricted"],
        help_text="good: no active strike; warning: active strikes; restricted: cannot post.",
    )
    can_post = serializers.BooleanField()
    restricted_until = serializers.DateTimeField(allow_null=True)
    active_strikes = serializers.IntegerField(help_text="Active strikes within the window.")
    policy = StrikePolicySerializer()
    strikes = StrikeSerializer(many=True, help_text="Strikes in the window, newest first.")
