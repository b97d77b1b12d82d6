"""The discovery feed's hand-written statements: the page, and the feed-slot notes' cards.

The discovery page is the hottest read of the platform; these statements keep it to one round
trip for the page and one for the slot notes, with plans the ORM cannot be talked into (see
each statement's comment). ``selectors.discovery_feed`` assembles the page from them.
"""

from dataclasses import dataclass
from datetime import UTC

from django.db import connection
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from apps.accounts.models import Block, Category, Profile, User
from apps.accounts.selectors import USER_CARD_COLUMNS, user_card_columns
from apps.core.sql import prepared_cursor
from apps.moderation.targets import Visibility as ModerationVisibility
from apps.notes.models import Note, NoteLike, NoteStatus, NoteVisibility
from apps.notes.ranking import INTEREST_BONUS


@dataclass(frozen=True)
class FeedPosition:
    """Where a discovery page ended: the last item's score for this viewer, and its id."""

    score: int
    note_id: int


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
    *user_card_columns("author"),
)


def _columns(model: type, wanted: set[str]) -> list[str]:
    """Wanted attribute names in the model's field order (the order ``from_db`` expects)."""
    return [f.attname for f in model._meta.concrete_fields if f.attname in wanted]


# The hand-written statements read the card's own columns but ``created_at`` (no card shows it).
_NOTE_FIELDS = _columns(Note, {c for c in CARD_COLUMNS if "__" not in c} - {"created_at"})
_USER_FIELDS = _columns(User, {c for c in USER_CARD_COLUMNS if "__" not in c})
_PROFILE_FIELDS = _columns(
    Profile, {c.removeprefix("profile__") for c in USER_CARD_COLUMNS if c.startswith("profile__")}
)
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
# array is looked up on the primary key (LATERAL), and so are its author and profile, whatever
# the tables' statistics say: on tables not yet analysed the planner was seen scanning every
# note against the ids (``id IN (...)`` through an author index) and hashing every profile.
_SLOT_CARDS_SQL = f"""SELECT {", ".join(f"n.{name}" for name in _NOTE_FIELDS)},
    {", ".join(f"u.{name}" for name in _USER_FIELDS)},
    {", ".join(f"p.{name}" for name in _PROFILE_FIELDS)},
    0,
    EXISTS (SELECT 1 FROM {_T["like"]} l WHERE l.note_id = n.id AND l.user_id = %s)
FROM {{source}}
WHERE {_PUBLIC_SQL}
  AND n.author_id NOT IN (SELECT blocked_id FROM {_T["block"]} WHERE blocker_id = %s)
  AND n.author_id NOT IN (SELECT blocker_id FROM {_T["block"]} WHERE blocked_id = %s)"""
_SLOT_SOURCE_LATERAL = f"""unnest(%s::bigint[]) AS s(id)
CROSS JOIN LATERAL (SELECT * FROM {_T["note"]} WHERE id = s.id OFFSET 0) AS n
CROSS JOIN LATERAL (SELECT * FROM {_T["user"]} WHERE id = n.author_id OFFSET 0) AS u
CROSS JOIN LATERAL (SELECT * FROM {_T["profile"]} WHERE user_id = n.author_id OFFSET 0) AS p"""
_SLOT_SOURCE_PORTABLE = f"""{_T["note"]} n
JOIN {_T["user"]} u ON u.id = n.author_id
JOIN {_T["profile"]} p ON p.user_id = n.author_id"""


def slot_cards(*, viewer_id: int, note_ids: list[int]) -> dict[int, Note]:
    """Cards of the slot notes the viewer may see, by id: one statement, run even for none
    (so a page costs the same statements with or without a promoted note)."""
    if connection.vendor == "postgresql":
        sql = _SLOT_CARDS_SQL.format(source=_SLOT_SOURCE_LATERAL)
        params = [viewer_id, note_ids, viewer_id, viewer_id]
    else:
        marks = ", ".join(["%s"] * len(note_ids)) or "NULL"
        sql = _SLOT_CARDS_SQL.format(source=_SLOT_SOURCE_PORTABLE) + f" AND n.id IN ({marks})"
        params = [viewer_id, viewer_id, viewer_id, *note_ids]
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
