"""Comment management in the creator center: the inbox of comments on my notes and its actions,
my blocked words and trusted commenters, and who may comment on each note.

The creator is always ``request.user``; a comment or note id that is not on one of my notes is
404, and a batch with one such id changes nothing.
"""

from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.generics import ListAPIView
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.creators import comments_selectors as selectors
from apps.creators import comments_services as services
from apps.creators.api import comments_serializers as s
from apps.creators.comments_selectors import InboxFilters
from apps.creators.models import TrustedCommenter
from apps.notes import services as note_services
from apps.notes.api.common import OPTIONAL_IDEMPOTENCY_KEY, at_most_once
from apps.notes.api.serializers import CommentSerializer
from apps.notes.models import Comment
from apps.notes.selectors import comment_written_by

TAGS = ["creator center: comments"]
COMMENT_ID = OpenApiParameter(
    "comment_id", int, OpenApiParameter.PATH, description="A comment on one of my notes."
)


def _validated(serializer_class: type, data: object) -> dict:
    serializer = serializer_class(data=data)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


def _inbox_item(request: Request, comment_id: int, code: int = status.HTTP_200_OK) -> Response:
    comment = selectors.get_comment_for_creator(comment_id=comment_id, creator=request.user)
    data = s.InboxCommentSerializer(comment, context={"request": request}).data
    return Response(data, status=code)


def _act(request: Request, comment_id: int, action: str) -> Response:
    services.comments_manage(note_author=request.user, comment_ids=[comment_id], action=action)
    return _inbox_item(request, comment_id)


# --- the inbox ----------------------------------------------------------------------------


class CreatorCommentInboxApi(ListAPIView):
    """Comments by others on my notes, newest first, with filters.

    Without ``state``: visible and hidden comments (``state`` tells which); ``state=held`` is
    the queue waiting for my approval. Comments held or hidden by moderation are not here.
    """

    serializer_class = s.InboxCommentSerializer
    queryset = Comment.objects.none()  # for the schema; get_queryset() applies the rules

    def get_queryset(self) -> QuerySet[Comment]:
        query = _validated(s.InboxQuerySerializer, self.request.query_params)
        filters = InboxFilters(
            note_id=query.get("note"),
            author_id=query.get("author"),
            unreplied=query["unreplied"],
            fans_only=query["fans_only"],
            date_from=query.get("date_from"),
            date_to=query.get("date_to"),
            query=query.get("q", ""),
            state=query.get("state"),
        )
        return selectors.creator_comment_inbox(creator=self.request.user, filters=filters)

    def paginate_queryset(self, queryset: QuerySet[Comment]) -> list[Comment] | None:
        page = super().paginate_queryset(queryset)
        return (
            None if page is None else selectors.with_author_flags(page, creator=self.request.user)
        )

    @extend_schema(
        operation_id="creator_comments_inbox", tags=TAGS, parameters=[s.InboxQuerySerializer]
    )
    def get(self, request: Request, *args: object, **kwargs: object) -> Response:
        return super().get(request, *args, **kwargs)


class CreatorCommentDetailApi(APIView):
    @extend_schema(
        operation_id="creator_comment_get",
        tags=TAGS,
        parameters=[COMMENT_ID],
        responses=s.InboxCommentSerializer,
    )
    def get(self, request: Request, comment_id: int) -> Response:
        """One comment on my notes, as the inbox shows it (any state)."""
        return _inbox_item(request, comment_id)

    @extend_schema(
        operation_id="creator_comment_delete",
        tags=TAGS,
        parameters=[COMMENT_ID],
        responses={204: None},
    )
    def delete(self, request: Request, comment_id: int) -> Response:
        """Delete a comment on my notes; a top-level comment's replies go with it."""
        services.comments_manage(
            note_author=request.user, comment_ids=[comment_id], action="delete"
        )
        return Response(status=status.HTTP_204_NO_CONTENT)


class CreatorCommentBatchApi(APIView):
    @extend_schema(
        operation_id="creator_comments_batch",
        tags=TAGS,
        request=s.BatchInputSerializer,
        responses=s.BatchResultSerializer,
    )
    def post(self, request: Request) -> Response:
        """Hide, unhide, approve, reject or delete up to 100 comments at once: all or none.

        404 if one id is not a live comment on my notes, 409 if one comment is in a state the
        action cannot leave (approving a hidden comment); nothing changes in either case.
        """
        data = _validated(s.BatchInputSerializer, request.data)
        comments = services.comments_manage(
            note_author=request.user, comment_ids=data["ids"], action=data["action"]
        )
        return Response(
            s.BatchResultSerializer({"action": data["action"], "results": comments}).data
        )


