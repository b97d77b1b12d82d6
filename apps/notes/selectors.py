"""Note reads: what a viewer may see, the feeds, lists, comments, boards and search.

Every public surface starts from ``public_notes_for(viewer)``: published, public, approved by
moderation, and never by an author blocked either way. Each list is one query for its rows
(plus fixed prefetches), whatever the page size.
"""

from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import Count, Exists, OuterRef, Q, QuerySet

from apps.accounts.models import Block, Follow, Profile, User
from apps.accounts.services import is_blocked_either_way
from apps.core.errors import Forbidden, NotFound
from apps.moderation.targets import Visibility as ModerationVisibility
from apps.notes import hooks
from apps.notes.discovery_sql import CARD_COLUMNS, FeedPosition, discovery_page_rows, slot_cards
from apps.notes.models import (
    PUBLICLY_VISIBLE,
    Board,
    Collect,
    Comment,
    CommentLike,
    CommentStatus,
    CreatorState,
    Note,
    NoteLike,
    NoteStatus,
    NoteTopic,
    NoteVisibility,
    Topic,
)
from apps.notes.services.access import comment_not_found, comment_visible_to, note_not_found
from apps.notes.services.access import note_visible_to as _note_visible_to
from apps.notes.text import search_term


def _blocked_authors(viewer_id: int) -> tuple[QuerySet, QuerySet]:
    return (
        Block.objects.filter(blocker_id=viewer_id).values("blocked_id"),
        Block.objects.filter(blocked_id=viewer_id).values("blocker_id"),
    )


def public_notes_for(viewer: User) -> QuerySet[Note]:
    """Notes others may see, minus authors the viewer blocked or was blocked by."""
    blocked, blockers = _blocked_authors(viewer.pk)
    return (
        Note.objects.filter(PUBLICLY_VISIBLE)
        .exclude(author_id__in=blocked)
        .exclude(author_id__in=blockers)
    )


def with_card_fields(notes: QuerySet[Note], viewer: User) -> QuerySet[Note]:
    """What a note card needs, in the same query: author card and whether the viewer liked it."""
    return (
        notes.select_related("author__profile")
        .only(*CARD_COLUMNS)
        .annotate(
            viewer_liked=Exists(NoteLike.objects.filter(note=OuterRef("pk"), user_id=viewer.pk))
        )
    )


# --- one note -----------------------------------------------------------------------------


def note_get_for_viewer(*, note_id: int, viewer: User) -> Note:
    """A note with everything its page shows; 404 when the viewer may not see it."""
    note = (
        Note.objects.filter(pk=note_id)
        .exclude(status=NoteStatus.DELETED)
        .select_related("author__profile", "category")
        .prefetch_related("media", "topics", "mentions__profile")
        .annotate(
            viewer_liked=Exists(NoteLike.objects.filter(note=OuterRef("pk"), user_id=viewer.pk)),
            viewer_collected=Exists(Collect.objects.filter(note=OuterRef("pk"), user_id=viewer.pk)),
        )
        .first()
    )
    if note is None or not _note_visible_to(note, viewer.pk):
        raise note_not_found()
    return note


def note_visible_or_404(*, note_id: int, viewer: User) -> Note:
    note = Note.objects.filter(pk=note_id).first()
    if note is None or not _note_visible_to(note, viewer.pk):
        raise note_not_found()
    return note


# --- discovery feed -------------------------------------------------------------------------


@dataclass
class FeedItem:
    note: Note
    score: int
    promoted: bool = False


@dataclass
class FeedPage:
    items: list[FeedItem]
    next_position: FeedPosition | None
    promoted: list[FeedItem] = field(default_factory=list)


def _slot_items(
    *, viewer: User, page: list[FeedItem], position: FeedPosition | None
) -> list[tuple[int, FeedItem]]:
    """The registered feed-slot providers' notes for one page, as (index, item).

    One query loads every slot's note card, and only notes the viewer may see and that the
    page does not already show are kept; nothing runs when no provider is registered. The
    query runs even when no slot is offered, so a page costs the same number of queries
    whether or not a promoted note is on it (and whatever the number of running orders).
    """
    if not hooks.feed_slots:
        return []
    request = hooks.FeedSlotRequest(
        viewer=viewer, page_note_ids=tuple(item.note.pk for item in page), position=position
    )
    slots = hooks.feed_slots_for(request)
    on_page = set(request.page_note_ids)
    wanted = {slot.note_id for slot in slots} - on_page
    found = slot_cards(viewer_id=viewer.pk, note_ids=sorted(wanted))
    items = []
    for slot in slots:
        note = found.pop(slot.note_id, None)  # a note fills one slot at most
        if note is not None:
            items.append((slot.index, FeedItem(note=note, score=0, promoted=True)))
    return items


