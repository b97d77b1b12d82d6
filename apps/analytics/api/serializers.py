"""Request and response shapes of the events API, for the OpenAPI schema.

Events are validated by ``apps.analytics.validation`` (plain Python, per item); the request
schema and these serializers only document what that code accepts and returns.
"""

from rest_framework import serializers

from apps.analytics.kinds import CLIENT_KIND_CHOICES, EventSource
from apps.analytics.validation import MAX_BATCH, MAX_DURATION_MS

CLIENT_EVENT_SCHEMA = {
    "type": "object",
    "title": "ClientEvent",
    "required": ["client_event_id", "kind", "source"],
    "properties": {
        "client_event_id": {
            "type": "string",
            "pattern": r"^[A-Za-z0-9][A-Za-z0-9._:\-]{0,63}$",
            "description": "Unique per user (a UUID is best); a retried event with the same id "
            "is stored once.",
        },
        "kind": {"type": "string", "enum": [value for value, _ in CLIENT_KIND_CHOICES]},
        "source": {
            "type": "string",
            "enum": list(EventSource.values),
            "description": "Where the user met the content.",
        },
        "source_id": {
            "type": "integer",
            "minimum": 1,
            "nullable": True,
            "description": "The search, topic, promotion order or live room behind the source.",
        },
        "occurred_at": {
            "oneOf": [
                {"type": "string", "format": "date-time"},
                {"type": "integer", "minimum": 0, "description": "Epoch milliseconds."},
            ],
            "description": "When it happened on the device: ISO 8601 with an offset, or epoch "
            "milliseconds. Absent or null: the time received; clamped to the 7 days before it (and "
            "to it when more than 5 minutes ahead).",
        },
        "note_id": {
            "type": "integer",
            "minimum": 1,
            "description": "Required for impression, view, video_watch and share; optional for "
            "profile_visit and product_click. A note the sender cannot see is refused like a "
            "missing one (note.not_found).",
        },
        "target_user_id": {
            "type": "integer",
            "minimum": 1,
            "description": "The visited user (required for profile_visit), or the live host.",
        },
        "dwell_ms": {
            "type": "integer",
            "minimum": 0,
            "maximum": MAX_DURATION_MS,
            "description": "view only (required).",
        },
        "watch_ms": {
            "type": "integer",
            "minimum": 0,
            "maximum": MAX_DURATION_MS,
            "description": "video_watch (required) and live_leave.",
        },
        "completion": {
            "type": "number",
            "minimum": 0,
            "maximum": 1,
            "description": "Fraction of the video watched, video_watch only (required).",
        },
        "properties": {
            "type": "object",
            "description": "Anything else, flat: values are strings, numbers, booleans, null or "
            "lists of those; at most 32 keys and 2 KB as JSON. product_click needs product_id, "
            "live_enter and live_leave need room_id.",
        },
    },
}

# An event is checked on its own (a newer app may send a kind this server does not know yet):
# any item is taken into the batch and, if it is not a valid event, refused alone in ``errors``.
# So the schema says an item is a ClientEvent *or anything else*, and only the envelope (an
# object with 1 to 500 events) can make the request itself a 400.
EVENT_BATCH_SCHEMA = {
    "type": "object",
    "required": ["events"],
    "properties": {
        "events": {
            "type": "array",
            "minItems": 1,
            "maxItems": MAX_BATCH,
            "items": {
                "anyOf": [
                    CLIENT_EVENT_SCHEMA,
                    {"description": "Anything else: refused on its own, listed in `errors`."},
                ]
            },
        }
    },
}


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
