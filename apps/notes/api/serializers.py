"""Request and response shapes for notes, comments, boards, feeds and search."""

from typing import Any

from django.db.models.fields.files import FieldFile
from drf_spectacular.utils import OpenApiExample, extend_schema_field, extend_schema_serializer
from rest_framework import serializers

from apps.accounts.api.serializers import CategorySerializer, UserCardSerializer
from apps.accounts.models import Category
from apps.analytics.kinds import EventSource
from apps.core.serializers import StrictCharField
from apps.moderation.targets import Visibility as ModerationVisibility
from apps.notes import hooks
from apps.notes.constants import BODY_MAX, COMMENT_MAX, MAX_IMAGES, TITLE_MAX
from apps.notes.models import (
    CommentPermission,
    MediaKind,
    NoteKind,
    NoteStatus,
    NoteVisibility,
    ShareChannel,
)


class FileUrlField(serializers.Field):
    """Absolute URL of a stored file, or null when there is none."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("read_only", True)
        super().__init__(**kwargs)

    def to_representation(self, value: Any) -> str | None:
        return _absolute_url(value, self.context.get("request"))


extend_schema_field({"type": "string", "format": "uri", "nullable": True})(FileUrlField)


# --- output -------------------------------------------------------------------------------


class CoverSerializer(serializers.Serializer):
    url = FileUrlField(source="cover")
    width = serializers.IntegerField(source="cover_width")
    height = serializers.IntegerField(source="cover_height")


def _absolute(url: str, request: Any) -> str:
    return request.build_absolute_uri(url) if request is not None else url


def _absolute_url(file: Any, request: Any) -> str | None:
    return _absolute(file.url, request) if file else None


def stored_file_url(instance: Any, field: str, request: Any) -> str | None:
    """Absolute URL of a model instance's stored file, from the column's stored name.

    Reading ``instance.<field>`` wraps the name in a FieldFile that points back at the
    instance: a reference cycle per card, which only the garbage collector frees, and the feeds
    build cards by the page. Cards read the stored name and ask the field's storage instead.
    """
    if field not in instance.__dict__:  # deferred: let the descriptor load it
        return _absolute_url(getattr(instance, field), request)
    value = instance.__dict__[field]
    name = value.name if isinstance(value, FieldFile) else value
    if not name:
        return None
    return _absolute(instance._meta.get_field(field).storage.url(name), request)


def cover_of(note: Any, request: Any) -> dict | None:
    """The cover object of a note (the shape CoverSerializer documents)."""
    url = stored_file_url(note, "cover", request)
    if url is None:
        return None
    return {
        "url": url,
        "width": note.cover_width,
        "height": note.cover_height,
    }


class NoteCoverField(serializers.Field):
    """The card image: the first image's thumbnail or the video's cover (null if none)."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("read_only", True)
        kwargs.setdefault("source", "*")
        super().__init__(**kwargs)

    def to_representation(self, note: Any) -> dict | None:
        return cover_of(note, self.context.get("request"))


extend_schema_field(CoverSerializer(allow_null=True))(NoteCoverField)


_DATETIME = serializers.DateTimeField()


# --- what higher apps add to a note (apps/notes/hooks.py) --------------------------------------


class NoteLabelSerializer(serializers.Serializer):
    key = serializers.CharField(help_text="Stable, for clients (e.g. `sponsored`).")
    text = serializers.CharField()


def _viewer(context: dict) -> Any:
    request = context.get("request")
    return getattr(request, "user", None)


def _extras_of(note: Any, context: dict) -> dict:
    """The registered labels and attachments of one note, as its serialized keys.

    Lists fetch them for the whole page first (``NoteListSerializer``); a single note asks the
    providers for itself. Nothing (and no key) while no provider is registered.
    """
    if not (hooks.note_labels or hooks.note_attachments):
        return {}
    missing_labels = hooks.note_labels and not hasattr(note, "extra_labels")
    if missing_labels or (hooks.note_attachments and not hasattr(note, "extra_attachments")):
        hooks.attach_note_extras([note], _viewer(context))
    extras: dict = {}
    if hooks.note_labels:
        extras["labels"] = [{"key": label.key, "text": label.text} for label in note.extra_labels]
    if hooks.note_attachments:
        extras["attachments"] = note.extra_attachments
    return extras


class NoteListSerializer(serializers.ListSerializer):
    """A list of notes: the label and attachment providers are asked once for the whole list."""

    def to_representation(self, data: Any) -> list:
        items = list(data.all() if hasattr(data, "all") else data)
        if hooks.note_labels or hooks.note_attachments:
            hooks.attach_note_extras(
                [self.child.note_of(item) for item in items], _viewer(self.context)
            )
        return super().to_representation(items)


