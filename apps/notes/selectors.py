"""Note reads: what a viewer may see, the feeds, lists, comments, boards and search.

Every public surface starts from ``public_notes_for(viewer)``: published, public, approved by
moderation, and never by an author blocked either way. Each list is one query for its rows
(plus fixed prefetches), whatever the page size.
"""

from dataclasses import dataclass, field

from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet

from apps.accounts.models import Block, Follow, Profile, User
from apps.accounts.services import is_blocked_either_way
from apps.core.errors import Forbidden, NotFound
from apps.moderation.targets import Visibility as ModerationVisibility
from apps.notes.models import (
    PUBLICLY_VISIBLE,
    Board,
    Collect,
    Comment,
    CommentLike,
    CommentStatus,
    Note,
    NoteLike,
    NoteStatus,
    NoteTopic,
    NoteVisibility,
    Topic,
)
from apps.notes.ranking import INTEREST_BONUS
from apps.notes.services import comment_not_found, comment_visible_to, note_not_found
from apps.notes.services import note_visible_to as _note_visible_to
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
    return notes.select_related("author__profile").annotate(
        viewer_liked=Exists(NoteLike.objects.filter(note=OuterRef("pk"), user_id=viewer.pk))
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


@dataclass(frozen=True)
class FeedPosition:
    """Where a discovery page ended: the last item's score for this viewer, and its id."""

    score: int
    note_id: int


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


@dataclass(frozen=True)
class PromotedSlot:
    """A promoted note to show at ``index`` (0-based) within one page of the discovery feed."""

    index: int
    note: Note


def promoted_slots(
    *, viewer: User, page: list[FeedItem], position: FeedPosition | None
) -> list[PromotedSlot]:
    """The hook where Fries promotion will place paid notes in the discovery feed.

    Called once per page with the organic items already chosen. Promotion delivery (targeting,
    pacing, frequency caps) will return the slots to fill; they are inserted at their index
    without moving the cursor, so organic paging is unaffected. Nothing is promoted yet.
    """
    return []


def _after(notes: QuerySet[Note], *, score: int, note_id: int) -> QuerySet[Note]:
    """Keyset condition (rank, id) < (score, note_id), written so the rank index bounds it."""
    return notes.filter(rank__lte=score).exclude(rank=score, id__gte=note_id)


def discovery_feed(*, viewer: User, position: FeedPosition | None, size: int) -> FeedPage:
    """Public notes by decayed engagement, notes in the viewer's interests lifted.

    Two index walks on the stored rank, merged: notes in the viewer's interest categories
    (score = rank + INTEREST_BONUS) and the rest (score = rank). Each takes ``size + 1`` rows
    after the cursor's position for its own score, so the merge is exact. Queries: the viewer's
    interests, then one per walk.
    """
    interest_ids = list(
        Profile.interests.through.objects.filter(profile_id=viewer.pk).values_list(
            "category_id", flat=True
        )
    )
    base = with_card_fields(public_notes_for(viewer).exclude(author_id=viewer.pk), viewer)
    walks = []
    if interest_ids:
        walks.append((base.filter(category_id__in=interest_ids), INTEREST_BONUS))
        walks.append((base.exclude(category_id__in=interest_ids), 0))
    else:
        walks.append((base, 0))

    candidates: list[FeedItem] = []
    for notes, bonus in walks:
        if position is not None:
            notes = _after(notes, score=position.score - bonus, note_id=position.note_id)
        rows = notes.order_by("-rank", "-id")[: size + 1]
        candidates.extend(FeedItem(note=note, score=note.rank + bonus) for note in rows)
    candidates.sort(key=lambda item: (item.score, item.note.pk), reverse=True)

    items = candidates[:size]
    next_position = None
    if len(candidates) > size:
        last = items[-1]
        next_position = FeedPosition(score=last.score, note_id=last.note.pk)
    slots = promoted_slots(viewer=viewer, page=items, position=position)
    promoted = []
    for slot in sorted(slots, key=lambda s: s.index):
        item = FeedItem(note=slot.note, score=0, promoted=True)
        items.insert(min(max(slot.index, 0), len(items)), item)
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
    blocked, blockers = _blocked_authors(viewer.pk)
    return (
        Comment.objects.filter(status=CommentStatus.VISIBLE)
        .filter(Q(moderation=ModerationVisibility.VISIBLE) | Q(author_id=viewer.pk))
        .exclude(author_id__in=blocked)
        .exclude(author_id__in=blockers)
        .select_related("author__profile", "reply_to_user__profile")
        .annotate(
            viewer_liked=Exists(
                CommentLike.objects.filter(comment=OuterRef("pk"), user_id=viewer.pk)
            ),
            note_author_id=F("note__author_id"),
        )
    )


def comment_get_for_viewer(*, comment_id: int, viewer: User) -> Comment:
    """One comment with its card fields; 404 unless the viewer can see it and its note."""
    comment = _comments_shown_to(viewer).filter(pk=comment_id).first()
    if comment is None:
        raise comment_not_found()
    note_visible_or_404(note_id=comment.note_id, viewer=viewer)
    return comment


def note_comments(*, note_id: int, viewer: User) -> QuerySet[Comment]:
    """Top-level comments of a note the viewer can see."""
    note = note_visible_or_404(note_id=note_id, viewer=viewer)
    return _comments_shown_to(viewer).filter(note=note, parent__isnull=True)


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
