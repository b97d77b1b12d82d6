"""Request and response shapes of comment management in the creator center."""

from datetime import date
from typing import Any

from rest_framework import serializers

from apps.accounts.api.serializers import UserCardSerializer
from apps.core.serializers import StrictCharField
from apps.creators.comments_services import COMMENT_ACTIONS, MAX_COMMENT_BATCH, WORD_MAX
from apps.creators.models import BlockedWordAction
from apps.notes.api.serializers import NoteCoverField, ReplyTargetField
from apps.notes.constants import COMMENT_MAX
from apps.notes.models import CommentPermission, CommentStatus, CreatorState

ID_MAX = 2**63 - 1
EARLIEST_DAY = date(2000, 1, 1)
LATEST_DAY = date(2999, 12, 31)


def _id(**kwargs: Any) -> serializers.IntegerField:
    return serializers.IntegerField(min_value=1, max_value=ID_MAX, **kwargs)


# --- input --------------------------------------------------------------------------------


class InboxQuerySerializer(serializers.Serializer):
    note = _id(required=False, help_text="Only comments on this note of mine.")
    author = _id(required=False, help_text="Only comments by this user.")
    unreplied = serializers.BooleanField(
        required=False, default=False, help_text="Only comments I have not answered yet."
    )
    fans_only = serializers.BooleanField(
        required=False, default=False, help_text="Only comments by my fans."
    )
    date_from = serializers.DateField(
        required=False, help_text="First day (Asia/Shanghai), inclusive, YYYY-MM-DD."
    )
    date_to = serializers.DateField(
        required=False, help_text="Last day (Asia/Shanghai), inclusive, YYYY-MM-DD."
    )
    q = serializers.CharField(
        required=False, min_length=1, max_length=50, help_text="Words the comment contains."
    )
    state = serializers.ChoiceField(
        choices=CreatorState.choices,
        required=False,
        help_text=(
            "visible, hidden, held (waiting for my approval) or rejected. Without it: visible "
            "and hidden comments."
        ),
    )

    def _day(self, value: date) -> date:
        """Clamp to the days comments can have: the schema states no bounds on a date, and a
        day outside them selects the same comments (none) without overflowing a timestamp."""
        return min(max(value, EARLIEST_DAY), LATEST_DAY)

    def validate_date_from(self, value: date) -> date:
        return self._day(value)

    def validate_date_to(self, value: date) -> date:
        # date_to before date_from is an empty range: no comments, not an error.
        return self._day(value)


class BatchInputSerializer(serializers.Serializer):
    action = serializers.ChoiceField(
        choices=[(action, action) for action in COMMENT_ACTIONS],
        help_text="hide, unhide, approve, reject or delete.",
    )
    ids = serializers.ListField(
        child=_id(),
        min_length=1,
        max_length=MAX_COMMENT_BATCH,
        help_text=(
            f"1 to {MAX_COMMENT_BATCH} comments on my notes. All change or none: one id that is "
            "not a live comment on my notes refuses the whole request."
        ),
    )


class ReplyInputSerializer(serializers.Serializer):
    body = serializers.CharField(max_length=COMMENT_MAX)


class BlockAuthorInputSerializer(serializers.Serializer):
    hide_comments = serializers.BooleanField(
        required=False,
        default=True,
        help_text="Also hide every visible comment they wrote on my notes.",
    )


class BlockedWordInputSerializer(serializers.Serializer):
    word = StrictCharField(max_length=WORD_MAX)
    action = serializers.ChoiceField(
        choices=BlockedWordAction.choices, required=False, default=BlockedWordAction.HIDE
    )


class BlockedWordUpdateSerializer(serializers.Serializer):
    word = StrictCharField(max_length=WORD_MAX, required=False)
    action = serializers.ChoiceField(choices=BlockedWordAction.choices, required=False)


class TrustedInputSerializer(serializers.Serializer):
    user_id = _id()


class CommentSettingsSerializer(serializers.Serializer):
    note_id = serializers.IntegerField(source="id", read_only=True)
    who_can_comment = serializers.ChoiceField(choices=CommentPermission.choices)


# --- output -------------------------------------------------------------------------------


class InboxNoteSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    cover = NoteCoverField()


class InboxCommentSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    note = InboxNoteSerializer()
    author = UserCardSerializer(source="author.profile")
    author_is_fan = serializers.BooleanField(help_text="The author follows me.")
    author_is_trusted = serializers.BooleanField(help_text="In my trusted commenters.")
    author_blocked = serializers.BooleanField(help_text="I block the author.")
    body = serializers.CharField()
    parent_id = serializers.IntegerField(
        allow_null=True, help_text="The top-level comment a reply hangs under."
    )
    reply_to_id = serializers.IntegerField(allow_null=True, help_text="The comment answered.")
    reply_to_user = ReplyTargetField()
    state = serializers.ChoiceField(source="creator_state", choices=CreatorState.choices)
    pinned = serializers.SerializerMethodField()
    replied_at = serializers.DateTimeField(
        source="creator_replied_at",
        allow_null=True,
        help_text="When I first answered it (or, for a top-level comment, in its thread).",
    )
    likes_count = serializers.IntegerField()
    replies_count = serializers.IntegerField()
    created_at = serializers.DateTimeField()

    def get_pinned(self, comment: Any) -> bool:
        return comment.pinned_at is not None


class BatchResultItemSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    state = serializers.ChoiceField(source="creator_state", choices=CreatorState.choices)
    deleted = serializers.SerializerMethodField()

    def get_deleted(self, comment: Any) -> bool:
        return comment.status == CommentStatus.DELETED


class BatchResultSerializer(serializers.Serializer):
    action = serializers.CharField()
    results = BatchResultItemSerializer(many=True)


class BlockAuthorResultSerializer(serializers.Serializer):
    blocked_user_id = serializers.IntegerField()
    hidden_comments = serializers.IntegerField()


class BlockedWordSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    word = serializers.CharField()
    action = serializers.ChoiceField(choices=BlockedWordAction.choices)
    created_at = serializers.DateTimeField()


class BlockedWordListSerializer(serializers.Serializer):
    results = BlockedWordSerializer(many=True)
    limit = serializers.IntegerField()


class TrustedCommenterSerializer(serializers.Serializer):
    user = UserCardSerializer(source="user.profile")
    created_at = serializers.DateTimeField()