class NoteLabelsField(serializers.Field):
    """The note's labels from the registered label providers."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.update(read_only=True, source="*")
        super().__init__(**kwargs)

    def to_representation(self, note: Any) -> list:
        return _extras_of(note, self.context)["labels"]


class NoteAttachmentsField(serializers.Field):
    """The note's attachments, by provider key (null where a provider has none for it)."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.update(read_only=True, source="*")
        super().__init__(**kwargs)

    def to_representation(self, note: Any) -> dict:
        return _extras_of(note, self.context)["attachments"]


extend_schema_field(NoteLabelSerializer(many=True))(NoteLabelsField)
extend_schema_field({"type": "object", "additionalProperties": {}})(NoteAttachmentsField)


# Adds ``labels`` / ``attachments`` to a note's fields while a provider is registered, so the
# schema and the output are today's when none is. (A comment, not a docstring: the schema would
# take a docstring as the description of every serializer without its own.)
class NoteExtrasMixin:
    def note_of(self, item: Any) -> Any:
        return item

    def get_fields(self) -> dict:
        fields = super().get_fields()
        if hooks.note_labels:
            fields["labels"] = NoteLabelsField()
        if hooks.note_attachments:
            fields["attachments"] = NoteAttachmentsField()
        return fields


class NoteCardSerializer(NoteExtrasMixin, serializers.Serializer):
    """A note in a feed or list: what a card in a two-column grid draws.

    The declared fields document the shape; ``to_representation`` builds it directly, since
    cards are the feeds' hot path (a test keeps the two in step).
    """

    class Meta:
        list_serializer_class = NoteListSerializer

    id = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=NoteKind.choices)
    title = serializers.CharField()
    cover = NoteCoverField()
    author = UserCardSerializer(source="author.profile")
    likes_count = serializers.IntegerField()
    liked = serializers.BooleanField(source="viewer_liked", help_text="Whether I liked it.")
    published_at = serializers.DateTimeField(allow_null=True)

    def to_representation(self, note: Any) -> dict:
        request = self.context.get("request")
        published_at = note.published_at
        profile = note.author.profile
        return {
            "id": note.pk,
            "kind": note.kind,
            "title": note.title,
            "cover": cover_of(note, request),
            # UserCardSerializer's shape, written out (tests compare the two).
            "author": {
                "id": profile.user_id,
                "username": note.author.username,
                "display_name": profile.display_name,
                "avatar": stored_file_url(profile, "avatar", request),
                "fans": profile.fans_count,
            },
            "likes_count": note.likes_count,
            "liked": bool(note.viewer_liked),
            "published_at": _DATETIME.to_representation(published_at) if published_at else None,
            **_extras_of(note, self.context),
        }


class OwnNoteCardSerializer(NoteCardSerializer):
    """A card in my own list: with the states only I see."""

    status = serializers.ChoiceField(choices=NoteStatus.choices)
    visibility = serializers.ChoiceField(choices=NoteVisibility.choices)
    moderation = serializers.ChoiceField(choices=ModerationVisibility.choices)
    created_at = serializers.DateTimeField()

    def to_representation(self, note: Any) -> dict:
        return {
            **super().to_representation(note),
            "status": note.status,
            "visibility": note.visibility,
            "moderation": note.moderation,
            "created_at": _DATETIME.to_representation(note.created_at),
        }


class DiscoveryItemSerializer(NoteCardSerializer):
    promoted = serializers.BooleanField(
        help_text="A paid promotion slot (Fries): a promoted note, not an organic one."
    )

    def to_representation(self, note: Any) -> dict:
        return {**super().to_representation(note), "promoted": bool(note.promoted)}


class DiscoveryPageSerializer(serializers.Serializer):
    next = serializers.URLField(allow_null=True, help_text="The next page, or null at the end.")
    previous = serializers.URLField(
        allow_null=True, help_text="Always null: the feed pages forward only."
    )
    results = DiscoveryItemSerializer(many=True)


class TopicSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class TopicDetailSerializer(TopicSerializer):
    notes_count = serializers.IntegerField(help_text="Public notes carrying the topic.")


class MentionSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    username = serializers.CharField()
    display_name = serializers.CharField(source="profile.display_name")


class LocationSerializer(serializers.Serializer):
    name = serializers.CharField(source="location_name")
    latitude = serializers.FloatField(allow_null=True)
    longitude = serializers.FloatField(allow_null=True)


class NoteLocationField(serializers.Field):
    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("read_only", True)
        kwargs.setdefault("source", "*")
        super().__init__(**kwargs)

    def to_representation(self, note: Any) -> dict | None:
        if not note.location_name:
            return None
        return {"name": note.location_name, "latitude": note.latitude, "longitude": note.longitude}


