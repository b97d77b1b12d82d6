"""Notes and their media, topics, mentions; comments; likes, collects, boards and shares.

Counters on notes and comments are denormalised and change only in ``services/``, with
``F()`` expressions while the row is locked. ``rank`` is the discovery score (see
``apps/notes/ranking.py``): it is stored, so the discovery feed reads it from an index.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q

from apps.accounts.models import Category
from apps.core.states import Machine
from apps.moderation.targets import Visibility as ModerationVisibility


class NoteKind(models.TextChoices):
    IMAGE = "image", "Image note"
    VIDEO = "video", "Video note"


class NoteVisibility(models.TextChoices):
    PUBLIC = "public", "Public"
    PRIVATE = "private", "Private (author only)"


class NoteStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    PUBLISHED = "published", "Published"
    DELETED = "deleted", "Deleted"


# A note others may see: the condition of every public feed, list, search and count (and of
# the partial indexes serving them). Services always set published_at when publishing; the
# condition also keeps rows written around them out of lists paged on that time.
PUBLICLY_VISIBLE = Q(
    status=NoteStatus.PUBLISHED,
    visibility=NoteVisibility.PUBLIC,
    moderation=ModerationVisibility.VISIBLE,
    published_at__isnull=False,
)


class Topic(models.Model):
    """A #topic parsed from note bodies; ``key`` is the case-folded name used for lookups."""

    name = models.CharField(max_length=30)
    key = models.CharField(max_length=30, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"#{self.name}"


class CommentPermission(models.TextChoices):
    """Who may comment on a note (its author always may)."""

    EVERYONE = "everyone", "Everyone"
    FANS = "fans", "Fans only"
    NOBODY = "nobody", "Nobody"


class Note(models.Model):
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notes"
    )
    kind = models.CharField(max_length=8, choices=NoteKind.choices)
    title = models.CharField(max_length=20, blank=True)
    body = models.TextField(max_length=1000, blank=True)
    category = models.ForeignKey(
        Category, on_delete=models.PROTECT, null=True, blank=True, related_name="notes"
    )
    topics = models.ManyToManyField(Topic, through="NoteTopic", related_name="notes", blank=True)
    mentions = models.ManyToManyField(
        settings.AUTH_USER_MODEL, through="NoteMention", related_name="mentioned_in", blank=True
    )
    location_name = models.CharField(max_length=60, blank=True)
    latitude = models.FloatField(null=True, blank=True)
    longitude = models.FloatField(null=True, blank=True)
    visibility = models.CharField(
        max_length=8, choices=NoteVisibility.choices, default=NoteVisibility.PUBLIC
    )
    status = models.CharField(max_length=10, choices=NoteStatus.choices, default=NoteStatus.DRAFT)
    moderation = models.CharField(
        max_length=8,
        choices=ModerationVisibility.choices,
        default=ModerationVisibility.VISIBLE,
        help_text="Set by screening and by moderation decisions.",
    )
    published_at = models.DateTimeField(null=True, blank=True)
    deleted_at = models.DateTimeField(null=True, blank=True)
    # Cover shown on cards: the first image's thumbnail or the video's cover.
    cover = models.ImageField(upload_to="notes/", blank=True)
    cover_width = models.PositiveIntegerField(default=0)
    cover_height = models.PositiveIntegerField(default=0)
    likes_count = models.PositiveBigIntegerField(default=0)
    collects_count = models.PositiveBigIntegerField(default=0)
    comments_count = models.PositiveBigIntegerField(default=0)
    shares_count = models.PositiveBigIntegerField(default=0)
    rank = models.BigIntegerField(default=0, help_text="Discovery score; see ranking.py.")
    who_can_comment = models.CharField(
        max_length=8, choices=CommentPermission.choices, default=CommentPermission.EVERYONE
    )
    # Case-folded title, body and topic names; searched with pg_trgm on PostgreSQL.
    search_text = models.TextField(blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        indexes = [
            # Discovery: one walk per category by score (keyset on rank, id); the author is a
            # last key column so a walk can skip blocked authors from the index alone.
            models.Index(
                fields=["category", "-rank", "-id", "author"],
                name="note_category_walk_idx",
                condition=PUBLICLY_VISIBLE,
            ),
            # Following feed, a user's notes, search results: public notes by time.
            models.Index(
                fields=["author", "-published_at", "-id"],
                name="note_author_public_idx",
                condition=PUBLICLY_VISIBLE,
            ),
            models.Index(
                fields=["-published_at", "-id"],
                name="note_recent_public_idx",
                condition=PUBLICLY_VISIBLE,
            ),
            # The author's own lists (drafts, private notes), newest first.
            models.Index(fields=["author", "status", "-created_at", "-id"], name="note_owner_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(latitude__isnull=True) | Q(latitude__gte=-90, latitude__lte=90),
                name="note_latitude_range",
            ),
            models.CheckConstraint(
                condition=Q(longitude__isnull=True) | Q(longitude__gte=-180, longitude__lte=180),
                name="note_longitude_range",
            ),
        ]

    def __str__(self) -> str:
        return self.title or f"Note {self.pk}"

    @property
    def counts_publicly(self) -> bool:
        """Whether others can see this note (and so it counts on the author's profile)."""
        return (
            self.status == NoteStatus.PUBLISHED
            and self.visibility == NoteVisibility.PUBLIC
            and self.moderation == ModerationVisibility.VISIBLE
        )


class MediaKind(models.TextChoices):
    IMAGE = "image", "Image"
    VIDEO = "video", "Video"


class NoteMedia(models.Model):
    """One image or the video of a note, stored through Django's storage API."""

    note = models.ForeignKey(Note, on_delete=models.CASCADE, related_name="media")
    kind = models.CharField(max_length=8, choices=MediaKind.choices)
    position = models.PositiveSmallIntegerField()
    file = models.FileField(upload_to="notes/", max_length=200)
    # Image: a downscaled JPEG; video: the cover image.
    thumbnail = models.ImageField(upload_to="notes/", max_length=200)
    format = models.CharField(max_length=10, help_text="JPEG, PNG, WEBP, MP4 or MOV.")
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    size_bytes = models.PositiveBigIntegerField()
    duration_seconds = models.FloatField(null=True, blank=True, help_text="Video only.")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("note", "position")
        constraints = [
            models.UniqueConstraint(fields=["note", "position"], name="note_media_position_unique")
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.position} of note {self.note_id}"


class NoteTopic(models.Model):
    note = models.ForeignKey(Note, on_delete=models.CASCADE)
    topic = models.ForeignKey(Topic, on_delete=models.CASCADE)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["note", "topic"], name="note_topic_unique"),
        ]
        indexes = [models.Index(fields=["topic", "-note"], name="note_topic_by_topic_idx")]

    def __str__(self) -> str:
        return f"note {self.note_id} #{self.topic_id}"