def discovery_feed(*, viewer: User, position: FeedPosition | None, size: int) -> FeedPage:
    """Public notes by decayed engagement, notes in the viewer's interests lifted.

    Candidates come from index walks on the stored rank: one per interest category (score =
    rank + INTEREST_BONUS, on the category-and-rank index) and one over every other category
    (score = rank, on the rank index). Each walk reads at most ``size + 1`` notes after the
    cursor's position for its own score, so merging them is exact. One statement on
    PostgreSQL (interests joined LATERAL); elsewhere the viewer's interests and blocks first.
    """
    rows = discovery_page_rows(viewer_id=viewer.pk, position=position, size=size)
    organic = [FeedItem(note=note, score=score) for score, note in rows[:size]]
    more = len(rows) > size
    slots = _slot_items(viewer=viewer, page=organic, position=position)
    # Promoted notes take places within the page: a page never holds more than ``size`` items.
    # The organic notes they push out start the next page (the cursor stops at the last kept).
    keep = max(size - len(slots), 1)
    if len(organic) > keep:
        organic, more = organic[:keep], True
    next_position = None
    if more:
        last = organic[-1]
        next_position = FeedPosition(score=last.score, note_id=last.note.pk)
    items = list(organic)
    promoted = []
    for index, item in slots:
        items.insert(min(max(index, 0), len(items)), item)
        promoted.append(item)
    return FeedPage(items=items, next_position=next_position, promoted=promoted)


# --- other feeds and lists ------------------------------------------------------------------


def following_feed(*, viewer: User) -> QuerySet[Note]:
    """Public notes of the people the viewer follows (newest first, by the paginator)."""
    followed = Follow.objects.filter(follower_id=viewer.pk).values("followee_id")
    return with_card_fields(public_notes_for(viewer).filter(author_id__in=followed), viewer)


def topic_get(*, topic_id: int) -> Topic:
    topic = Topic.objects.filter(pk=topic_id).first()
    if topic is None:
        raise NotFound("Topic not found.", code="topic.not_found")
    return topic


def topic_notes(*, topic_id: int, viewer: User) -> QuerySet[Note]:
    """Public notes carrying a topic."""
    topic = topic_get(topic_id=topic_id)
    in_topic = NoteTopic.objects.filter(topic=topic).values("note_id")
    return with_card_fields(public_notes_for(viewer).filter(pk__in=in_topic), viewer)


def user_notes(*, user_id: int, viewer: User) -> QuerySet[Note]:
    """A user's published notes: all of them for the user, the public ones for others."""
    if not User.objects.filter(pk=user_id, is_active=True).exists():
        raise NotFound("User not found.", code="user.not_found")
    if user_id == viewer.pk:
        notes = Note.objects.filter(author_id=viewer.pk, status=NoteStatus.PUBLISHED)
        return with_card_fields(notes, viewer)
    if is_blocked_either_way(viewer.pk, user_id):
        raise Forbidden("You cannot see this user's notes.", code="user.blocked")
    return with_card_fields(public_notes_for(viewer).filter(author_id=user_id), viewer)


def my_notes(*, viewer: User) -> QuerySet[Note]:
    """The viewer's own drafts and notes (deleted ones excluded)."""
    notes = Note.objects.filter(author_id=viewer.pk).exclude(status=NoteStatus.DELETED)
    return with_card_fields(notes, viewer)


# --- comments -----------------------------------------------------------------------------


def _comments_shown_to(viewer: User) -> QuerySet[Comment]:
    """Live comments approved by moderation and by the note's author; a viewer's own always.

    A comment the note's author hid, holds or rejected looks ordinary to the one who wrote it.
    """
    blocked, blockers = _blocked_authors(viewer.pk)
    return (
        Comment.objects.filter(status=CommentStatus.VISIBLE)
        .filter(
            Q(moderation=ModerationVisibility.VISIBLE, creator_state=CreatorState.VISIBLE)
            | Q(author_id=viewer.pk)
        )
        .exclude(author_id__in=blocked)
        .exclude(author_id__in=blockers)
        .select_related("author__profile", "reply_to_user__profile")
        .annotate(
            viewer_liked=Exists(
                CommentLike.objects.filter(comment=OuterRef("pk"), user_id=viewer.pk)
            ),
        )
    )


