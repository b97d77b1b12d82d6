"""Notes API: notes and media, engagement, comments, boards, feeds, topics and search."""

import base64
import binascii

import django_filters
from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import status
from rest_framework.exceptions import NotFound as DrfNotFound
from rest_framework.generics import ListAPIView
from rest_framework.parsers import MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.utils.urls import replace_query_param
from rest_framework.views import APIView

from apps.accounts.models import Profile
from apps.core.converters import ID_MAX, ID_PATH_SCHEMA
from apps.core.idempotency import OPTIONAL_IDEMPOTENCY_KEY_PARAMETER as OPTIONAL_IDEMPOTENCY_KEY
from apps.core.idempotency import at_most_once
from apps.core.pagination import CreatedCursorPagination
from apps.notes import selectors, services
from apps.notes.api import serializers as s
from apps.notes.models import Board, Collect, Comment, Note, NoteKind, NoteStatus, NoteVisibility
from apps.notes.selectors import FeedPosition

# --- pagination ---------------------------------------------------------------------------


class PublishedCursorPagination(CreatedCursorPagination):
    """Newest published first (feeds, topic pages, a user's notes, search)."""

    ordering = ("-published_at", "-id")


class OldestFirstCursorPagination(CreatedCursorPagination):
    """Replies read top to bottom, oldest first."""

    ordering = ("created_at", "id")


class FansCursorPagination(CreatedCursorPagination):
    """User search: the most followed first."""

    ordering = ("-fans_count", "-user_id")


def _note_response(request: Request, note_id: int, code: int = status.HTTP_200_OK) -> Response:
    note = selectors.note_get_for_viewer(note_id=note_id, viewer=request.user)
    return Response(s.NoteDetailSerializer(note, context={"request": request}).data, status=code)


def _files(request: Request) -> dict:
    """Uploaded files by field (``images`` may repeat)."""
    return {
        "images": request.FILES.getlist("images"),
        "video": request.FILES.get("video"),
        "cover": request.FILES.get("cover"),
    }


# --- notes --------------------------------------------------------------------------------


class NoteCreateApi(APIView):
    """Create an image or video note in one multipart request, as a draft or published.

    Every file is checked (Pillow for images, ffprobe for videos) before anything is stored;
    a refused note leaves no file behind.
    """

    parser_classes = [MultiPartParser]  # uploads: multipart only, nothing else

    @extend_schema(
        tags=["notes"],
        request={"multipart/form-data": s.NoteCreateSerializer},
        responses={201: s.NoteDetailSerializer},
        parameters=[OPTIONAL_IDEMPOTENCY_KEY],
    )
    def post(self, request: Request) -> Response:
        return at_most_once(self, request, lambda: self._create(request))

    def _create(self, request: Request) -> Response:
        data = s.NoteCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        for name in ("images", "video", "cover"):
            fields.pop(name, None)
        note = services.note_create(author=request.user, **fields, **_files(request))
        return _note_response(request, note.pk, status.HTTP_201_CREATED)


