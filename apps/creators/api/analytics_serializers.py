"""Creator-center analytics: query parameters (validated here) and response shapes."""

from datetime import date, timedelta
from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from apps.analytics.days import local_yesterday
from apps.analytics.kinds import EventSource
from apps.core.serializers import FlatSerializer
from apps.creators.periods import (
    DEFAULT_PERIOD,
    EARLIEST_DAY,
    LATEST_DAY,
    MAX_RANGE_DAYS,
    PERIOD_CHOICES,
    Period,
    period_ending,
)
from apps.creators.privacy import MIN_BUCKET_PEOPLE
from apps.creators.selectors import NOTE_SORTS
from apps.notes.models import NoteKind

DATE_HELP = "Asia/Shanghai calendar day, YYYY-MM-DD (2000-01-01 to 2999-12-31)."


def _bounded(value: date) -> date:
    if not EARLIEST_DAY <= value <= LATEST_DAY:
        raise serializers.ValidationError("Use a day between 2000-01-01 and 2999-12-31.")
    return value


# --- query parameters -----------------------------------------------------------------------


@extend_schema_field(
    {"type": "string", "format": "date", "pattern": r"^2[0-9]{3}-[0-9]{2}-[0-9]{2}$"}
)
class ReportDayField(serializers.DateField):
    """A day between 2000-01-01 and 2999-12-31 (the year range is in the schema too)."""

    def to_internal_value(self, value: Any) -> date:
        return _bounded(super().to_internal_value(value))


