"""Request and response shapes of the events API, for the OpenAPI schema.

Events are validated by ``apps.analytics.validation`` (plain Python, per item); these
serializers only document what that code accepts and returns.
"""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from apps.analytics.kinds import CLIENT_KIND_CHOICES, EventSource
from apps.analytics.validation import MAX_BATCH, MAX_DURATION_MS


@extend_schema_field(
    {
        "oneOf": [
            {"type": "string", "format": "date-time"},
            {"type": "integer", "minimum": 0, "description": "Epoch milliseconds."},
        ]
    }
)
class ClientTimeField(serializers.Field):
    """A device time: ISO 8601 text or epoch milliseconds (documentation only)."""


class ClientEventSerializer(serializers.Serializer):
    client_event_id = serializers.RegexField(
        r"^[A-Za-z0-9][A-Za-z0-9._:\-]{0,63}$",
        max_length=64,
        help_text="Unique per user (a UUID is best); a retried event with the same id is "
        "stored once.",
    )
    kind = serializers.ChoiceField(choices=CLIENT_KIND_CHOICES)
    source = serializers.ChoiceField(
        choices=EventSource.choices, help_text="Where the user met the content."
    )
    source_id = serializers.IntegerField(
        min_value=1,
        required=False,
        allow_null=True,
        help_text="The search, topic, promotion order or live room behind the source.",
    )
    occurred_at = ClientTimeField(
        required=False,
        allow_null=True,
        help_text="When it happened on the device: ISO 8601 with an offset, or epoch "
        "milliseconds. Defaults to the time received; clamped to the 7 days before it (and "
        "to it when more than 5 minutes ahead).",
    )
    note_id = serializers.IntegerField(
        min_value=1,
        required=False,
        help_text="Required for impression, view, video_watch and share; optional for "
        "profile_visit and product_click.",
    )
    target_user_id = serializers.IntegerField(
        min_value=1,
        required=False,
        help_text="The visited user (required for profile_visit), or the live host.",
    )
    dwell_ms = serializers.IntegerField(
        min_value=0, max_value=MAX_DURATION_MS, required=False, help_text="view only (required)."
    )
    watch_ms = serializers.IntegerField(
        min_value=0,
        max_value=MAX_DURATION_MS,
        required=False,
        help_text="video_watch (required) and live_leave.",
    )
    completion = serializers.FloatField(
        min_value=0,
        max_value=1,
        required=False,
        help_text="Fraction of the video watched, video_watch only (required).",
    )
    properties = serializers.DictField(
        required=False,
        help_text="Anything else, flat: values are strings, numbers, booleans, null or lists "
        "of those; at most 32 keys and 2 KB as JSON. product_click needs product_id, "
        "live_enter and live_leave need room_id.",
    )


class EventBatchSerializer(serializers.Serializer):
    events = ClientEventSerializer(many=True, min_length=1, max_length=MAX_BATCH)


class EventErrorSerializer(serializers.Serializer):
    index = serializers.IntegerField(help_text="Position of the event in the batch.")
    client_event_id = serializers.CharField(allow_null=True)
    code = serializers.CharField(help_text="event.invalid, note.not_found or user.not_found.")
    message = serializers.CharField()
    fields = serializers.DictField(child=serializers.ListField(child=serializers.CharField()))


class EventBatchResultSerializer(serializers.Serializer):
    stored = serializers.IntegerField(help_text="Events stored by this request.")
    duplicates = serializers.IntegerField(
        help_text="Valid events already stored (retries, or repeated in the batch)."
    )
    rejected = serializers.IntegerField(help_text="Events refused; see errors.")
    errors = EventErrorSerializer(many=True)
