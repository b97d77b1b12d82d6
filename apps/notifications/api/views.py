"""Notifications API: my inbox, unread count, mark one or all read."""

from django.db.models import QuerySet
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.generics import ListAPIView
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.core.throttles import WriteRateThrottle
from apps.notifications import selectors, services
from apps.notifications.api import serializers as s
from apps.notifications.models import Notification


@extend_schema(
    tags=["notifications"],
    parameters=[
        OpenApiParameter(
            "unread",
            OpenApiTypes.BOOL,
            description="true: only unread; false: only read; absent: all.",
        )
    ],
)
class NotificationListApi(ListAPIView):
    """My notifications, newest first."""

    serializer_class = s.NotificationSerializer
    queryset = Notification.objects.none()  # for the schema; get_queryset() scopes to the user
    filter_backends: list = []

    def get_queryset(self) -> QuerySet[Notification]:
        params = s.NotificationListFilterSerializer(data=self.request.query_params)
        params.is_valid(raise_exception=True)
        return selectors.notification_list(
            user=self.request.user, unread=params.validated_data.get("unread")
        )


class NotificationUnreadCountApi(APIView):
    @extend_schema(tags=["notifications"], responses=s.UnreadCountSerializer)
    def get(self, request: Request) -> Response:
        """How many of my notifications are unread (for the badge)."""
        return Response({"unread": selectors.notification_unread_count(user=request.user)})


class NotificationReadApi(APIView):
    throttle_classes = [WriteRateThrottle]

    @extend_schema(tags=["notifications"], request=None, responses=s.NotificationSerializer)
    def post(self, request: Request, notification_id: int) -> Response:
        """Mark one of my notifications read (idempotent)."""
        notification = services.notification_mark_read(
            user=request.user, notification_id=notification_id
        )
        return Response(s.NotificationSerializer(notification).data)


class NotificationReadAllApi(APIView):
    throttle_classes = [WriteRateThrottle]

    @extend_schema(tags=["notifications"], request=None, responses=s.MarkedCountSerializer)
    def post(self, request: Request) -> Response:
        """Mark all my notifications read."""
        return Response({"marked": services.notification_mark_all_read(user=request.user)})