class NoteMention(models.Model):
    note = models.ForeignKey(Note, on_delete=models.CASCADE)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["note", "user"], name="note_mention_unique"),
        ]
        indexes = [models.Index(fields=["user", "-note"], name="note_mention_by_user_idx")]

    def __str__(self) -> str:
        return f"note {self.note_id} @{self.user_id}"


class NoteLike(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    note = models.ForeignKey(Note, on_delete=models.CASCADE, related_name="likes")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["note", "user"], name="note_like_unique"),
        ]
        indexes = [models.Index(fields=["user", "-created_at", "-id"], name="note_like_user_idx")]

    def __str__(self) -> str:
        return f"{self.user_id} likes note {self.note_id}"


class Board(models.Model):
    """A named collection of a user's collects; private to its owner."""

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="boards"
    )
    name = models.CharField(max_length=30)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["owner", "name"], name="board_owner_name_unique"),
        ]
        indexes = [models.Index(fields=["owner", "-created_at", "-id"], name="board_owner_idx")]

    def __str__(self) -> str:
        return self.name


class Collect(models.Model):
    """A note kept by a user, optionally filed in one of their boards."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    note = models.ForeignKey(Note, on_delete=models.CASCADE, related_name="collects")
    board = models.ForeignKey(
        Board, on_delete=models.SET_NULL, null=True, blank=True, related_name="collects"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["note", "user"], name="collect_unique"),
        ]
        indexes = [
            models.Index(fields=["user", "-created_at", "-id"], name="collect_user_idx"),
            models.Index(fields=["board", "-created_at", "-id"], name="collect_board_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} collects note {self.note_id}"


class ShareChannel(models.TextChoices):
    WECHAT = "wechat", "WeChat friend"
    MOMENTS = "moments", "WeChat Moments"
    WEIBO = "weibo", "Weibo"
    QQ = "qq", "QQ"
    LINK = "link", "Copied link"
    OTHER = "other", "Other"


class Share(models.Model):
    """A user shared a note; counted once per user and note (repeats change the channel)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    note = models.ForeignKey(Note, on_delete=models.CASCADE, related_name="shares")
    channel = models.CharField(max_length=10, choices=ShareChannel.choices)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["note", "user"], name="share_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} shared note {self.note_id} ({self.channel})"