class NoteDetailApi(APIView):
    @extend_schema(tags=["notes"], responses=s.NoteDetailSerializer)
    def get(self, request: Request, note_id: int) -> Response:
        """A note; the author also sees drafts, private notes and notes held by moderation."""
        return _note_response(request, note_id)

    @extend_schema(tags=["notes"], request=s.NoteUpdateSerializer, responses=s.NoteDetailSerializer)
    def patch(self, request: Request, note_id: int) -> Response:
        """Edit my note's text, category, location or visibility (screened again if published)."""
        existing = selectors.note_visible_or_404(note_id=note_id, viewer=request.user)
        data = s.NoteUpdateSerializer(
            data=request.data, partial=True, context={"location_name": existing.location_name}
        )
        data.is_valid(raise_exception=True)
        services.note_update(note_id=note_id, actor=request.user, **data.validated_data)
        return _note_response(request, note_id)

    @extend_schema(tags=["notes"], responses={204: None})
    def delete(self, request: Request, note_id: int) -> Response:
        """Delete my note (soft delete: it leaves every list and count)."""
        services.note_delete(note_id=note_id, actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class NotePublishApi(APIView):
    @extend_schema(tags=["notes"], request=None, responses=s.NoteDetailSerializer)
    def post(self, request: Request, note_id: int) -> Response:
        """Publish my draft; it is screened now. Publishing twice changes nothing."""
        services.note_publish(note_id=note_id, actor=request.user)
        return _note_response(request, note_id)


class NoteMediaApi(APIView):
    parser_classes = [MultiPartParser]  # uploads: multipart only, nothing else

    @extend_schema(
        tags=["notes"],
        request={"multipart/form-data": s.NoteMediaSerializer},
        responses=s.NoteDetailSerializer,
    )
    def put(self, request: Request, note_id: int) -> Response:
        """Replace my note's images or video whole; refused files leave nothing stored."""
        data = s.NoteMediaSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.note_media_replace(note_id=note_id, actor=request.user, **_files(request))
        return _note_response(request, note_id)


# --- engagement ---------------------------------------------------------------------------


class NoteLikeApi(APIView):
    """Like (POST) and unlike (DELETE); both are idempotent."""

    @extend_schema(
        tags=["engagement"],
        request=s.EngagementInputSerializer,
        responses={200: s.LikeStateSerializer, 201: s.LikeStateSerializer},
    )
    def post(self, request: Request, note_id: int) -> Response:
        data = s.EngagementInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        note, created = services.note_like(
            user=request.user, note_id=note_id, source=data.validated_data.get("source", "")
        )
        code = status.HTTP_201_CREATED if created else status.HTTP_200_OK
        return Response({"liked": True, "likes_count": note.likes_count}, status=code)

    @extend_schema(tags=["engagement"], responses={200: s.LikeStateSerializer})
    def delete(self, request: Request, note_id: int) -> Response:
        note, _ = services.note_unlike(user=request.user, note_id=note_id)
        return Response({"liked": False, "likes_count": note.likes_count})


class NoteCollectApi(APIView):
    """Collect (POST, optionally into one of my boards) and uncollect (DELETE); idempotent."""

    @extend_schema(
        tags=["engagement"],
        request=s.CollectInputSerializer,
        responses={200: s.CollectStateSerializer, 201: s.CollectStateSerializer},
    )
    def post(self, request: Request, note_id: int) -> Response:
        data = s.CollectInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        collect, created = services.note_collect(
            user=request.user,
            note_id=note_id,
            board_id=data.validated_data.get("board_id"),
            source=data.validated_data.get("source", ""),
        )
        body = {
            "collected": True,
            "collects_count": collect.note.collects_count,
            "board_id": collect.board_id,
        }
        return Response(body, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)

    @extend_schema(tags=["engagement"], responses={200: s.CollectStateSerializer})
    def delete(self, request: Request, note_id: int) -> Response:
        note, _ = services.note_uncollect(user=request.user, note_id=note_id)
        return Response(
            {"collected": False, "collects_count": note.collects_count, "board_id": None}
        )


class NoteShareApi(APIView):
    """Count a share of a public note (once per user; repeats update the channel)."""

    @extend_schema(
        tags=["engagement"],
        request=s.ShareInputSerializer,
        responses={200: s.ShareStateSerializer, 201: s.ShareStateSerializer},
    )
    def post(self, request: Request, note_id: int) -> Response:
        data = s.ShareInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        note, created = services.note_share(
            user=request.user, note_id=note_id, channel=data.validated_data["channel"]
        )
        code = status.HTTP_201_CREATED if created else status.HTTP_200_OK
        return Response({"shares_count": note.shares_count}, status=code)


# --- comments -----------------------------------------------------------------------------


def _comment_response(request: Request, comment_id: int, code: int) -> Response:
    comment = selectors.comment_get_for_viewer(comment_id=comment_id, viewer=request.user)
    return Response(s.CommentSerializer(comment, context={"request": request}).data, status=code)


class NoteCommentsApi(ListAPIView):
    """A note's top-level comments, newest first (GET); comment or reply (POST)."""

    serializer_class = s.CommentSerializer
    queryset = Comment.objects.none()  # for the schema; get_queryset() applies the rules

    def get_queryset(self) -> QuerySet:
        return selectors.note_comments(note_id=self.kwargs["note_id"], viewer=self.request.user)

    @extend_schema(
        tags=["comments"],
        description="The note's pinned comment comes first on the first page (`pinned: true`).",
    )
    def get(self, request: Request, *args: object, **kwargs: object) -> Response:
        response = super().get(request, *args, **kwargs)
        if self.paginator.cursor_query_param not in request.query_params:
            pinned = selectors.note_pinned_comment(note_id=kwargs["note_id"], viewer=request.user)
            if pinned is not None:
                data = s.CommentSerializer(pinned, context=self.get_serializer_context()).data
                response.data["results"].insert(0, data)
        return response

    @extend_schema(
        tags=["comments"],
        request=s.CommentCreateSerializer,
        responses={201: s.CommentSerializer},
        parameters=[OPTIONAL_IDEMPOTENCY_KEY],
    )
    def post(self, request: Request, note_id: int) -> Response:
        return at_most_once(self, request, lambda: self._create(request, note_id))

    def _create(self, request: Request, note_id: int) -> Response:
        data = s.CommentCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        comment = services.comment_create(
            author=request.user,
            note_id=note_id,
            body=data.validated_data["body"],
            reply_to_id=data.validated_data.get("reply_to"),
        )
        comment = selectors.comment_written_by(comment_id=comment.pk, author=request.user)
        return Response(
            s.CommentSerializer(comment, context={"request": request}).data,
            status=status.HTTP_201_CREATED,
        )


class CommentDetailApi(APIView):
    @extend_schema(tags=["comments"], responses=s.CommentSerializer)
    def get(self, request: Request, comment_id: int) -> Response:
        """One comment (for deep links from notifications)."""
        return _comment_response(request, comment_id, status.HTTP_200_OK)

    @extend_schema(tags=["comments"], responses={204: None})
    def delete(self, request: Request, comment_id: int) -> Response:
        """Delete a comment I wrote, or any comment on my note; replies go with it."""
        services.comment_delete(comment_id=comment_id, actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


@extend_schema(tags=["comments"])
class CommentRepliesApi(ListAPIView):
    """Replies under a top-level comment, oldest first."""

    serializer_class = s.CommentSerializer
    pagination_class = OldestFirstCursorPagination
    queryset = Comment.objects.none()

    def get_queryset(self) -> QuerySet:
        return selectors.comment_replies(
            comment_id=self.kwargs["comment_id"], viewer=self.request.user
        )


class CommentLikeApi(APIView):
    """Like (POST) and unlike (DELETE) a comment; both are idempotent."""

    @extend_schema(
        tags=["comments"],
        request=None,
        responses={200: s.LikeStateSerializer, 201: s.LikeStateSerializer},
    )
    def post(self, request: Request, comment_id: int) -> Response:
        comment, created = services.comment_like(user=request.user, comment_id=comment_id)
        code = status.HTTP_201_CREATED if created else status.HTTP_200_OK
        return Response({"liked": True, "likes_count": comment.likes_count}, status=code)

    @extend_schema(tags=["comments"], responses={200: s.LikeStateSerializer})
    def delete(self, request: Request, comment_id: int) -> Response:
        comment, _ = services.comment_unlike(user=request.user, comment_id=comment_id)
        return Response({"liked": False, "likes_count": comment.likes_count})


# --- feeds --------------------------------------------------------------------------------


def _encode_position(position: FeedPosition) -> str:
    raw = f"{position.score}:{position.note_id}".encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _decode_position(cursor: str) -> FeedPosition:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode("ascii")
        score, note_id = raw.split(":")
        position = FeedPosition(score=int(score), note_id=int(note_id))
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise DrfNotFound("Invalid cursor") from None
    if not (-(2**62) < position.score < 2**62 and 0 < position.note_id < 2**63):
        raise DrfNotFound("Invalid cursor")
    return position


class DiscoveryFeedApi(APIView):
    """The discovery feed: public notes by engagement with time decay, lifted by my interests.

    Pages forward with an opaque cursor on (score, id). Promoted notes from the feed-slot
    providers (``apps/notes/hooks.py``) take places within ``page_size`` and carry
    ``promoted: true``; the organic notes they push out open the next page.
    """

    @extend_schema(
        tags=["feeds"],
        parameters=[s.DiscoveryQuerySerializer],
        responses=s.DiscoveryPageSerializer,
    )
    def get(self, request: Request) -> Response:
        query = s.DiscoveryQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        cursor = query.validated_data.get("cursor")
        page = selectors.discovery_feed(
            viewer=request.user,
            position=_decode_position(cursor) if cursor else None,
            size=query.validated_data["page_size"],
        )
        next_url = None
        if page.next_position is not None:
            next_url = replace_query_param(
                request.build_absolute_uri(), "cursor", _encode_position(page.next_position)
            )
        for item in page.items:
            item.note.promoted = item.promoted
        notes = [item.note for item in page.items]
        results = s.DiscoveryItemSerializer(notes, many=True, context={"request": request}).data
        return Response({"next": next_url, "previous": None, "results": results})


@extend_schema(tags=["feeds"])
class FollowingFeedApi(ListAPIView):
    """Public notes of the people I follow, newest first."""

    serializer_class = s.NoteCardSerializer
    pagination_class = PublishedCursorPagination
    queryset = Note.objects.none()

    def get_queryset(self) -> QuerySet:
        return selectors.following_feed(viewer=self.request.user)


class TopicDetailApi(APIView):
    @extend_schema(tags=["topics"], responses=s.TopicDetailSerializer)
    def get(self, request: Request, topic_id: int) -> Response:
        topic = selectors.topic_get(topic_id=topic_id)
        topic.notes_count = selectors.topic_notes(topic_id=topic_id, viewer=request.user).count()
        return Response(s.TopicDetailSerializer(topic).data)


@extend_schema(tags=["topics"])
class TopicNotesApi(ListAPIView):
    """Public notes carrying a topic, newest first."""

    serializer_class = s.NoteCardSerializer
    pagination_class = PublishedCursorPagination
    queryset = Note.objects.none()

    def get_queryset(self) -> QuerySet:
        return selectors.topic_notes(topic_id=self.kwargs["topic_id"], viewer=self.request.user)


@extend_schema(tags=["users"])
class UserNotesApi(ListAPIView):
    """A user's published notes, newest first (mine include private and held ones)."""

    serializer_class = s.NoteCardSerializer
    pagination_class = PublishedCursorPagination
    queryset = Note.objects.none()

    def get_queryset(self) -> QuerySet:
        return selectors.user_notes(user_id=self.kwargs["user_id"], viewer=self.request.user)


class MyNoteFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(
        choices=[(NoteStatus.DRAFT, "Draft"), (NoteStatus.PUBLISHED, "Published")]
    )
    visibility = django_filters.ChoiceFilter(choices=NoteVisibility.choices)
    kind = django_filters.ChoiceFilter(choices=NoteKind.choices)

    class Meta:
        model = Note
        fields = ("status", "visibility", "kind")


@extend_schema(tags=["me"])
class MyNotesApi(ListAPIView):
    """My drafts and notes, newest first; filter by status, visibility or kind."""

    serializer_class = s.OwnNoteCardSerializer
    filterset_class = MyNoteFilter
    queryset = Note.objects.none()

    def get_queryset(self) -> QuerySet:
        return selectors.my_notes(viewer=self.request.user)


# --- boards and collects --------------------------------------------------------------------


class MyBoardsApi(ListAPIView):
    """My boards, newest first (GET); create one (POST). Boards are private to me."""

    serializer_class = s.BoardSerializer
    queryset = Board.objects.none()

    def get_queryset(self) -> QuerySet:
        return selectors.boards_of(owner=self.request.user)

    @extend_schema(tags=["boards"])
    def get(self, request: Request, *args: object, **kwargs: object) -> Response:
        return super().get(request, *args, **kwargs)

    @extend_schema(
        tags=["boards"], request=s.BoardInputSerializer, responses={201: s.BoardSerializer}
    )
    def post(self, request: Request) -> Response:
        data = s.BoardInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        board = services.board_create(owner=request.user, name=data.validated_data["name"])
        board.notes_count = 0
        return Response(s.BoardSerializer(board).data, status=status.HTTP_201_CREATED)


class MyBoardDetailApi(APIView):
    @extend_schema(tags=["boards"], request=s.BoardInputSerializer, responses=s.BoardSerializer)
    def patch(self, request: Request, board_id: int) -> Response:
        """Rename one of my boards (a body without ``name`` changes nothing, as PATCH says)."""
        data = s.BoardInputSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        if "name" in data.validated_data:
            services.board_rename(
                owner=request.user, board_id=board_id, name=data.validated_data["name"]
            )
        board = get_object_or_404(selectors.boards_of(owner=request.user), pk=board_id)
        return Response(s.BoardSerializer(board).data)

    @extend_schema(tags=["boards"], responses={204: None})
    def delete(self, request: Request, board_id: int) -> Response:
        """Delete one of my boards; its notes stay collected."""
        services.board_delete(owner=request.user, board_id=board_id)
        return Response(status=status.HTTP_204_NO_CONTENT)


class MyCollectFilter(django_filters.FilterSet):
    board = extend_schema_field(ID_PATH_SCHEMA)(django_filters.NumberFilter)(
        field_name="board_id", min_value=1, max_value=ID_MAX
    )

    class Meta:
        model = Collect
        fields = ("board",)


@extend_schema(tags=["boards"])
class MyCollectsApi(ListAPIView):
    """Notes I collected, newest first; ``board`` narrows to one of my boards."""

    serializer_class = s.CollectItemSerializer
    filterset_class = MyCollectFilter
    queryset = Collect.objects.none()

    def get_queryset(self) -> QuerySet:
        return selectors.collects_of(owner=self.request.user)


# --- search -------------------------------------------------------------------------------


class _SearchApi(ListAPIView):
    def search_query(self) -> str:
        query = s.SearchQuerySerializer(data=self.request.query_params)
        query.is_valid(raise_exception=True)
        return query.validated_data["q"]


@extend_schema(tags=["search"], parameters=[s.SearchQuerySerializer])
class SearchNotesApi(_SearchApi):
    """Public notes whose title, body or topics contain the words, newest first."""

    serializer_class = s.NoteCardSerializer
    pagination_class = PublishedCursorPagination
    queryset = Note.objects.none()

    def get_queryset(self) -> QuerySet:
        return selectors.search_notes(query=self.search_query(), viewer=self.request.user)


@extend_schema(tags=["search"], parameters=[s.SearchQuerySerializer])
class SearchUsersApi(_SearchApi):
    """Users whose display name contains the words, most followed first."""

    serializer_class = s.UserSearchResultSerializer
    pagination_class = FansCursorPagination
    queryset = Profile.objects.none()

    def get_queryset(self) -> QuerySet:
        return selectors.search_users(query=self.search_query(), viewer=self.request.user)
