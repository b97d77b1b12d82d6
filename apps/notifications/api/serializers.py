"""Request and response shapes for the notifications API."""

from rest_framework import serializers
from rest_framework.fields import empty

from apps.notifications.models import Notification


class NotificationSerializer(serializers.ModelSerializer):
    is_read = serializers.BooleanField(read_only=True)
    payload = serializers.DictField(
        help_text="Kind-specific data: ids of the objects concerned and a human message."
    )

    class Meta:
        model = Notification
        fields = ("id", "kind", "payload", "is_read", "read_at", "created_at")


class OptionalBooleanField(serializers.BooleanField):
    """Absent from a query string means "not given", not ``false`` (DRF's form default)."""

    default_empty_html = empty


class NotificationListFilterSerializer(serializers.Serializer):
    # Not allow_null: DRF would read ``?unread=null`` as absent, a value the schema refuses.
    unread = OptionalBooleanField(
        required=False,
        help_text="true: only unread; false: only read; absent: all.",
    )


class MarkedCountSerializer(serializers.Serializer):
    marked = serializers.IntegerField(help_text="How many notifications were marked read.")


class UnreadCountSerializer(serializers.Serializer):
    unread = serializers.IntegerField()