class CommentStatus(models.TextChoices):
    VISIBLE = "visible", "Visible"
    DELETED = "deleted", "Deleted"


class CreatorState(models.TextChoices):
    """The note author's decision on a comment (independent of moderation's).

    Anything but ``visible`` shows the comment to its own author only, who is not told.
    """

    VISIBLE = "visible", "Visible"
    HIDDEN = "hidden", "Hidden by the note's author"
    HELD = "held", "Held for the note author's approval"
    REJECTED = "rejected", "Rejected by the note's author"


# What the note's author may do to a comment's creator_state (the creator center's inbox
# actions). A comment already in an action's target state is a repeat and changes nothing
# (``repeatable``); any other state is refused (409 ``comment.illegal_transition``). Deleting
# is not a state here: it sets ``status``.
COMMENT_MACHINE = Machine(
    name="comment",
    field="creator_state",
    states=tuple(CreatorState.values),
    transitions={
        (CreatorState.VISIBLE, "hide"): CreatorState.HIDDEN,
        (CreatorState.HIDDEN, "unhide"): CreatorState.VISIBLE,
        (CreatorState.HELD, "approve"): CreatorState.VISIBLE,
        (CreatorState.HELD, "reject"): CreatorState.REJECTED,
    },
    repeatable=frozenset({"hide", "unhide", "approve", "reject"}),
)

# A comment counts on its note (and on its parent's replies_count) only with all three.
COUNTED_COMMENT = {
    "status": CommentStatus.VISIBLE,
    "moderation": ModerationVisibility.VISIBLE,
    "creator_state": CreatorState.VISIBLE,
}

# The rows of a creator's comment inbox: live, approved by moderation, written by someone else.
# Every inbox index is partial on it (the creator's own replies and deleted rows stay out).
INBOX_ROW = Q(status=CommentStatus.VISIBLE, moderation=ModerationVisibility.VISIBLE) & ~Q(
    author=models.F("note_author")
)
INBOX_OPEN = Q(creator_state__in=[CreatorState.VISIBLE, CreatorState.HIDDEN])


