"""Programs API shapes: explicit fields, ids and amounts as int64, money in fen."""

from decimal import Decimal

from rest_framework import serializers

from apps.core.serializers import StrictBooleanField, StrictCharField
from apps.programs.models import MAX_REVENUE_SHARE, ContractStatus, GrowthProgram

# --- Contracts ------------------------------------------------------------------------------


class AgencyContractRequestSerializer(serializers.Serializer):
    creator_id = serializers.IntegerField(min_value=1, max_value=2**63 - 1)
    revenue_share = serializers.DecimalField(
        max_digits=5,
        decimal_places=4,
        min_value=Decimal(0),
        max_value=MAX_REVENUE_SHARE,
        help_text="The agency's share of the creator's income, 0 to 0.5.",
    )
    starts_on = serializers.DateField()
    term_months = serializers.IntegerField(min_value=1, max_value=36)
    data_sharing = StrictBooleanField(
        help_text="Whether the creator's figures are shared with the agency."
    )
    note = StrictCharField(max_length=500, required=False, allow_blank=True, default="")


class AgencyContractSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    agency_id = serializers.IntegerField()
    agency_name = serializers.CharField(source="agency.name")
    creator_id = serializers.IntegerField()
    status = serializers.ChoiceField(choices=ContractStatus.choices)
    revenue_share = serializers.DecimalField(max_digits=5, decimal_places=4)
    starts_on = serializers.DateField()
    term_months = serializers.IntegerField()
    data_sharing = serializers.BooleanField()
    note = serializers.CharField()
    expires_at = serializers.DateTimeField()
    active_from = serializers.DateTimeField(allow_null=True)
    active_until = serializers.DateTimeField(allow_null=True)
    termination_requested_by = serializers.CharField()
    termination_due_at = serializers.DateTimeField(allow_null=True)
    ended_at = serializers.DateTimeField(allow_null=True)
    created_at = serializers.DateTimeField()


class AgencyDashboardRowSerializer(serializers.Serializer):
    creator_id = serializers.IntegerField()
    username = serializers.CharField()
    display_name = serializers.CharField()
    revenue_share = serializers.DecimalField(max_digits=5, decimal_places=4)
    fans = serializers.IntegerField(help_text="Fans at the end of the period's last day.")
    new_fans = serializers.IntegerField()
    lost_fans = serializers.IntegerField()
    net_fans = serializers.IntegerField(help_text="Growth: fans gained minus lost.")
    views = serializers.IntegerField(help_text="Reads.")
    engagements = serializers.IntegerField()
    engagement_rate = serializers.FloatField(allow_null=True)
    income = serializers.IntegerField(help_text="Income credited in the period, fen.")
    agency_share = serializers.IntegerField(help_text="The agency's share of it, fen.")


class AgencyDashboardSerializer(serializers.Serializer):
    start = serializers.DateField()
    end = serializers.DateField()
    days = serializers.IntegerField()
    creators = AgencyDashboardRowSerializer(many=True)


class AgencyDashboardQuerySerializer(serializers.Serializer):
    days = serializers.ChoiceField(choices=[7, 30, 90], default=30)


# --- Programs -------------------------------------------------------------------------------


class GrowthProgramSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    key = serializers.CharField()
    name = serializers.CharField()
    description = serializers.CharField()
    min_fans = serializers.IntegerField()
    min_notes_30d = serializers.IntegerField()
    min_engagement_rate = serializers.DecimalField(max_digits=6, decimal_places=4)
    category_ids = serializers.SerializerMethodField()
    no_active_strikes = serializers.BooleanField()
    agency_requirement = serializers.CharField()
    promotion_credit_fen = serializers.IntegerField()
    badge = serializers.CharField()
    boost_weight = serializers.DecimalField(max_digits=4, decimal_places=2)

    def get_category_ids(self, program: GrowthProgram) -> list[int]:
        return [category.pk for category in program.categories.all()]


class ProgramApplicationSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    program_id = serializers.IntegerField()
    program_name = serializers.CharField(source="program.name")
    status = serializers.CharField()
    invited_at = serializers.DateTimeField(allow_null=True)
    applied_at = serializers.DateTimeField(allow_null=True)
    decided_at = serializers.DateTimeField(allow_null=True)
    reason = serializers.CharField()
    created_at = serializers.DateTimeField()


class ProgramBadgeSerializer(serializers.Serializer):
    program_key = serializers.CharField()
    badge = serializers.CharField()
    boost_weight = serializers.DecimalField(max_digits=4, decimal_places=2)


# --- Academy and listening ------------------------------------------------------------------


class AcademyCourseSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    summary = serializers.CharField()
    lessons_count = serializers.IntegerField()
    created_at = serializers.DateTimeField()


class AcademyLessonSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    position = serializers.IntegerField()
    title = serializers.CharField()
    kind = serializers.CharField()
    body = serializers.CharField()
    video_url = serializers.CharField(allow_null=True)
    duration_seconds = serializers.FloatField(allow_null=True)
    completed = serializers.BooleanField()


class CourseDetailSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    summary = serializers.CharField()
    lessons = AcademyLessonSerializer(many=True)


class LessonProgressSerializer(serializers.Serializer):
    lesson_id = serializers.IntegerField()
    completed_at = serializers.DateTimeField()


class PublicClassSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    description = serializers.CharField()
    mode = serializers.CharField()
    place = serializers.CharField()
    capacity = serializers.IntegerField()
    seats_taken = serializers.IntegerField()
    waitlisted = serializers.IntegerField()
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField()
    created_at = serializers.DateTimeField()


class ClassRegistrationSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    class_id = serializers.IntegerField(source="public_class_id")
    class_title = serializers.CharField(source="public_class.title")
    status = serializers.CharField()
    checkin_code = serializers.CharField(help_text="Show it at the door; it admits once.")
    checked_in_at = serializers.DateTimeField(allow_null=True)
    promoted_at = serializers.DateTimeField(allow_null=True)
    created_at = serializers.DateTimeField()


class ClassCheckInSerializer(serializers.Serializer):
    code = StrictCharField(max_length=12)


class ClassCheckInResultSerializer(serializers.Serializer):
    registration_id = serializers.IntegerField(source="pk")
    user_id = serializers.IntegerField()
    checked_in_at = serializers.DateTimeField()


class ListeningTopicSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    author_id = serializers.IntegerField()
    title = serializers.CharField()
    body = serializers.CharField()
    status = serializers.CharField()
    session_id = serializers.IntegerField(allow_null=True)
    votes = serializers.IntegerField()
    response = serializers.SerializerMethodField()
    created_at = serializers.DateTimeField()

    def get_response(self, topic: object) -> str:
        """Shown once the session is published (answered topics only)."""
        return topic.response if topic.status == "answered" else ""


class ListeningTopicCreateSerializer(serializers.Serializer):
    title = StrictCharField(max_length=80)
    body = StrictCharField(max_length=1000, required=False, allow_blank=True, default="")


class ListeningSessionSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    held_on = serializers.DateField()
    status = serializers.CharField()
    topics = ListeningTopicSerializer(many=True, source="published_topics")
    created_at = serializers.DateTimeField()