extend_schema_field(LocationSerializer(allow_null=True))(NoteLocationField)


class MediaSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=MediaKind.choices)
    url = FileUrlField(source="file")
    thumbnail_url = FileUrlField(source="thumbnail")
    format = serializers.CharField()
    width = serializers.IntegerField()
    height = serializers.IntegerField()
    size_bytes = serializers.IntegerField()
    duration_seconds = serializers.FloatField(allow_null=True)


class NoteDetailSerializer(NoteExtrasMixin, serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=NoteKind.choices)
    author = UserCardSerializer(source="author.profile")
    title = serializers.CharField()
    body = serializers.CharField()
    category = CategorySerializer(allow_null=True)
    topics = TopicSerializer(many=True)
    mentions = MentionSerializer(many=True)
    location = NoteLocationField()
    visibility = serializers.ChoiceField(choices=NoteVisibility.choices)
    status = serializers.ChoiceField(choices=NoteStatus.choices)
    moderation = serializers.ChoiceField(
        choices=ModerationVisibility.choices,
        help_text="`review` and `hidden` notes are shown to their author only.",
    )
    cover = NoteCoverField()
    media = MediaSerializer(many=True)
    likes_count = serializers.IntegerField()
    collects_count = serializers.IntegerField()
    comments_count = serializers.IntegerField()
    shares_count = serializers.IntegerField()
    who_can_comment = serializers.ChoiceField(
        choices=CommentPermission.choices,
        help_text="Set by the author: everyone, fans (users following the author) or nobody.",
    )
    liked = serializers.BooleanField(source="viewer_liked")
    collected = serializers.BooleanField(source="viewer_collected")
    published_at = serializers.DateTimeField(allow_null=True)
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()


class LikeStateSerializer(serializers.Serializer):
    liked = serializers.BooleanField()
    likes_count = serializers.IntegerField()


class CollectStateSerializer(serializers.Serializer):
    collected = serializers.BooleanField()
    collects_count = serializers.IntegerField()
    board_id = serializers.IntegerField(allow_null=True)


class ShareStateSerializer(serializers.Serializer):
    shares_count = serializers.IntegerField()


class ReplyTargetSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="user_id")
    username = serializers.CharField(source="user.username")
    display_name = serializers.CharField()