class AnalyticsPeriodQuerySerializer(serializers.Serializer):
    """``period`` days ending at ``end``, or ``start`` to ``end``; every combination is valid.

    The schema cannot say "these parameters exclude each other" or "no later than yesterday",
    so nothing is refused for them: each rule below reads the request one documented way.
    """

    period = serializers.ChoiceField(
        choices=PERIOD_CHOICES,
        required=False,
        help_text=f"The N complete Asia/Shanghai days ending at end (default {DEFAULT_PERIOD} "
        "days ending yesterday). Ignored when start is given.",
    )
    start = ReportDayField(
        required=False,
        help_text=f"First day of a custom range (to end, or to yesterday). {DATE_HELP}",
    )
    end = ReportDayField(
        required=False,
        help_text="Last day of the range (default yesterday); a later day reads as yesterday, "
        "since daily figures end there. Given with a start before it, the two are swapped; a "
        f"range keeps its last {MAX_RANGE_DAYS} days. {DATE_HELP}",
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        yesterday = local_yesterday()
        last = min(attrs.get("end") or yesterday, yesterday)
        start = attrs.get("start")
        if start is None:
            attrs["range"] = period_ending(end=last, days=attrs.get("period", DEFAULT_PERIOD))
            return attrs
        first, last = sorted((min(start, yesterday), last))
        first = max(first, last - timedelta(days=MAX_RANGE_DAYS - 1))
        attrs["range"] = Period(first, last)
        return attrs


SORT_CHOICES = [name for field in NOTE_SORTS for name in (field, f"-{field}")]


class AnalyticsNotesFilterQuerySerializer(AnalyticsPeriodQuerySerializer):
    sort = serializers.ChoiceField(
        choices=SORT_CHOICES,
        default="-published_at",
        help_text="Sort field; a leading '-' sorts descending. Ties go to the newer note.",
    )
    kind = serializers.ChoiceField(choices=NoteKind.choices, required=False)
    published_after = ReportDayField(
        required=False, help_text=f"Notes published on or after this day. {DATE_HELP}"
    )
    published_before = ReportDayField(
        required=False,
        help_text=f"Notes published on or before this day (before published_after: no notes). "
        f"{DATE_HELP}",
    )


class AnalyticsNotesListQuerySerializer(AnalyticsNotesFilterQuerySerializer):
    page = serializers.IntegerField(min_value=1, max_value=10_000, default=1)
    page_size = serializers.IntegerField(min_value=1, max_value=100, default=20)


FAN_TABLES = ("trend", "demographics", "sources", "top_sources", "top_notes", "active_hours")
NOTE_TABLES = ("daily", "sources", "audience", "retention")


class AnalyticsFansExportQuerySerializer(AnalyticsPeriodQuerySerializer):
    table = serializers.ChoiceField(choices=FAN_TABLES, help_text="Which table of the fans screen.")


class AnalyticsNoteExportQuerySerializer(AnalyticsPeriodQuerySerializer):
    table = serializers.ChoiceField(choices=NOTE_TABLES, help_text="Which table of the note page.")


# --- responses ------------------------------------------------------------------------------

RATE_HELP = "Null when the denominator is 0."


class AnalyticsPeriodSerializer(FlatSerializer):
    start = serializers.DateField()
    end = serializers.DateField()
    days = serializers.IntegerField()


class AnalyticsCountMetricSerializer(FlatSerializer):
    value = serializers.IntegerField()
    previous = serializers.IntegerField(help_text="The same figure over the previous period.")
    change = serializers.FloatField(
        allow_null=True, help_text="(value - previous) / previous; null when previous is 0."
    )


class AnalyticsRateMetricSerializer(FlatSerializer):
    value = serializers.FloatField(allow_null=True, help_text=RATE_HELP)
    previous = serializers.FloatField(allow_null=True, help_text=RATE_HELP)
    change = serializers.FloatField(allow_null=True)


class AnalyticsOverviewMetricsSerializer(serializers.Serializer):
    impressions = AnalyticsCountMetricSerializer()
    reads = AnalyticsCountMetricSerializer(help_text="Note opens (view events).")
    likes = AnalyticsCountMetricSerializer()
    collects = AnalyticsCountMetricSerializer()
    comments = AnalyticsCountMetricSerializer()
    shares = AnalyticsCountMetricSerializer()
    engagements = AnalyticsCountMetricSerializer(help_text="Likes + collects + comments + shares.")
    profile_visits = AnalyticsCountMetricSerializer()
    new_fans = AnalyticsCountMetricSerializer()
    lost_fans = AnalyticsCountMetricSerializer()
    net_fans = AnalyticsCountMetricSerializer()
    ctr = AnalyticsRateMetricSerializer(help_text="Click-through rate: reads / impressions.")
    engagement_rate = AnalyticsRateMetricSerializer(help_text="Engagements / reads.")


class AnalyticsCreatorCountsSerializer(FlatSerializer):
    impressions = serializers.IntegerField()
    reads = serializers.IntegerField()
    likes = serializers.IntegerField()
    collects = serializers.IntegerField()
    comments = serializers.IntegerField()
    shares = serializers.IntegerField()
    engagements = serializers.IntegerField()
    profile_visits = serializers.IntegerField()
    new_fans = serializers.IntegerField()
    lost_fans = serializers.IntegerField()
    net_fans = serializers.IntegerField()


class AnalyticsCreatorDaySerializer(AnalyticsCreatorCountsSerializer):
    day = serializers.DateField()
    fans_total = serializers.IntegerField(help_text="Fans at the end of the day.")


class AnalyticsTodaySerializer(AnalyticsCreatorCountsSerializer):
    day = serializers.DateField()
    as_of = serializers.DateTimeField(help_text="When these figures were computed (cached 60 s).")
    ctr = serializers.FloatField(allow_null=True)
    engagement_rate = serializers.FloatField(allow_null=True)


class AnalyticsOverviewSerializer(serializers.Serializer):
    period = AnalyticsPeriodSerializer()
    previous_period = AnalyticsPeriodSerializer()
    fans_total = serializers.IntegerField(help_text="Fans now.")
    metrics = AnalyticsOverviewMetricsSerializer()
    series = AnalyticsCreatorDaySerializer(many=True)
    today = AnalyticsTodaySerializer(help_text="Today so far (Asia/Shanghai), live.")


class AnalyticsBucketSerializer(FlatSerializer):
    bucket = serializers.CharField(allow_blank=True, help_text="'' is unknown.")
    label = serializers.CharField()
    withheld = serializers.BooleanField(
        help_text=f"True when the bucket could hold fewer than {MIN_BUCKET_PEOPLE} people: "
        "then there is no count or share."
    )
    count = serializers.IntegerField(required=False)
    share = serializers.FloatField(required=False, help_text="Of everyone in the dimension.")


class AnalyticsAudienceSerializer(serializers.Serializer):
    min_bucket_size = serializers.IntegerField()
    gender = AnalyticsBucketSerializer(many=True)
    age_band = AnalyticsBucketSerializer(many=True)
    region = AnalyticsBucketSerializer(many=True)
    interest = AnalyticsBucketSerializer(many=True)


class AnalyticsDemographicsSerializer(AnalyticsAudienceSerializer):
    as_of = serializers.DateField(allow_null=True, help_text="Day of the fan snapshot.")


class AnalyticsFanDaySerializer(FlatSerializer):
    day = serializers.DateField()
    fans_total = serializers.IntegerField()
    new_fans = serializers.IntegerField()
    lost_fans = serializers.IntegerField()
    net_fans = serializers.IntegerField()


class AnalyticsActiveFansSerializer(FlatSerializer):
    as_of = serializers.DateField(allow_null=True)
    last_7_days = serializers.IntegerField()
    last_30_days = serializers.IntegerField()


class AnalyticsFanSourceSerializer(FlatSerializer):
    source = serializers.CharField(allow_blank=True)
    new_fans = serializers.IntegerField()
    lost_fans = serializers.IntegerField()
    net_fans = serializers.IntegerField()


class AnalyticsFanSourceObjectSerializer(AnalyticsFanSourceSerializer):
    source_id = serializers.IntegerField(help_text="The note, live room or promotion order.")
    title = serializers.CharField(allow_null=True, help_text="Your note's title, else null.")


class AnalyticsTopNoteSerializer(FlatSerializer):
    note_id = serializers.IntegerField()
    title = serializers.CharField(allow_null=True, allow_blank=True)
    fans_gained = serializers.IntegerField()


class AnalyticsHourSerializer(FlatSerializer):
    weekday = serializers.IntegerField(help_text="0 = Monday.")
    hour = serializers.IntegerField(help_text="0-23, Asia/Shanghai.")
    active_fans = serializers.IntegerField(help_text="Fans active in that hour, summed over days.")


class AnalyticsBestTimeSerializer(AnalyticsHourSerializer):
    post_weekday = serializers.IntegerField()
    post_hour = serializers.IntegerField(help_text="Post in the hour before the peak.")


class AnalyticsActiveHoursSerializer(serializers.Serializer):
    window = AnalyticsPeriodSerializer(help_text="The last 30 complete days.")
    hours = AnalyticsHourSerializer(many=True)
    best_times = AnalyticsBestTimeSerializer(many=True)


class AnalyticsFansSerializer(serializers.Serializer):
    period = AnalyticsPeriodSerializer()
    fans_total = serializers.IntegerField(help_text="Fans now.")
    new_fans = serializers.IntegerField()
    lost_fans = serializers.IntegerField()
    net_fans = serializers.IntegerField()
    trend = AnalyticsFanDaySerializer(many=True)
    active_fans = AnalyticsActiveFansSerializer()
    demographics = AnalyticsDemographicsSerializer()
    by_source = AnalyticsFanSourceSerializer(many=True)
    top_sources = AnalyticsFanSourceObjectSerializer(many=True)
    top_notes = AnalyticsTopNoteSerializer(
        many=True, help_text="Your notes that brought the most fans."
    )
    active_hours = AnalyticsActiveHoursSerializer()


class AnalyticsNoteFiguresSerializer(FlatSerializer):
    impressions = serializers.IntegerField()
    reads = serializers.IntegerField()
    ctr = serializers.FloatField(allow_null=True, help_text="Reads / impressions.")
    likes = serializers.IntegerField()
    collects = serializers.IntegerField()
    comments = serializers.IntegerField()
    shares = serializers.IntegerField()
    engagements = serializers.IntegerField()
    engagement_rate = serializers.FloatField(
        allow_null=True, help_text="(Likes + collects + comments + shares) / reads."
    )
    fans_gained = serializers.IntegerField()
    profile_visits = serializers.IntegerField()
    avg_dwell_ms = serializers.IntegerField(allow_null=True)
    fan_impressions = serializers.IntegerField(help_text="Impressions on people already fans.")
    non_fan_impressions = serializers.IntegerField()
    fan_reads = serializers.IntegerField()
    non_fan_reads = serializers.IntegerField()


class AnalyticsNoteRowSerializer(AnalyticsNoteFiguresSerializer):
    note_id = serializers.IntegerField()
    title = serializers.CharField(allow_blank=True)
    kind = serializers.ChoiceField(choices=NoteKind.choices)
    published_at = serializers.DateTimeField(allow_null=True)


class AnalyticsNoteListSerializer(serializers.Serializer):
    period = AnalyticsPeriodSerializer()
    count = serializers.IntegerField(help_text="Notes matching the filters.")
    page = serializers.IntegerField()
    page_size = serializers.IntegerField()
    results = AnalyticsNoteRowSerializer(many=True)


class AnalyticsNoteVideoFiguresSerializer(AnalyticsNoteFiguresSerializer):
    unique_viewers = serializers.IntegerField(help_text="Distinct readers per day, summed.")
    video_watches = serializers.IntegerField()
    avg_watch_ms = serializers.IntegerField(allow_null=True)
    avg_completion = serializers.FloatField(allow_null=True, help_text="Mean fraction watched.")
    completion_rate = serializers.FloatField(
        allow_null=True, help_text="Share of watches that reached 90% of the video."
    )


class AnalyticsNoteDaySerializer(AnalyticsNoteVideoFiguresSerializer):
    day = serializers.DateField()


class AnalyticsNoteInfoSerializer(FlatSerializer):
    note_id = serializers.IntegerField()
    title = serializers.CharField(allow_blank=True)
    kind = serializers.ChoiceField(choices=NoteKind.choices)
    status = serializers.CharField()
    published_at = serializers.DateTimeField(allow_null=True)


class AnalyticsNoteSourceSerializer(FlatSerializer):
    source = serializers.ChoiceField(choices=[("", "None"), *EventSource.choices])
    label = serializers.CharField()
    impressions = serializers.IntegerField()
    reads = serializers.IntegerField()
    share_of_reads = serializers.FloatField(allow_null=True)


class AnalyticsRetentionPointSerializer(FlatSerializer):
    reached = serializers.FloatField(help_text="Fraction of the video: 0.0, 0.1 ... 1.0.")
    watches = serializers.IntegerField()
    share = serializers.FloatField(allow_null=True, help_text="Share of watches that got there.")


class AnalyticsNoteDetailSerializer(serializers.Serializer):
    note = AnalyticsNoteInfoSerializer()
    period = AnalyticsPeriodSerializer()
    totals = AnalyticsNoteVideoFiguresSerializer()
    daily = AnalyticsNoteDaySerializer(many=True)
    sources = AnalyticsNoteSourceSerializer(many=True)
    audience = AnalyticsAudienceSerializer(
        help_text="Readers by their profile when they read: daily distinct readers summed; a "
        f"bucket is shown once one day alone had {MIN_BUCKET_PEOPLE} distinct readers in it."
    )
    retention = AnalyticsRetentionPointSerializer(
        many=True, help_text="Video notes only; else empty."
    )
