"""Reads for comment management: the creator's inbox, one comment, blocked words, trusted users.

The creator is always the requester; nothing here takes a creator id from a request. Every
list is one query for its rows whatever the page size (cards and the note in the same
statement; flags about the page's authors in one more), and each inbox filter walks one of
the partial indexes on ``notes_comment`` (see ``apps/notes/models.py``): all, one note, not yet
replied, one author (and fans only, a probe of the follow index per row), and the hidden /
held / rejected queues; a keyword uses the trigram index when it is rare.
"""

from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import Exists, OuterRef, QuerySet

from apps.accounts.models import Block, Follow, User
from apps.accounts.selectors import user_card_columns
from apps.analytics.days import day_start
from apps.creators.models import BlockedWord, TrustedCommenter
from apps.moderation.targets import Visibility as ModerationVisibility
from apps.notes.models import (
    INBOX_OPEN,
    INBOX_ROW,
    Comment,
    CommentStatus,
    Note,
    NoteStatus,
)
from apps.notes.services.access import comment_not_found, note_not_found

# What an inbox row reads (bodies of notes, password hashes and the like stay in the database).
INBOX_COLUMNS = (
    "id",
    "note_id",
    "note_author_id",
    "author_id",
    "body",
    "parent_id",
    "reply_to_id",
    "reply_to_user_id",
    "status",
    "moderation",
    "creator_state",
    "creator_replied_at",
    "pinned_at",
    "likes_count",
    "replies_count",
    "created_at",
    "note__id",
    "note__title",
    "note__cover",
    "note__cover_width",
    "note__cover_height",
    *user_card_columns("author"),
    "reply_to_user__id",
    "reply_to_user__username",
    "reply_to_user__profile__user_id",
    "reply_to_user__profile__display_name",
)


@dataclass(frozen=True, slots=True)
class InboxFilters:
    """The inbox's filters; ``state`` None means the open conversation (visible and hidden)."""

    note_id: int | None = None
    author_id: int | None = None
    unreplied: bool = False
    fans_only: bool = False
    date_from: date | None = None  # Asia/Shanghai days, inclusive
    date_to: date | None = None
    query: str = ""
    state: str | None = None


def _with_inbox_fields(comments: QuerySet[Comment]) -> QuerySet[Comment]:
    """What an inbox row shows, in the same query: the cards and the note."""
    return comments.select_related("author__profile", "reply_to_user__profile", "note").only(
        *INBOX_COLUMNS
    )


def with_author_flags(comments: list[Comment], *, creator: User) -> list[Comment]:
    """Mark each comment's author as my fan, trusted by me, blocked by me (one query per page).

    Asked for the page's authors only: as ``EXISTS`` in the inbox's own statement, PostgreSQL
    plans them for every row the index could yield and hashes all my fans on each request.
    """
    author_ids = {comment.author_id for comment in comments}
    if not author_ids:
        return comments
    flags = {
        row[0]: row[1:]
        for row in User.objects.filter(pk__in=author_ids)
        .annotate(
            is_fan=Exists(
                Follow.objects.filter(follower_id=OuterRef("pk"), followee_id=creator.pk)
            ),
            is_trusted=Exists(
                TrustedCommenter.objects.filter(creator_id=creator.pk, user_id=OuterRef("pk"))
            ),
            is_blocked=Exists(
                Block.objects.filter(blocker_id=creator.pk, blocked_id=OuterRef("pk"))
            ),
        )
        .values_list("pk", "is_fan", "is_trusted", "is_blocked")
    }
    for comment in comments:
        fan, trusted, blocked = flags.get(comment.author_id, (False, False, False))
        comment.author_is_fan, comment.author_is_trusted, comment.author_blocked = (
            fan,
            trusted,
            blocked,
        )
    return comments


def _managed(creator: User) -> QuerySet[Comment]:
    """Comments the creator manages: on their live notes, live, approved by moderation."""
    return Comment.objects.filter(
        note_author_id=creator.pk,
        status=CommentStatus.VISIBLE,
        moderation=ModerationVisibility.VISIBLE,
        note__status=NoteStatus.PUBLISHED,
    )


def creator_comment_inbox(*, creator: User, filters: InboxFilters) -> QuerySet[Comment]:
    """Comments by others on the creator's notes, filtered; the caller pages newest first."""
    comments = _managed(creator).filter(INBOX_ROW)
    if filters.state is None:
        comments = comments.filter(INBOX_OPEN)
    else:
        comments = comments.filter(creator_state=filters.state)
    if filters.note_id is not None:
        comments = comments.filter(note_id=filters.note_id)
    if filters.author_id is not None:
        comments = comments.filter(author_id=filters.author_id)
    if filters.unreplied:
        comments = comments.filter(creator_replied_at__isnull=True)
    if filters.date_from is not None:
        comments = comments.filter(created_at__gte=day_start(filters.date_from))
    if filters.date_to is not None:
        comments = comments.filter(created_at__lt=day_start(filters.date_to + timedelta(days=1)))
    if filters.query:
        comments = comments.filter(body__icontains=filters.query)
    if filters.fans_only:
        comments = comments.filter(
            Exists(Follow.objects.filter(follower_id=OuterRef("author_id"), followee_id=creator.pk))
        )
    return _with_inbox_fields(comments)


def get_comment_for_creator(*, comment_id: int, creator: User) -> Comment:
    """One comment on the creator's notes (any state, theirs too), as the inbox shows it; 404
    for anything else, whoever wrote it."""
    comment = _with_inbox_fields(_managed(creator).filter(pk=comment_id)).first()
    if comment is None:
        raise comment_not_found()
    return with_author_flags([comment], creator=creator)[0]


def get_note_for_creator(*, note_id: int, creator: User) -> Note:
    """One of the creator's own notes (not deleted); 404 for anyone else's."""
    note = (
        Note.objects.filter(pk=note_id, author_id=creator.pk)
        .exclude(status=NoteStatus.DELETED)
        .only("id", "author_id", "who_can_comment", "status")
        .first()
    )
    if note is None:
        raise note_not_found()
    return note


def blocked_words_of(*, creator: User) -> QuerySet[BlockedWord]:
    """The creator's blocked words, newest first (a short list, never paged)."""
    return BlockedWord.objects.filter(creator_id=creator.pk).order_by("-created_at", "-id")


def trusted_commenters_of(*, creator: User) -> QuerySet[TrustedCommenter]:
    """The creator's trusted commenters with their cards."""
    return TrustedCommenter.objects.filter(creator_id=creator.pk).select_related("user__profile")