class CreatorCommentReplyApi(APIView):
    @extend_schema(
        operation_id="creator_comment_reply",
        tags=TAGS,
        parameters=[COMMENT_ID, OPTIONAL_IDEMPOTENCY_KEY],
        request=s.ReplyInputSerializer,
        responses={201: CommentSerializer},
    )
    def post(self, request: Request, comment_id: int) -> Response:
        """Answer a comment on my note; the reply is a public comment by me, under its thread."""
        return at_most_once(self, request, lambda: self._reply(request, comment_id))

    def _reply(self, request: Request, comment_id: int) -> Response:
        data = _validated(s.ReplyInputSerializer, request.data)
        reply = services.comment_reply_as_creator(
            creator=request.user, comment_id=comment_id, body=data["body"]
        )
        reply = comment_written_by(comment_id=reply.pk, author=request.user)
        return Response(
            CommentSerializer(reply, context={"request": request}).data,
            status=status.HTTP_201_CREATED,
        )


class CreatorCommentPinApi(APIView):
    @extend_schema(
        operation_id="creator_comment_pin",
        tags=TAGS,
        parameters=[COMMENT_ID],
        request=None,
        responses=s.InboxCommentSerializer,
    )
    def post(self, request: Request, comment_id: int) -> Response:
        """Pin a top-level comment on my note (it replaces the note's earlier pin)."""
        services.comment_pin(note_author=request.user, comment_id=comment_id)
        return _inbox_item(request, comment_id)

    @extend_schema(
        operation_id="creator_comment_unpin",
        tags=TAGS,
        parameters=[COMMENT_ID],
        responses=s.InboxCommentSerializer,
    )
    def delete(self, request: Request, comment_id: int) -> Response:
        """Unpin it; repeating it changes nothing."""
        services.comment_unpin(note_author=request.user, comment_id=comment_id)
        return _inbox_item(request, comment_id)


class CreatorCommentHideApi(APIView):
    @extend_schema(
        operation_id="creator_comment_hide",
        tags=TAGS,
        parameters=[COMMENT_ID],
        request=None,
        responses=s.InboxCommentSerializer,
    )
    def post(self, request: Request, comment_id: int) -> Response:
        """Hide a comment: only its author still sees it (and is not told). No strike."""
        return _act(request, comment_id, "hide")

    @extend_schema(
        operation_id="creator_comment_unhide",
        tags=TAGS,
        parameters=[COMMENT_ID],
        responses=s.InboxCommentSerializer,
    )
    def delete(self, request: Request, comment_id: int) -> Response:
        """Show a comment I hid again."""
        return _act(request, comment_id, "unhide")


class CreatorCommentApproveApi(APIView):
    @extend_schema(
        operation_id="creator_comment_approve",
        tags=TAGS,
        parameters=[COMMENT_ID],
        request=None,
        responses=s.InboxCommentSerializer,
    )
    def post(self, request: Request, comment_id: int) -> Response:
        """Publish a comment my blocked words held for my approval."""
        return _act(request, comment_id, "approve")


class CreatorCommentRejectApi(APIView):
    @extend_schema(
        operation_id="creator_comment_reject",
        tags=TAGS,
        parameters=[COMMENT_ID],
        request=None,
        responses=s.InboxCommentSerializer,
    )
    def post(self, request: Request, comment_id: int) -> Response:
        """Reject a held comment: it never shows to anyone but its author."""
        return _act(request, comment_id, "reject")


class CreatorCommentBlockAuthorApi(APIView):
    @extend_schema(
        operation_id="creator_comment_block_author",
        tags=TAGS,
        parameters=[COMMENT_ID],
        request=s.BlockAuthorInputSerializer,
        responses=s.BlockAuthorResultSerializer,
    )
    def post(self, request: Request, comment_id: int) -> Response:
        """Block the comment's author (accounts' block), hiding their comments on my notes."""
        data = _validated(s.BlockAuthorInputSerializer, request.data)
        blocked_id, hidden = services.comment_author_block(
            creator=request.user, comment_id=comment_id, hide_comments=data["hide_comments"]
        )
        result = {"blocked_user_id": blocked_id, "hidden_comments": hidden}
        return Response(s.BlockAuthorResultSerializer(result).data)


# --- my filters ---------------------------------------------------------------------------


