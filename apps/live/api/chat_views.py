"""Chat over REST: history for late joiners, and what hosts and moderators do to the chat.

Host and moderators (of the room, or of all the host's rooms) delete messages, time out, ban
and change the chat modes; only the host appoints moderators, allows speakers and keeps
blocked words. A stranger gets 403 on a room's moderation routes, 404 for a missing room.
"""

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.generics import ListAPIView
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.live import selectors, services
from apps.live.api import serializers as s
from apps.live.api.room_views import TAGS, room_body, validated
from apps.live.models import AllowedSpeaker, LiveBlockedWord, Moderator, Room, Sanction


class ChatHistoryApi(APIView):
    @extend_schema(tags=TAGS, responses=s.ChatMessageSerializer(many=True))
    def get(self, request: Request, room_id: int) -> Response:
        """The room's last 100 visible messages, oldest first."""
        selectors.room_get(room_id=room_id)
        messages = selectors.chat_history(room_id=room_id)
        return Response(s.ChatMessageSerializer(messages, many=True).data)


class ChatMessageDeleteApi(APIView):
    @extend_schema(tags=TAGS, responses={204: None})
    def delete(self, request: Request, room_id: int, message_id: int) -> Response:
        """Delete a message (host or moderator): every socket drops it."""
        room = selectors.room_for_moderator(room_id=room_id, user=request.user)
        services.message_delete(room=room, message_id=message_id)
        return Response(status=status.HTTP_204_NO_CONTENT)


class ChatSettingsApi(APIView):
    @extend_schema(tags=TAGS, request=s.ChatSettingsSerializer, responses=s.RoomSerializer)
    def patch(self, request: Request, room_id: int) -> Response:
        """Slow mode, followers-only, allow-list-only (host or moderator)."""
        room = selectors.room_for_moderator(room_id=room_id, user=request.user)
        data = validated(s.ChatSettingsSerializer, request.data)
        return Response(room_body(services.chat_settings_update(room=room, **data)))


@extend_schema(tags=TAGS)
class SanctionListApi(ListAPIView):
    """Timeouts and bans in the room (host or moderator)."""

    serializer_class = s.SanctionSerializer
    queryset = Sanction.objects.none()

    def get_queryset(self) -> QuerySet:
        room = selectors.room_for_moderator(room_id=self.kwargs["room_id"], user=self.request.user)
        return selectors.sanctions_of(room=room)

    @extend_schema(request=s.SanctionCreateSerializer, responses={201: s.SanctionSerializer})
    def post(self, request: Request, room_id: int) -> Response:
        """Time a user out for some seconds, or ban them from the room."""
        room = selectors.room_for_moderator(room_id=room_id, user=request.user)
        data = validated(s.SanctionCreateSerializer, request.data)
        sanction = services.sanction_add(room=room, by=request.user, **data)
        return Response(s.SanctionSerializer(sanction).data, status=status.HTTP_201_CREATED)


class SanctionLiftApi(APIView):
    @extend_schema(tags=TAGS, responses={204: None})
    def delete(self, request: Request, room_id: int, user_id: int) -> Response:
        """Lift a user's timeouts and ban in the room."""
        room = selectors.room_for_moderator(room_id=room_id, user=request.user)
        services.sanction_lift(room=room, user_id=user_id)
        return Response(status=status.HTTP_204_NO_CONTENT)


@extend_schema(tags=TAGS)
class AllowedSpeakerListApi(ListAPIView):
    """Who may write in allow-list-only mode (my room)."""

    serializer_class = s.AllowedSpeakerSerializer
    queryset = AllowedSpeaker.objects.none()

    def get_queryset(self) -> QuerySet:
        room = selectors.room_for_host(room_id=self.kwargs["room_id"], host=self.request.user)
        return selectors.allowed_speakers_of(room=room)

    @extend_schema(request=s.LiveUserIdSerializer, responses={201: s.AllowedSpeakerSerializer})
    def post(self, request: Request, room_id: int) -> Response:
        """Allow a user to write while the room is allow-list-only."""
        room = selectors.room_for_host(room_id=room_id, host=request.user)
        data = validated(s.LiveUserIdSerializer, request.data)
        speaker = services.allowed_speaker_add(room=room, **data)
        return Response(s.AllowedSpeakerSerializer(speaker).data, status=status.HTTP_201_CREATED)


class AllowedSpeakerRemoveApi(APIView):
    @extend_schema(tags=TAGS, responses={204: None})
    def delete(self, request: Request, room_id: int, user_id: int) -> Response:
        """Take a user off the room's allow-list."""
        room = selectors.room_for_host(room_id=room_id, host=request.user)
        services.allowed_speaker_remove(room=room, user_id=user_id)
        return Response(status=status.HTTP_204_NO_CONTENT)


@extend_schema(tags=TAGS)
class ModeratorListApi(ListAPIView):
    """My moderators: for one of my rooms, or for all of them."""

    serializer_class = s.ModeratorSerializer
    queryset = Moderator.objects.none()

    def get_queryset(self) -> QuerySet:
        return selectors.moderators_of(host=self.request.user)

    @extend_schema(request=s.ModeratorCreateSerializer, responses={201: s.ModeratorSerializer})
    def post(self, request: Request) -> Response:
        """Appoint a moderator (a repeat returns the existing one)."""
        data = validated(s.ModeratorCreateSerializer, request.data)
        room: Room | None = None
        if data["room_id"] is not None:
            room = selectors.room_for_host(room_id=data["room_id"], host=request.user)
        moderator = services.moderator_add(host=request.user, user_id=data["user_id"], room=room)
        return Response(s.ModeratorSerializer(moderator).data, status=status.HTTP_201_CREATED)


class ModeratorRemoveApi(APIView):
    @extend_schema(tags=TAGS, responses={204: None})
    def delete(self, request: Request, moderator_id: int) -> Response:
        """Dismiss one of my moderators."""
        services.moderator_remove(host=request.user, moderator_id=moderator_id)
        return Response(status=status.HTTP_204_NO_CONTENT)


@extend_schema(tags=TAGS)
class BlockedWordListApi(ListAPIView):
    """Words I do not want in my rooms' chat, each with its action (mask, hold, block)."""

    serializer_class = s.LiveBlockedWordSerializer
    queryset = LiveBlockedWord.objects.none()

    def get_queryset(self) -> QuerySet:
        return selectors.blocked_words_of(host=self.request.user)

    @extend_schema(
        request=s.LiveBlockedWordCreateSerializer, responses={201: s.LiveBlockedWordSerializer}
    )
    def post(self, request: Request) -> Response:
        """Add a blocked word."""
        data = validated(s.LiveBlockedWordCreateSerializer, request.data)
        word = services.blocked_word_add(host=request.user, **data)
        return Response(s.LiveBlockedWordSerializer(word).data, status=status.HTTP_201_CREATED)


class BlockedWordRemoveApi(APIView):
    @extend_schema(tags=TAGS, responses={204: None})
    def delete(self, request: Request, word_id: int) -> Response:
        """Remove one of my blocked words."""
        services.blocked_word_remove(host=request.user, word_id=word_id)
        return Response(status=status.HTTP_204_NO_CONTENT)
