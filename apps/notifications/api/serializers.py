"""Request and response shapes for the notifications API."""

from rest_framework import serializers

from apps.notifications.models import Notification


class NotificationSerializer(serializers.ModelSerializer):
    is_read = serializers.BooleanField(read_only=True)
    payload = serializers.DictField(
        help_text="Kind-specific data: ids of the objects concerned and a human message."
    )

    class Meta:
        model = Notification
        fields = ("id", "kind", "payload", "is_read", "read_at", "created_at")


class NotificationListFilterSerializer(serializers.Serializer):
    unread = serializers.BooleanField(
        required=False,
        allow_null=True,
        default=None,
        help_text="true: only unread; false: only read; absent: all.",
    )


class MarkedCountSerializer(serializers.Serializer):
    marked = serializers.IntegerField(help_text="How many notifications were marked read.")


class UnreadCountSerializer(serializers.Serializer):
    unread = serializers.IntegerField()
