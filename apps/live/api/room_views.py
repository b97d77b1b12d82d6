"""Rooms, reminders and the host's stream key.

Rooms are public once created (anyone signed in reads them); only the host edits, cancels or
ends one: another user's room id answers 404 on those routes, as a missing id does.
"""

from django.conf import settings
from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.generics import ListAPIView
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.live import selectors, services
from apps.live.api import serializers as s
from apps.live.models import Room, StreamKey

TAGS = ["live"]


def validated(serializer_class: type, data: object, **kwargs: object) -> dict:
    serializer = serializer_class(data=data, **kwargs)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


def room_body(room: Room) -> dict:
    return s.RoomSerializer(room).data


@extend_schema(tags=TAGS)
class RoomListApi(ListAPIView):
    """Live and scheduled rooms, newest first."""

    serializer_class = s.RoomSerializer
    queryset = Room.objects.none()

    def get_queryset(self) -> QuerySet:
        return selectors.room_list()

    @extend_schema(operation_id="live_rooms_list")
    def get(self, request: Request, *args: object, **kwargs: object) -> Response:
        return super().get(request, *args, **kwargs)

    @extend_schema(
        operation_id="live_rooms_create",
        request=s.RoomCreateSerializer,
        responses={201: s.RoomSerializer},
    )
    def post(self, request: Request) -> Response:
        """Schedule a room, or open one now (no ``scheduled_at``): the next publish starts it."""
        data = validated(s.RoomCreateSerializer, request.data)
        room = services.room_create(host=request.user, **data)
        return Response(room_body(room), status=status.HTTP_201_CREATED)


@extend_schema(tags=TAGS)
class MyRoomListApi(ListAPIView):
    """My rooms in every state, newest first."""

    serializer_class = s.RoomSerializer
    queryset = Room.objects.none()

    def get_queryset(self) -> QuerySet:
        return selectors.my_rooms(host=self.request.user)


class RoomDetailApi(APIView):
    @extend_schema(tags=TAGS, operation_id="live_rooms_retrieve", responses=s.RoomSerializer)
    def get(self, request: Request, room_id: int) -> Response:
        """One room."""
        return Response(room_body(selectors.room_get(room_id=room_id)))

    @extend_schema(
        tags=TAGS,
        operation_id="live_rooms_partial_update",
        request=s.RoomUpdateSerializer,
        responses=s.RoomSerializer,
    )
    def patch(self, request: Request, room_id: int) -> Response:
        """Edit my scheduled room (409 once it started)."""
        room = selectors.room_for_host(room_id=room_id, host=request.user)
        data = validated(s.RoomUpdateSerializer, request.data)
        return Response(room_body(services.room_update(room=room, **data)))


class RoomCancelApi(APIView):
    @extend_schema(tags=TAGS, request=None, responses=s.RoomSerializer)
    def post(self, request: Request, room_id: int) -> Response:
        """Cancel my scheduled room."""
        room = selectors.room_for_host(room_id=room_id, host=request.user)
        return Response(room_body(services.room_cancel(room=room)))


class RoomEndApi(APIView):
    @extend_schema(tags=TAGS, request=None, responses=s.RoomSerializer)
    def post(self, request: Request, room_id: int) -> Response:
        """End my live room now (the media server drops the stream at its next update)."""
        room = selectors.room_for_host(room_id=room_id, host=request.user)
        return Response(room_body(services.room_end(room_id=room.pk, by="host")))


class RoomReminderApi(APIView):
    @extend_schema(tags=TAGS, request=None, responses=s.ReminderSerializer)
    def post(self, request: Request, room_id: int) -> Response:
        """Remind me when this scheduled room starts (a notification)."""
        room = selectors.room_get(room_id=room_id)
        return Response({"reminded": services.reminder_set(room=room, user=request.user, on=True)})

    @extend_schema(tags=TAGS, responses={200: s.ReminderSerializer})
    def delete(self, request: Request, room_id: int) -> Response:
        """Stop reminding me."""
        room = selectors.room_get(room_id=room_id)
        return Response({"reminded": services.reminder_set(room=room, user=request.user, on=False)})


def _key_body(stream_key: StreamKey, key: str | None = None) -> dict:
    body = {
        "hint": stream_key.hint,
        "rotated_at": stream_key.rotated_at,
        "rtmp_url": settings.LIVE_RTMP_URL,
    }
    if key is not None:
        body["stream_key"] = key
        return s.NewStreamKeySerializer(body).data
    return s.StreamKeySerializer(body).data


class StreamKeyApi(APIView):
    @extend_schema(tags=TAGS, responses=s.StreamKeySerializer)
    def get(self, request: Request) -> Response:
        """My stream key's hint and the RTMP URL (the key itself is shown only at rotation)."""
        return Response(_key_body(selectors.stream_key_of(host=request.user)))


class StreamKeyRotateApi(APIView):
    @extend_schema(tags=TAGS, request=None, responses={201: s.NewStreamKeySerializer})
    def post(self, request: Request) -> Response:
        """A new stream key, shown this once; the previous key stops working at once."""
        stream_key, key = services.stream_key_rotate(host=request.user)
        return Response(_key_body(stream_key, key), status=status.HTTP_201_CREATED)
