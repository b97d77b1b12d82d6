"""Note reads: what a viewer may see, the feeds, lists, comments, boards and search.

Every public surface starts from ``public_notes_for(viewer)``: published, public, approved by
moderation, and never by an author blocked either way. Each list is one query for its rows
(plus fixed prefetches), whatever the page size.
"""

from dataclasses import dataclass, field
from datetime import UTC, datetime

from django.db import connection
from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from apps.accounts.models import Block, Category, Follow, Profile, User
from apps.accounts.services import is_blocked_either_way
from apps.core.errors import Forbidden, NotFound
from apps.core.sql import prepared_cursor
from apps.moderation.targets import Visibility as ModerationVisibility
from apps.notes import hooks
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
from apps.notes.ranking import INTEREST_BONUS
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


# The columns a card reads (bodies, search text and password hashes stay in the database).
CARD_COLUMNS = (
    "id",
    "author_id",
    "kind",
    "title",
    "cover",
    "cover_width",
    "cover_height",
    "likes_count",
    "status",
    "visibility",
    "moderation",
    "published_at",
    "created_at",
    "author__id",
    "author__username",
    "author__profile__user_id",
    "author__profile__display_name",
    "author__profile__avatar",
    "author__profile__fans_count",
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
    found = _slot_cards(viewer_id=viewer.pk, note_ids=sorted(wanted))
    items = []
    for slot in slots:
        note = found.pop(slot.note_id, None)  # a note fills one slot at most
        if note is not None:
            items.append((slot.index, FeedItem(note=note, score=0, promoted=True)))
    return items


# The discovery page is one hand-written statement: it is the hottest read of the platform and
# the ORM spends longer compiling the equivalent union (about 2 ms) than the database spends
# answering it. Every value in it is a bound parameter except the table names and the choice
# constants, which come from the models; the visibility condition is PUBLICLY_VISIBLE's, spelled
# with literals so PostgreSQL matches it to the partial indexes.
_T = {
    "note": Note._meta.db_table,
    "like": NoteLike._meta.db_table,
    "block": Block._meta.db_table,
    "user": User._meta.db_table,
    "profile": Profile._meta.db_table,
    "interest": Profile.interests.through._meta.db_table,
    "category": Category._meta.db_table,
}
_PUBLIC_SQL = (
    f"n.status = '{NoteStatus.PUBLISHED}' AND n.visibility = '{NoteVisibility.PUBLIC}' "
    f"AND n.moderation = '{ModerationVisibility.VISIBLE}' AND n.published_at IS NOT NULL"
)
_RANK_ORDER = "n.rank DESC, n.id DESC"
_WALK_SQL = f"""SELECT * FROM (
    SELECT n.id AS id, n.rank + %s AS score FROM {_T["note"]} n
    WHERE {_PUBLIC_SQL} AND {{category}} AND {{authors}} {{after}}
    ORDER BY {_RANK_ORDER} LIMIT %s
) AS walk_{{index}}"""
# The viewer's interests and everyone blocked either way, in one round trip.
_VIEWER_SQL = f"""SELECT 'interest', category_id FROM {_T["interest"]} WHERE profile_id = %s
UNION ALL SELECT 'block', blocked_id FROM {_T["block"]} WHERE blocker_id = %s
UNION ALL SELECT 'block', blocker_id FROM {_T["block"]} WHERE blocked_id = %s"""
# PostgreSQL: one walk per category of the taxonomy, joined LATERAL, each on the
# category-and-rank index (the only index that orders a category's public notes by rank, so the
# planner has no slower path to pick when a category is rare); the viewer's interests give the
# bonus (computed once per category: OFFSET 0 keeps the planner from inlining it into each
# walk), blocks are subqueries. No round trip for the viewer's context. The categories are read
# through unnest(ARRAY(...)), which the planner sizes at a handful of rows whatever the table's
# statistics: the small, never auto-analysed taxonomy table would otherwise be guessed at 230
# rows, pushing the estimated cost past jit_above_cost and making PostgreSQL spend 20 ms
# JIT-compiling a statement that runs in under one.
_NOT_HIDDEN_SQL = f"""n.author_id <> %s
      AND n.author_id NOT IN (SELECT blocked_id FROM {_T["block"]} WHERE blocker_id = %s)
      AND n.author_id NOT IN (SELECT blocker_id FROM {_T["block"]} WHERE blocked_id = %s)"""
_LATERAL_WALKS_SQL = f"""SELECT walk.id, walk.score FROM (
    SELECT c.id AS category_id, CASE WHEN i.category_id IS NULL THEN 0 ELSE %s END AS bonus
    FROM unnest(ARRAY(SELECT id FROM {_T["category"]})) AS c(id)
    LEFT JOIN {_T["interest"]} i ON i.category_id = c.id AND i.profile_id = %s
    OFFSET 0
) AS cat CROSS JOIN LATERAL (
    SELECT n.id AS id, n.rank + cat.bonus AS score FROM {_T["note"]} n
    WHERE {_PUBLIC_SQL} AND n.category_id = cat.category_id AND {_NOT_HIDDEN_SQL} {{after}}
    ORDER BY {_RANK_ORDER} LIMIT %s
) AS walk"""


def _columns(model: type, wanted: set[str]) -> list[str]:
    """Wanted attribute names in the model's field order (the order ``from_db`` expects)."""
    return [f.attname for f in model._meta.concrete_fields if f.attname in wanted]


_NOTE_FIELDS = _columns(
    Note,
    {
        "id",
        "author_id",
        "kind",
        "title",
        "cover",
        "cover_width",
        "cover_height",
        "likes_count",
        "published_at",
        "status",
        "visibility",
        "moderation",
    },
)
_USER_FIELDS = _columns(User, {"id", "username"})
_PROFILE_FIELDS = _columns(Profile, {"user_id", "display_name", "avatar", "fans_count"})
_PAGE_SQL = f"""SELECT {", ".join(f"n.{name}" for name in _NOTE_FIELDS)},
    {", ".join(f"u.{name}" for name in _USER_FIELDS)},
    {", ".join(f"p.{name}" for name in _PROFILE_FIELDS)},
    c.score,
    EXISTS (SELECT 1 FROM {_T["like"]} l WHERE l.note_id = n.id AND l.user_id = %s)
FROM (
    SELECT id, score FROM ({{walks}}) AS candidates ORDER BY score DESC, id DESC LIMIT %s
) AS c
JOIN {_T["note"]} n ON n.id = c.id
JOIN {_T["user"]} u ON u.id = n.author_id
JOIN {_T["profile"]} p ON p.user_id = n.author_id
ORDER BY c.score DESC, c.id DESC"""


# Slot notes by id, visible to the viewer, as the page's cards. On PostgreSQL each id of the
# array is looked up on the primary key (LATERAL), whatever the table's statistics say: on a
# table not yet analysed the planner was seen scanning every note against the ids instead
# (``id IN (...)`` through an author index; a join from the array with the notes outside).
_SLOT_CARDS_SQL = f"""SELECT {", ".join(f"n.{name}" for name in _NOTE_FIELDS)},
    {", ".join(f"u.{name}" for name in _USER_FIELDS)},
    {", ".join(f"p.{name}" for name in _PROFILE_FIELDS)},
    0,
    EXISTS (SELECT 1 FROM {_T["like"]} l WHERE l.note_id = n.id AND l.user_id = %s)
FROM {{ids}}
JOIN {_T["user"]} u ON u.id = n.author_id
JOIN {_T["profile"]} p ON p.user_id = n.author_id
WHERE {_PUBLIC_SQL}
  AND n.author_id NOT IN (SELECT blocked_id FROM {_T["block"]} WHERE blocker_id = %s)
  AND n.author_id NOT IN (SELECT blocker_id FROM {_T["block"]} WHERE blocked_id = %s)"""


def _slot_cards(*, viewer_id: int, note_ids: list[int]) -> dict[int, Note]:
    """Cards of the slot notes the viewer may see, by id: one statement, run even for none
    (so a page costs the same statements with or without a promoted note)."""
    if connection.vendor == "postgresql":
        source = (
            "unnest(%s::bigint[]) AS s(id) CROSS JOIN LATERAL"
            f" (SELECT * FROM {_T['note']} WHERE id = s.id OFFSET 0) AS n"
        )
        source_params, ids_filter, ids_params = [note_ids], "", []
    else:
        marks = ", ".join(["%s"] * len(note_ids)) or "NULL"
        source, source_params = f"{_T['note']} n", []
        ids_filter, ids_params = f" AND n.id IN ({marks})", note_ids
    sql = _SLOT_CARDS_SQL.format(ids=source) + ids_filter
    params = [viewer_id, *source_params, viewer_id, viewer_id, *ids_params]
    with prepared_cursor() as cursor:  # one text on PostgreSQL: planned once per connection
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    return {note.pk: note for _score, note in map(_card_from_row, rows)}


def _after_sql(position: FeedPosition | None, bonus: int) -> tuple[str, list]:
    """(rank + bonus, id) < (score, id): bounded by the rank index, ties broken by id."""
    if position is None:
        return "", []
    bound = position.score - bonus
    return "AND n.rank <= %s AND NOT (n.rank = %s AND n.id >= %s)", [bound, bound, position.note_id]


def _portable_walks(
    *,
    interest_ids: list[int],
    hidden_author_ids: list[int],
    position: FeedPosition | None,
    size: int,
) -> tuple[str, list]:
    """One walk per interest category and one over the rest, UNION ALL (any database).

    ``hidden_author_ids`` are the viewer and the users blocked either way, written as a literal
    list (usually one id).
    """
    authors = f"n.author_id NOT IN ({', '.join(['%s'] * len(hidden_author_ids))})"
    walks, params = [], []
    categories: list[tuple[str, list, int]] = [
        ("n.category_id = %s", [category_id], INTEREST_BONUS) for category_id in interest_ids
    ]
    others = ", ".join(["%s"] * len(interest_ids))
    rest = f"(n.category_id IS NULL OR n.category_id NOT IN ({others}))" if others else "1 = 1"
    categories.append((rest, list(interest_ids), 0))
    for index, (condition, condition_params, bonus) in enumerate(categories):
        after, after_params = _after_sql(position, bonus)
        walks.append(
            _WALK_SQL.format(category=condition, authors=authors, after=after, index=index)
        )
        params += [bonus, *condition_params, *hidden_author_ids, *after_params, size + 1]
    return "\nUNION ALL\n".join(f"SELECT * FROM ({w}) AS w" for w in walks), params


def _lateral_walks(*, viewer_id: int, position: FeedPosition | None, size: int) -> tuple[str, list]:
    """The same walks for PostgreSQL, reading the viewer's interests and blocks itself."""
    after, after_params = "", []
    if position is not None:
        # The index bound is the cursor's score itself, a constant the planner can read in its
        # statistics (so it keeps the ordered index walk); the exact keyset on rank + bonus
        # follows as a filter, skipping the few notes between the two.
        after = (
            "AND n.rank <= %s AND (n.rank + cat.bonus < %s"
            " OR (n.rank + cat.bonus = %s AND n.id < %s))"
        )
        after_params = [position.score, position.score, position.score, position.note_id]
    sql = _LATERAL_WALKS_SQL.format(after=after)
    hidden = [viewer_id, viewer_id, viewer_id]
    return sql, [INTEREST_BONUS, viewer_id, *hidden, *after_params, size + 1]


def _page_statement(*, viewer_id: int, walks: tuple[str, list], size: int) -> tuple[str, list]:
    walks_sql, walks_params = walks
    return _PAGE_SQL.format(walks=walks_sql), [viewer_id, *walks_params, size + 1]


def _viewer_context(viewer_id: int) -> tuple[list[int], list[int]]:
    """The viewer's interest categories, and the authors hidden from them (self and blocks)."""
    with connection.cursor() as cursor:
        cursor.execute(_VIEWER_SQL, [viewer_id, viewer_id, viewer_id])
        rows = cursor.fetchall()
    interests = sorted(value for what, value in rows if what == "interest")
    hidden = sorted({viewer_id} | {value for what, value in rows if what == "block"})
    return interests, hidden


def discovery_page_rows(
    *, viewer_id: int, position: FeedPosition | None, size: int, portable: bool = False
) -> list[tuple[int, Note]]:
    """(score, note card) for up to ``size + 1`` notes after the position."""
    if connection.vendor == "postgresql" and not portable:
        walks = _lateral_walks(viewer_id=viewer_id, position=position, size=size)
    else:
        interests, hidden = _viewer_context(viewer_id)
        walks = _portable_walks(
            interest_ids=interests, hidden_author_ids=hidden, position=position, size=size
        )
    sql, params = _page_statement(viewer_id=viewer_id, walks=walks, size=size)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [_card_from_row(row) for row in cursor.fetchall()]


def _aware(value: object) -> object:
    """SQLite hands a raw cursor datetimes as text (the ORM converts them; here we do)."""
    if isinstance(value, str):
        parsed = parse_datetime(value)
        return timezone.make_aware(parsed, UTC) if timezone.is_naive(parsed) else parsed
    return value


_PUBLISHED_AT = _NOTE_FIELDS.index("published_at")
_N_NOTE, _N_USER = len(_NOTE_FIELDS), len(_USER_FIELDS)


def _card_from_row(row: tuple) -> tuple[int, Note]:
    """(score, note) from a page row, with author and profile attached as the ORM would."""
    db = connection.alias
    note_values = list(row[:_N_NOTE])
    note_values[_PUBLISHED_AT] = _aware(note_values[_PUBLISHED_AT])
    note = Note.from_db(db, _NOTE_FIELDS, note_values)
    user = User.from_db(db, _USER_FIELDS, row[_N_NOTE : _N_NOTE + _N_USER])
    profile_end = _N_NOTE + _N_USER + len(_PROFILE_FIELDS)
    user.profile = Profile.from_db(db, _PROFILE_FIELDS, row[_N_NOTE + _N_USER : profile_end])
    note.author = user
    score, liked = row[profile_end], row[profile_end + 1]
    note.viewer_liked = bool(liked)
    return score, note


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