class CreatorBlockedWordsApi(APIView):
    @extend_schema(
        operation_id="creator_blocked_words_list",
        tags=TAGS,
        responses=s.BlockedWordListSerializer,
    )
    def get(self, request: Request) -> Response:
        """My blocked words (at most 200, all in one list)."""
        words = selectors.blocked_words_of(creator=request.user)
        data = {"results": words, "limit": services.MAX_BLOCKED_WORDS}
        return Response(s.BlockedWordListSerializer(data).data)

    @extend_schema(
        operation_id="creator_blocked_words_create",
        tags=TAGS,
        request=s.BlockedWordInputSerializer,
        responses={201: s.BlockedWordSerializer},
    )
    def post(self, request: Request) -> Response:
        """Add a word with its action: hide the comment, hold it for my approval, or also block
        its author. Matched ignoring case, width, spaces, punctuation and emoji."""
        data = _validated(s.BlockedWordInputSerializer, request.data)
        word = services.blocked_word_create(creator=request.user, **data)
        return Response(s.BlockedWordSerializer(word).data, status=status.HTTP_201_CREATED)


class CreatorBlockedWordApi(APIView):
    @extend_schema(
        operation_id="creator_blocked_word_update",
        tags=TAGS,
        request=s.BlockedWordUpdateSerializer,
        responses=s.BlockedWordSerializer,
    )
    def patch(self, request: Request, word_id: int) -> Response:
        """Change a word or its action."""
        data = _validated(s.BlockedWordUpdateSerializer, request.data)
        word = services.blocked_word_update(creator=request.user, word_id=word_id, **data)
        return Response(s.BlockedWordSerializer(word).data)

    @extend_schema(operation_id="creator_blocked_word_delete", tags=TAGS, responses={204: None})
    def delete(self, request: Request, word_id: int) -> Response:
        """Remove a word; comments it already caught keep their state."""
        services.blocked_word_delete(creator=request.user, word_id=word_id)
        return Response(status=status.HTTP_204_NO_CONTENT)


class CreatorTrustedCommentersApi(ListAPIView):
    """My trusted commenters, newest first: their comments skip my blocked words."""

    serializer_class = s.TrustedCommenterSerializer
    queryset = TrustedCommenter.objects.none()

    def get_queryset(self) -> QuerySet[TrustedCommenter]:
        return selectors.trusted_commenters_of(creator=self.request.user)

    @extend_schema(operation_id="creator_trusted_commenters_list", tags=TAGS)
    def get(self, request: Request, *args: object, **kwargs: object) -> Response:
        return super().get(request, *args, **kwargs)

    @extend_schema(
        operation_id="creator_trusted_commenters_add",
        tags=TAGS,
        request=s.TrustedInputSerializer,
        responses={200: s.TrustedCommenterSerializer, 201: s.TrustedCommenterSerializer},
    )
    def post(self, request: Request) -> Response:
        """Trust a user (201; 200 if already trusted)."""
        data = _validated(s.TrustedInputSerializer, request.data)
        row, created = services.trusted_commenter_add(creator=request.user, user_id=data["user_id"])
        row = selectors.trusted_commenters_of(creator=request.user).get(pk=row.pk)
        code = status.HTTP_201_CREATED if created else status.HTTP_200_OK
        return Response(
            s.TrustedCommenterSerializer(row, context={"request": request}).data, status=code
        )


class CreatorTrustedCommenterApi(APIView):
    @extend_schema(
        operation_id="creator_trusted_commenter_remove",
        tags=TAGS,
        parameters=[
            OpenApiParameter("user_id", int, OpenApiParameter.PATH, description="A user I trust.")
        ],
        responses={204: None},
    )
    def delete(self, request: Request, user_id: int) -> Response:
        """Stop trusting a user; repeating it changes nothing."""
        services.trusted_commenter_remove(creator=request.user, user_id=user_id)
        return Response(status=status.HTTP_204_NO_CONTENT)


class CreatorNoteCommentSettingsApi(APIView):
    @extend_schema(
        operation_id="creator_note_comment_settings_get",
        tags=TAGS,
        responses=s.CommentSettingsSerializer,
    )
    def get(self, request: Request, note_id: int) -> Response:
        """Who may comment on one of my notes."""
        note = selectors.get_note_for_creator(note_id=note_id, creator=request.user)
        return Response(s.CommentSettingsSerializer(note).data)

    @extend_schema(
        operation_id="creator_note_comment_settings_set",
        tags=TAGS,
        request=s.CommentSettingsSerializer,
        responses=s.CommentSettingsSerializer,
    )
    def put(self, request: Request, note_id: int) -> Response:
        """Set who may comment: everyone, fans (users following me) or nobody. I always may;
        existing comments stay."""
        data = _validated(s.CommentSettingsSerializer, request.data)
        note = selectors.get_note_for_creator(note_id=note_id, creator=request.user)
        note = note_services.note_comment_permission_set(
            note_id=note.pk, actor=request.user, who_can_comment=data["who_can_comment"]
        )
        return Response(s.CommentSettingsSerializer(note).data)
