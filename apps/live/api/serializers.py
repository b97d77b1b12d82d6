"""Request and response shapes of the live API."""

from typing import Any

from django.conf import settings
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from apps.core.serializers import StrictBooleanField, StrictCharField
from apps.live.models import LiveBlockedWordAction, RoomCategory, SanctionKind
from apps.live.services.chat import MAX_LENGTH
from apps.live.services.gifts import MAX_COUNT
from apps.live.services.shelf import MAX_ITEMS

ID_MAX = 2**63 - 1


def _id(**kwargs: Any) -> serializers.IntegerField:
    return serializers.IntegerField(min_value=1, max_value=ID_MAX, **kwargs)


class LiveUserSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    username = serializers.CharField()


# --- rooms ----------------------------------------------------------------------------------


class RoomCreateSerializer(serializers.Serializer):
    title = StrictCharField(max_length=60, min_length=1)
    category = serializers.ChoiceField(choices=RoomCategory.choices)
    cover = serializers.URLField(
        max_length=500, required=False, help_text="The cover image URL; none when left out."
    )
    scheduled_at = serializers.DateTimeField(
        required=False,
        allow_null=True,
        default=None,
        help_text="When the room should start; leave out to go live now (the next publish).",
    )


class RoomUpdateSerializer(serializers.Serializer):
    title = StrictCharField(max_length=60, min_length=1, required=False)
    category = serializers.ChoiceField(choices=RoomCategory.choices, required=False)
    cover = serializers.URLField(max_length=500, required=False)
    scheduled_at = serializers.DateTimeField(required=False)


class RoomSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    host = LiveUserSerializer()
    title = serializers.CharField()
    cover = serializers.CharField()
    category = serializers.ChoiceField(choices=RoomCategory.choices)
    status = serializers.CharField()
    scheduled_at = serializers.DateTimeField()
    started_at = serializers.DateTimeField(allow_null=True)
    ended_at = serializers.DateTimeField(allow_null=True)
    duration_seconds = serializers.IntegerField()
    playback_url = serializers.SerializerMethodField()
    chat_url = serializers.SerializerMethodField()
    slow_mode_seconds = serializers.IntegerField()
    followers_only_minutes = serializers.IntegerField(allow_null=True)
    allow_list_only = serializers.BooleanField()
    peak_viewers = serializers.IntegerField()
    likes = serializers.IntegerField()

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_playback_url(self, room: Any) -> str | None:
        """HLS playlist nginx writes while the room is live (null before it starts)."""
        if not room.stream_name:
            return None
        return f"{settings.LIVE_HLS_BASE_URL}/{room.stream_name}.m3u8"

    def get_chat_url(self, room: Any) -> str:
        """The room's WebSocket path (docs/live.md: frames and close codes)."""
        return f"/ws/live/rooms/{room.pk}/"


class ChatSettingsSerializer(serializers.Serializer):
    slow_mode_seconds = serializers.IntegerField(min_value=0, max_value=3600, required=False)
    followers_only_minutes = serializers.IntegerField(
        min_value=0,
        max_value=60 * 24 * 365,
        required=False,
        allow_null=True,
        help_text="Only fans who followed the host at least this long may write; null: off.",
    )
    allow_list_only = StrictBooleanField(required=False)


class ReminderSerializer(serializers.Serializer):
    reminded = serializers.BooleanField()


# --- stream key -----------------------------------------------------------------------------


class StreamKeySerializer(serializers.Serializer):
    hint = serializers.CharField(help_text="The key's last characters.")
    rotated_at = serializers.DateTimeField()
    rtmp_url = serializers.CharField(help_text="Publish to rtmp_url/STREAM_KEY.")


class NewStreamKeySerializer(StreamKeySerializer):
    stream_key = serializers.CharField(
        help_text="Shown once (only its secret's hash is stored): STREAM_ID?key=SECRET."
    )


# --- chat -----------------------------------------------------------------------------------


class ChatMessageSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.CharField()
    text = serializers.CharField()
    user = LiveUserSerializer(source="author", allow_null=True)
    created_at = serializers.DateTimeField()


class SanctionCreateSerializer(serializers.Serializer):
    user_id = _id()
    kind = serializers.ChoiceField(choices=SanctionKind.choices)
    seconds = serializers.IntegerField(
        min_value=1,
        max_value=7 * 24 * 3600,
        required=False,
        help_text="How long a timeout lasts (required for a timeout).",
    )
    reason = StrictCharField(max_length=200, required=False, default="", allow_blank=True)


class SanctionSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    user = LiveUserSerializer()
    kind = serializers.ChoiceField(choices=SanctionKind.choices)
    until = serializers.DateTimeField(allow_null=True)
    reason = serializers.CharField()
    created_at = serializers.DateTimeField()


class LiveUserIdSerializer(serializers.Serializer):
    user_id = _id()


class AllowedSpeakerSerializer(serializers.Serializer):
    user = LiveUserSerializer()
    created_at = serializers.DateTimeField()


class ModeratorCreateSerializer(serializers.Serializer):
    user_id = _id()
    room_id = _id(
        required=False,
        allow_null=True,
        default=None,
        help_text="One of my rooms; leave out for all my rooms.",
    )


class ModeratorSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    user = LiveUserSerializer()
    room_id = serializers.IntegerField(allow_null=True)
    created_at = serializers.DateTimeField()


class LiveBlockedWordCreateSerializer(serializers.Serializer):
    word = StrictCharField(max_length=30, min_length=1)
    action = serializers.ChoiceField(
        choices=LiveBlockedWordAction.choices, default=LiveBlockedWordAction.MASK
    )


class LiveBlockedWordSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    word = serializers.CharField()
    action = serializers.ChoiceField(choices=LiveBlockedWordAction.choices)
    created_at = serializers.DateTimeField()


# --- gifts, shelf, reports -------------------------------------------------------------------


class GiftKindSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    price = serializers.IntegerField(help_text="Fen.")
    icon = serializers.CharField()


class GiftSendSerializer(serializers.Serializer):
    gift_id = _id()
    count = serializers.IntegerField(min_value=1, max_value=MAX_COUNT, default=1)


class RoomGiftSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    room_id = serializers.IntegerField()
    gift = GiftKindSerializer()
    count = serializers.IntegerField()
    amount = serializers.IntegerField(help_text="Fen paid by the sender.")
    transaction_id = serializers.IntegerField()
    created_at = serializers.DateTimeField()


class ShelfProductsSerializer(serializers.Serializer):
    product_ids = serializers.ListField(child=_id(), min_length=1, max_length=MAX_ITEMS)


class ShelfPinSerializer(serializers.Serializer):
    product_id = _id(allow_null=True, help_text="A product on the shelf; null unpins.")


class ShelfItemSerializer(serializers.Serializer):
    product_id = serializers.IntegerField()
    position = serializers.IntegerField()
    pinned = serializers.BooleanField()
    card = serializers.DictField(help_text="Commerce's product card (title, price, cover...).")


class LiveReportSerializer(serializers.Serializer):
    room_id = serializers.IntegerField()
    duration_seconds = serializers.IntegerField()
    peak_viewers = serializers.IntegerField()
    average_viewers = serializers.FloatField()
    unique_viewers = serializers.IntegerField()
    watch_seconds = serializers.IntegerField()
    chat_messages = serializers.IntegerField()
    likes = serializers.IntegerField()
    gifts_count = serializers.IntegerField()
    gifts_income = serializers.IntegerField(help_text="Fen the host received.")
    new_fans = serializers.IntegerField()
    product_clicks = serializers.IntegerField()
    orders = serializers.IntegerField()
    gmv = serializers.IntegerField(help_text="Fen.")
    computed_at = serializers.DateTimeField()


CHAT_TEXT_MAX = MAX_LENGTH