def comment_get_for_viewer(*, comment_id: int, viewer: User) -> Comment:
    """One comment with its card fields; 404 unless the viewer can see it and its note."""
    comment = _comments_shown_to(viewer).filter(pk=comment_id).first()
    if comment is None:
        raise comment_not_found()
    note_visible_or_404(note_id=comment.note_id, viewer=viewer)
    return comment


def comment_written_by(*, comment_id: int, author: User) -> Comment:
    """A comment the author has just written, with its card fields.

    No note check: writing it may have ended the author's access to the note (a blocked word
    with the "block" action makes the note's author block them), and they still get it back.
    """
    comment = _comments_shown_to(author).filter(pk=comment_id, author_id=author.pk).first()
    if comment is None:
        raise comment_not_found()
    return comment


def note_comments(*, note_id: int, viewer: User) -> QuerySet[Comment]:
    """Top-level comments of a note the viewer can see, less the pinned one (shown first)."""
    note = note_visible_or_404(note_id=note_id, viewer=viewer)
    return _comments_shown_to(viewer).filter(note=note, parent__isnull=True, pinned_at__isnull=True)


def note_pinned_comment(*, note_id: int, viewer: User) -> Comment | None:
    """The note's pinned comment if the viewer can see it (the note is checked by the caller)."""
    return _comments_shown_to(viewer).filter(note_id=note_id, pinned_at__isnull=False).first()


def comment_replies(*, comment_id: int, viewer: User) -> QuerySet[Comment]:
    """Replies under a top-level comment the viewer can see."""
    parent = Comment.objects.select_related("note").filter(pk=comment_id).first()
    if (
        parent is None
        or parent.parent_id is not None
        or not comment_visible_to(parent, viewer.pk)
        or not _note_visible_to(parent.note, viewer.pk)
    ):
        raise comment_not_found()
    return _comments_shown_to(viewer).filter(parent=parent)


# --- boards and collects --------------------------------------------------------------------


def boards_of(*, owner: User) -> QuerySet[Board]:
    """The owner's boards with how many notes each holds."""
    return Board.objects.filter(owner=owner).annotate(notes_count=Count("collects"))


def collects_of(*, owner: User) -> QuerySet[Collect]:
    """The owner's collects whose notes they can still see, with the note card."""
    blocked, blockers = _blocked_authors(owner.pk)
    visible = Q(note__author_id=owner.pk, note__status=NoteStatus.PUBLISHED) | Q(
        note__status=NoteStatus.PUBLISHED,
        note__visibility=NoteVisibility.PUBLIC,
        note__moderation=ModerationVisibility.VISIBLE,
    )
    return (
        Collect.objects.filter(user=owner)
        .filter(visible)
        .exclude(note__author_id__in=blocked)
        .exclude(note__author_id__in=blockers)
        .select_related("note__author__profile")
        .annotate(
            viewer_liked=Exists(NoteLike.objects.filter(note=OuterRef("note_id"), user_id=owner.pk))
        )
    )


# --- search -------------------------------------------------------------------------------


def search_notes(*, query: str, viewer: User) -> QuerySet[Note]:
    """Public notes whose title, body or topics contain the query.

    ``search_text`` is case-folded; on PostgreSQL a pg_trgm GIN index serves the LIKE, which is
    how a two-character Chinese query finds notes without word boundaries. SQLite scans.
    """
    term = search_term(query)
    return with_card_fields(public_notes_for(viewer).filter(search_text__contains=term), viewer)


def search_users(*, query: str, viewer: User) -> QuerySet[Profile]:
    """Active users whose display name contains the query, minus blocks either way."""
    blocked, blockers = _blocked_authors(viewer.pk)
    return (
        Profile.objects.filter(user__is_active=True, display_name__icontains=query.strip())
        .exclude(user_id__in=blocked)
        .exclude(user_id__in=blockers)
        .select_related("user")
    )


def public_notes_published_since(
    *, since: datetime, category_ids: list[int] | None = None
) -> QuerySet[Note]:
    """Public notes published since ``since`` (in these categories, if given), for set-based
    callers that count them per author (program eligibility); served by
    ``note_recent_public_idx``."""
    notes = Note.objects.filter(PUBLICLY_VISIBLE, published_at__gte=since)
    if category_ids:
        notes = notes.filter(category_id__in=category_ids)
    return notes
