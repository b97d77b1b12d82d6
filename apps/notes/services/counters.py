"""Counters: a note's engagement counts and rank, and its weight on its author's profile.

Changed incrementally by every write that moves them (the caller holds the note's row lock, so
the in-memory counts are the stored ones), and rebuilt from the rows themselves for bulk loads
and repairs. Profile counters belong to accounts: they move only through
``apps.accounts.services.profile_counters_change``.
"""

from collections.abc import Sequence

from django.db import transaction
from django.db.models import Count, Exists, F, Min, OuterRef, Q, Subquery, Sum, Value
from django.db.models.functions import Coalesce

from apps.accounts.models import Profile
from apps.accounts.services import profile_counters_change
from apps.notes import hooks
from apps.notes.models import (
    COUNTED_COMMENT,
    PUBLICLY_VISIBLE,
    Collect,
    Comment,
    CommentLike,
    Note,
    NoteLike,
    Share,
)
from apps.notes.ranking import note_rank


def _change_engagement(
    note: Note, *, likes: int = 0, collects: int = 0, comments: int = 0, shares: int = 0
) -> None:
    """Apply counter deltas to a note, its rank and its author's profile.

    Caller holds the note's row lock, so the in-memory counts are the stored ones.
    """
    deltas = {"likes": likes, "collects": collects, "comments": comments, "shares": shares}
    for name, delta in deltas.items():
        setattr(note, f"{name}_count", getattr(note, f"{name}_count") + delta)
    note.rank = note_rank(
        published_at=note.published_at,
        likes=note.likes_count,
        collects=note.collects_count,
        comments=note.comments_count,
        shares=note.shares_count,
    )
    updates = {f"{n}_count": F(f"{n}_count") + d for n, d in deltas.items() if d}
    Note.objects.filter(pk=note.pk).update(**updates, rank=note.rank)
    if note.counts_publicly and (likes or collects):
        profile_counters_change(user_id=note.author_id, likes=likes, collects=collects)


def _apply_public_change(note: Note, *, was_counted: bool) -> None:
    """Move the note's weight on the author's profile when it starts or stops counting.

    A note counts while others can see it: published, public, moderation visible. Caller holds
    the note's row lock.
    """
    now_counted = note.counts_publicly
    if was_counted == now_counted:
        return
    if was_counted:
        hooks.note_withdrawn(note)  # paid promotion stops once this commits
    sign = 1 if now_counted else -1
    profile_counters_change(
        user_id=note.author_id,
        notes=sign,
        likes=sign * note.likes_count,
        collects=sign * note.collects_count,
    )


def _refresh_rank(note: Note) -> None:
    note.rank = note_rank(
        published_at=note.published_at,
        likes=note.likes_count,
        collects=note.collects_count,
        comments=note.comments_count,
        shares=note.shares_count,
    )


# --- counters from the rows themselves --------------------------------------------------------


def _count_of(model: type, **filters: object) -> Coalesce:
    rows = model.objects.filter(**filters).order_by().values(*filters).annotate(n=Count("pk"))
    return Coalesce(Subquery(rows.values("n")[:1]), Value(0))


@transaction.atomic
def note_counters_rebuild(*, note_ids: Sequence[int] | None = None) -> int:
    """Recompute note, comment and profile counters and ranks from the rows (set-based).

    For bulk loads (demo data) and repairs: what the services keep incrementally, computed
    from scratch with the same definitions. Returns how many ranks changed.
    """
    notes = Note.objects.all() if note_ids is None else Note.objects.filter(pk__in=note_ids)
    visible_comment = COUNTED_COMMENT
    counted_comments = (
        Comment.objects.filter(note=OuterRef("pk"), **visible_comment)
        .filter(
            Q(parent__isnull=True)
            | Q(**{f"parent__{name}": value for name, value in visible_comment.items()})
        )
        .order_by()
        .values("note")
        .annotate(n=Count("pk"))
        .values("n")[:1]
    )
    notes.update(
        likes_count=_count_of(NoteLike, note=OuterRef("pk")),
        collects_count=_count_of(Collect, note=OuterRef("pk")),
        shares_count=_count_of(Share, note=OuterRef("pk")),
        comments_count=Coalesce(Subquery(counted_comments), Value(0)),
    )
    comments = Comment.objects.filter(note__in=notes)
    comments.update(
        likes_count=_count_of(CommentLike, comment=OuterRef("pk")),
        replies_count=_count_of(Comment, parent=OuterRef("pk"), **visible_comment),
    )
    # "Not yet replied": the note author's first answer to a comment or in its thread.
    answers = Comment.objects.filter(
        Q(reply_to_id=OuterRef("pk")) | Q(parent_id=OuterRef("pk")),
        author_id=OuterRef("note_author_id"),
    )
    comments.filter(Exists(answers)).update(
        creator_replied_at=Subquery(
            answers.order_by()
            .values("author_id")
            .annotate(first=Min("created_at"))
            .values("first")[:1]
        )
    )

    # Profiles: one GROUP BY over the notes others can see, written where it differs.
    totals = {
        row["author_id"]: (row["n"], row["likes"] or 0, row["collects"] or 0)
        for row in Note.objects.filter(PUBLICLY_VISIBLE)
        .order_by()
        .values("author_id")
        .annotate(n=Count("pk"), likes=Sum("likes_count"), collects=Sum("collects_count"))
    }
    profiles = Profile.objects.all()
    if note_ids is not None:
        profiles = profiles.filter(user_id__in=notes.values("author_id"))
    stale: list[tuple[int, dict[str, int]]] = []
    for profile in profiles.only(
        "user_id", "notes_count", "likes_received_count", "collects_received_count"
    ).iterator(chunk_size=5000):
        notes_n, likes, collects = totals.get(profile.user_id, (0, 0, 0))
        deltas = {
            "notes": notes_n - profile.notes_count,
            "likes": likes - profile.likes_received_count,
            "collects": collects - profile.collects_received_count,
        }
        if any(deltas.values()):
            stale.append((profile.user_id, deltas))
    for user_id, deltas in stale:  # through accounts, only where it differs
        profile_counters_change(user_id=user_id, **deltas)

    changed = []
    for note in notes.only(
        "pk",
        "published_at",
        "likes_count",
        "collects_count",
        "comments_count",
        "shares_count",
        "rank",
    ).iterator(chunk_size=5000):
        rank = note_rank(
            published_at=note.published_at,
            likes=note.likes_count,
            collects=note.collects_count,
            comments=note.comments_count,
            shares=note.shares_count,
        )
        if rank != note.rank:
            note.rank = rank
            changed.append(note)
    Note.objects.bulk_update(changed, ["rank"], batch_size=1000)
    return len(changed)