class ReplyTargetField(serializers.Field):
    """Whom a reply answers, or null for a top-level comment."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("read_only", True)
        kwargs.setdefault("source", "*")
        super().__init__(**kwargs)

    def to_representation(self, comment: Any) -> dict | None:
        if comment.reply_to_user_id is None:
            return None
        user = comment.reply_to_user
        return {"id": user.pk, "username": user.username, "display_name": user.profile.display_name}


extend_schema_field(ReplyTargetSerializer(allow_null=True))(ReplyTargetField)


class CommentSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    note_id = serializers.IntegerField()
    parent_id = serializers.IntegerField(
        allow_null=True, help_text="The top-level comment a reply hangs under."
    )
    reply_to_id = serializers.IntegerField(allow_null=True, help_text="The comment answered.")
    reply_to_user = ReplyTargetField()
    author = UserCardSerializer(source="author.profile")
    body = serializers.CharField()
    likes_count = serializers.IntegerField()
    replies_count = serializers.IntegerField()
    liked = serializers.BooleanField(source="viewer_liked")
    by_note_author = serializers.SerializerMethodField()
    under_review = serializers.SerializerMethodField()
    pinned = serializers.SerializerMethodField()
    created_at = serializers.DateTimeField()

    def get_by_note_author(self, comment: Any) -> bool:
        return comment.author_id == comment.note_author_id

    def get_pinned(self, comment: Any) -> bool:
        """Pinned by the note's author: shown first in the note's comments."""
        return comment.pinned_at is not None

    def get_under_review(self, comment: Any) -> bool:
        """True on my own comment while moderation holds it (others never see it)."""
        return comment.moderation != ModerationVisibility.VISIBLE


class BoardSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    notes_count = serializers.IntegerField()
    created_at = serializers.DateTimeField()


class CollectItemSerializer(serializers.Serializer):
    note = serializers.SerializerMethodField()
    board_id = serializers.IntegerField(allow_null=True)
    collected_at = serializers.DateTimeField(source="created_at")

    class Meta:
        list_serializer_class = NoteListSerializer

    def note_of(self, collect: Any) -> Any:
        return collect.note

    @extend_schema_field(NoteCardSerializer)
    def get_note(self, collect: Any) -> dict:
        collect.note.viewer_liked = collect.viewer_liked
        return NoteCardSerializer(collect.note, context=self.context).data


class UserSearchResultSerializer(UserCardSerializer):
    bio = serializers.CharField()


# --- input --------------------------------------------------------------------------------


class _LocationInput(serializers.Serializer):
    location_name = serializers.CharField(max_length=60, required=False, allow_blank=True)
    latitude = serializers.FloatField(min_value=-90, max_value=90, required=False, allow_null=True)
    longitude = serializers.FloatField(
        min_value=-180, max_value=180, required=False, allow_null=True
    )

    def validate(self, attrs: dict) -> dict:
        has_lat = attrs.get("latitude") is not None
        has_lng = attrs.get("longitude") is not None
        if "latitude" in attrs or "longitude" in attrs:
            if has_lat != has_lng:
                raise serializers.ValidationError(
                    {"latitude": ["Give latitude and longitude together."]}
                )
            if has_lat and not (attrs.get("location_name") or self._existing_location()):
                raise serializers.ValidationError(
                    {"location_name": ["Coordinates need a place name."]}
                )
        return attrs

    def _existing_location(self) -> str:
        return str(self.context.get("location_name", ""))


class NoteCreateSerializer(_LocationInput):
    title = serializers.CharField(max_length=TITLE_MAX, required=False, allow_blank=True)
    body = serializers.CharField(max_length=BODY_MAX, required=False, allow_blank=True)
    category = serializers.SlugRelatedField(
        slug_field="slug",
        queryset=Category.objects.all(),
        required=False,
        allow_null=True,
        help_text="A category slug (see /categories); required to publish.",
    )
    visibility = serializers.ChoiceField(
        choices=NoteVisibility.choices, default=NoteVisibility.PUBLIC
    )
    publish = serializers.BooleanField(
        default=True, help_text="false keeps the note as a draft (publish it later)."
    )
    images = serializers.ListField(
        child=serializers.FileField(),
        required=False,
        max_length=MAX_IMAGES,
        help_text="1 to 18 JPEG, PNG or WebP images, at most 20 MB each (image notes).",
    )
    video = serializers.FileField(
        required=False, help_text="One MP4 or MOV video of at most 15 minutes (video notes)."
    )
    cover = serializers.FileField(
        required=False,
        help_text="Optional cover image for a video; a frame of the video otherwise.",
    )


class NoteMediaSerializer(serializers.Serializer):
    images = serializers.ListField(
        child=serializers.FileField(),
        required=False,
        max_length=MAX_IMAGES,
        help_text="1 to 18 images replacing the current media.",
    )
    video = serializers.FileField(required=False, help_text="Or one video replacing them.")
    cover = serializers.FileField(required=False, help_text="Optional cover for the video.")


class NoteUpdateSerializer(_LocationInput):
    title = serializers.CharField(max_length=TITLE_MAX, required=False, allow_blank=True)
    body = serializers.CharField(max_length=BODY_MAX, required=False, allow_blank=True)
    category = serializers.SlugRelatedField(
        slug_field="slug", queryset=Category.objects.all(), required=False, allow_null=True
    )
    visibility = serializers.ChoiceField(choices=NoteVisibility.choices, required=False)


@extend_schema_serializer(
    examples=[
        OpenApiExample("Liked from the discovery feed", value={"source": "feed"}, request_only=True)
    ]
)
class EngagementInputSerializer(serializers.Serializer):
    source = serializers.ChoiceField(
        choices=EventSource.choices,
        required=False,
        help_text="Where the action happened, for analytics; leave it out when unknown.",
    )


@extend_schema_serializer(
    examples=[
        OpenApiExample(
            "Collect into a board", value={"source": "note", "board_id": 3}, request_only=True
        )
    ]
)
class CollectInputSerializer(EngagementInputSerializer):
    board_id = serializers.IntegerField(
        required=False,
        allow_null=True,
        min_value=1,
        max_value=2**63 - 1,
        help_text="One of my boards; a repeat with another board moves the note there.",
    )


class ShareInputSerializer(serializers.Serializer):
    channel = serializers.ChoiceField(choices=ShareChannel.choices)


class CommentCreateSerializer(serializers.Serializer):
    body = serializers.CharField(max_length=COMMENT_MAX)
    reply_to = serializers.IntegerField(
        required=False,
        allow_null=True,
        min_value=1,
        max_value=2**63 - 1,
        help_text="The comment answered (a top-level comment or one of its replies).",
    )


class BoardInputSerializer(serializers.Serializer):
    name = StrictCharField(max_length=30)


class SearchQuerySerializer(serializers.Serializer):
    q = serializers.CharField(
        min_length=2, max_length=50, help_text="Words to find; two characters at least."
    )


class DiscoveryQuerySerializer(serializers.Serializer):
    cursor = serializers.CharField(required=False, max_length=200, trim_whitespace=False)
    page_size = serializers.IntegerField(required=False, min_value=1, max_value=50, default=20)