class Comment(models.Model):
    """A comment on a note, or a reply (one level: ``parent`` is always a top-level comment).

    A reply names whom it answers: ``reply_to`` is the comment answered (the parent or one of
    its replies) and ``reply_to_user`` that comment's author. ``note_author`` copies the note's
    author at creation (a note never changes author), so a creator's inbox is read from its own
    indexes without joining notes.
    """

    note = models.ForeignKey(Note, on_delete=models.CASCADE, related_name="comments")
    note_author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="comments_on_my_notes",
        db_index=False,  # served by the inbox indexes, which lead with it
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="note_comments"
    )
    body = models.CharField(max_length=500)
    parent = models.ForeignKey(
        "self", on_delete=models.CASCADE, null=True, blank=True, related_name="replies"
    )
    reply_to = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="answers"
    )
    reply_to_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="comment_replies_received",
    )
    status = models.CharField(
        max_length=10, choices=CommentStatus.choices, default=CommentStatus.VISIBLE
    )
    moderation = models.CharField(
        max_length=8, choices=ModerationVisibility.choices, default=ModerationVisibility.VISIBLE
    )
    creator_state = models.CharField(
        max_length=8,
        choices=CreatorState.choices,
        default=CreatorState.VISIBLE,
        help_text="The note author's decision: hidden, held for approval, rejected.",
    )
    # First time the note's author answered this comment or, for a top-level comment, anything
    # in its thread: the inbox's "not yet replied" filter.
    creator_replied_at = models.DateTimeField(null=True, blank=True)
    # At most one pinned top-level comment per note, shown first in its comment list.
    pinned_at = models.DateTimeField(null=True, blank=True)
    likes_count = models.PositiveBigIntegerField(default=0)
    replies_count = models.PositiveBigIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    deleted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(
                fields=["note", "-created_at", "-id"],
                name="comment_note_top_idx",
                condition=Q(parent__isnull=True),
            ),
            models.Index(fields=["parent", "created_at", "id"], name="comment_replies_idx"),
            models.Index(fields=["author", "-created_at"], name="comment_author_idx"),
            # The creator's inbox, newest first: all of it, one note, not yet replied, fans
            # only (one probe per fan), and the held / hidden / rejected queues.
            models.Index(
                fields=["note_author", "-created_at", "-id"],
                name="comment_inbox_idx",
                condition=INBOX_ROW & INBOX_OPEN,
            ),
            models.Index(
                fields=["note", "-created_at", "-id"],
                name="comment_inbox_note_idx",
                condition=INBOX_ROW & INBOX_OPEN,
            ),
            models.Index(
                fields=["note_author", "-created_at", "-id"],
                name="comment_inbox_unreplied_idx",
                condition=INBOX_ROW & INBOX_OPEN & Q(creator_replied_at__isnull=True),
            ),
            models.Index(
                fields=["note_author", "author", "-created_at", "-id"],
                name="comment_inbox_author_idx",
                condition=INBOX_ROW & INBOX_OPEN,
            ),
            models.Index(
                fields=["note_author", "creator_state", "-created_at", "-id"],
                name="comment_inbox_state_idx",
                condition=INBOX_ROW & ~Q(creator_state=CreatorState.VISIBLE),
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(parent__isnull=True, reply_to__isnull=True) | Q(parent__isnull=False),
                name="comment_reply_has_parent",
            ),
            models.UniqueConstraint(
                fields=["note"],
                condition=Q(pinned_at__isnull=False),
                name="comment_one_pin_per_note",
            ),
            models.CheckConstraint(
                condition=Q(pinned_at__isnull=True) | Q(parent__isnull=True),
                name="comment_pin_top_level",
            ),
        ]

    def __str__(self) -> str:
        return self.body[:40]

    def save(self, *args: object, **kwargs: object) -> None:
        if self.note_author_id is None and self.note_id is not None:
            self.note_author_id = self.note.author_id
        super().save(*args, **kwargs)

    @property
    def counts_publicly(self) -> bool:
        """Seen by everyone: not deleted, approved by moderation and by the note's author."""
        return (
            self.status == CommentStatus.VISIBLE
            and self.moderation == ModerationVisibility.VISIBLE
            and self.creator_state == CreatorState.VISIBLE
        )


class CommentLike(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    comment = models.ForeignKey(Comment, on_delete=models.CASCADE, related_name="likes")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["comment", "user"], name="comment_like_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} likes comment {self.comment_id}"
