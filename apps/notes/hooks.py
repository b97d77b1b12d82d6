"""Notes' extension points: what the apps above notes plug in, in their ``AppConfig.ready()``.

Notes never imports a higher app (creators, brands, commerce, promotion...). When notes needs
behaviour such an app owns, it offers a typed registry here and the higher app fills it, as
moderation's ``targets.py`` does::

    # apps/creators/apps.py
    def ready(self) -> None:
        from apps.notes import hooks
        hooks.comment_filters.register("creators.blocked_words", creator_comment_filter)

Registries, each keyed by a stable name (``<app>.<what>``):

``comment_filters``
    ``(CommentDraft) -> CommentVerdict``, asked for every new comment by someone other than the
    note's author, before it is stored. The strongest verdict decides the comment's
    ``creator_state`` (rejected > held > hidden > visible); ``block_author`` from any filter
    makes the note's author block the commenter. Creators registers its blocked words.
``feed_slots``
    ``(FeedSlotRequest) -> Sequence[FeedSlot]``, asked once per discovery page with the
    organic notes already chosen; returns note ids to insert at page positions (promotion
    places paid notes). Notes loads every slot's note in one query, keeping only notes the
    viewer may see; slot notes take places within the page size, and the organic notes they
    push out open the next page (the cursor stops at the last organic note shown). A provider
    must run a constant number of queries whatever the page size.
``note_labels``
    ``(notes, viewer) -> {note_id: [NoteLabel, ...]}`` for a whole page of notes at once (brands
    will label sponsored notes). Serialized notes carry ``labels`` only while one is registered.
``note_attachments``
    ``(notes, viewer) -> {note_id: JSON value}`` for a whole page at once (commerce will attach
    product tags). Serialized notes carry ``attachments: {key: value or null}`` only while one
    is registered.
``note_withdrawal_listeners``
    ``(NoteWithdrawal) -> None``, called once the transaction commits in which a note others
    could see stops being visible: deleted, made private, hidden or held for review by
    moderation (promotion stops the note's paid order). A failing listener is logged, never
    raised: the author's change has happened.

``note_change_guards``
    ``(NoteChange) -> None``, asked before the author hides, deletes, makes private or edits a
    note, outside notes' own transaction. A guard refuses by raising a ``DomainError`` (brands
    turns the change of a note under a protection period into a request to the brand and
    answers 409); it may keep its own records (an edit history) and returns to allow.

Label and attachment providers take the page's notes together and must answer in one query
(or a constant number), so every list stays constant-query. Tests register fakes with
``registry.registered(key, item)`` (a context manager) or ``unregister``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from functools import partial
from typing import TYPE_CHECKING, Any

from django.db import transaction

from apps.notes.models import CreatorState, Note, NoteStatus, NoteVisibility

if TYPE_CHECKING:
    from apps.accounts.models import User
    from apps.notes.selectors import FeedPosition


class Registry[T]:
    """Named entries registered by higher apps, asked in registration order."""

    def __init__(self, name: str) -> None:
        self.name = name
        self._entries: dict[str, T] = {}

    def register(self, key: str, entry: T) -> None:
        """Add an entry; a key registered twice is a wiring mistake and raises."""
        if key in self._entries:
            raise ValueError(f"{self.name}: {key!r} is already registered")
        self._entries[key] = entry

    def unregister(self, key: str) -> None:
        self._entries.pop(key, None)

    @contextmanager
    def registered(self, key: str, entry: T) -> Iterator[T]:
        """Register for the duration of a ``with`` block (tests' fake registrants)."""
        self.register(key, entry)
        try:
            yield entry
        finally:
            self.unregister(key)

    def entries(self) -> list[tuple[str, T]]:
        return list(self._entries.items())

    def __bool__(self) -> bool:
        return bool(self._entries)


# --- comment filters ----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CommentDraft:
    """A comment about to be stored; ``text`` is what was written, before moderation masks it."""

    note_id: int
    note_author_id: int
    commenter_id: int
    text: str
    reply_to_id: int | None = None


@dataclass(frozen=True, slots=True)
class CommentVerdict:
    state: str = CreatorState.VISIBLE  # the comment's creator_state
    block_author: bool = False  # the note's author blocks the commenter
    word: str = ""  # what decided, if anything (for the filter's own reports)


ALLOWED = CommentVerdict()
CommentFilter = Callable[[CommentDraft], CommentVerdict]
comment_filters: Registry[CommentFilter] = Registry("comment filters")

_SEVERITY = {
    CreatorState.VISIBLE: 0,
    CreatorState.HIDDEN: 1,
    CreatorState.HELD: 2,
    CreatorState.REJECTED: 3,
}


def comment_verdict(draft: CommentDraft) -> CommentVerdict:
    """Every registered filter's verdict on a draft, combined: the strongest state decides."""
    verdict = ALLOWED
    block = False
    for _key, check in comment_filters.entries():
        found = check(draft)
        block = block or found.block_author
        if _SEVERITY[found.state] > _SEVERITY[verdict.state]:
            verdict = found
    return replace(verdict, block_author=block) if block != verdict.block_author else verdict


# --- feed slots ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class FeedSlotRequest:
    viewer: User
    page_note_ids: tuple[int, ...]  # the organic notes of this page, in order
    position: FeedPosition | None  # where the page starts (None: the first page)


@dataclass(frozen=True, slots=True)
class FeedSlot:
    """A note to show at ``index`` (0-based) within one discovery page."""

    index: int
    note_id: int


FeedSlotProvider = Callable[[FeedSlotRequest], Sequence[FeedSlot]]
feed_slots: Registry[FeedSlotProvider] = Registry("feed slots")


def feed_slots_for(request: FeedSlotRequest) -> list[FeedSlot]:
    """Every provider's slots for one page, in index order (no query when none registered)."""
    slots = [slot for _key, provide in feed_slots.entries() for slot in provide(request)]
    return sorted(slots, key=lambda slot: slot.index)


# --- note labels and attachments -----------------------------------------------------------


@dataclass(frozen=True, slots=True)
class NoteLabel:
    key: str  # stable, for clients ("sponsored")
    text: str  # shown as is


NoteLabelProvider = Callable[[Sequence[Note], "User | None"], Mapping[int, Sequence[NoteLabel]]]
NoteAttachmentProvider = Callable[[Sequence[Note], "User | None"], Mapping[int, Any]]
note_labels: Registry[NoteLabelProvider] = Registry("note labels")
note_attachments: Registry[NoteAttachmentProvider] = Registry("note attachments")


def attach_note_extras(notes: Sequence[Note], viewer: User | None) -> None:
    """Ask every label and attachment provider once for the whole list; set the answers on the
    notes as ``extra_labels`` / ``extra_attachments`` (only for the registered kinds)."""
    if not notes:
        return
    if note_labels:
        labels: dict[int, list[NoteLabel]] = {note.pk: [] for note in notes}
        for _key, provide in note_labels.entries():
            for note_id, found in provide(notes, viewer).items():
                if note_id in labels:
                    labels[note_id].extend(found)
        for note in notes:
            note.extra_labels = labels[note.pk]
    if note_attachments:
        attached = {note.pk: {} for note in notes}
        for key, provide in note_attachments.entries():
            found = provide(notes, viewer)
            for note in notes:
                attached[note.pk][key] = found.get(note.pk)
        for note in notes:
            note.extra_attachments = attached[note.pk]


# --- note change guards ----------------------------------------------------------------------


class NoteChangeKind:
    """What the author is about to do to a note (the values guards receive)."""

    HIDE = "hide"
    DELETE = "delete"
    MAKE_PRIVATE = "make_private"
    EDIT = "edit"


@dataclass(frozen=True, slots=True)
class NoteChange:
    note_id: int
    actor_id: int  # who asks (the guard ignores anyone who is not the note's author)
    change: str  # a NoteChangeKind value


NoteChangeGuard = Callable[[NoteChange], None]
note_change_guards: Registry[NoteChangeGuard] = Registry("note change guards")


def note_change_check(change: NoteChange) -> None:
    """Ask every guard; the first to refuse raises (no query when none is registered)."""
    for _key, guard in note_change_guards.entries():
        guard(change)


# --- note withdrawal listeners ---------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class NoteWithdrawal:
    """A note others could see no longer can; ``reason``: deleted, private, hidden, review."""

    note_id: int
    author_id: int
    reason: str


NoteWithdrawalListener = Callable[[NoteWithdrawal], None]
note_withdrawal_listeners: Registry[NoteWithdrawalListener] = Registry("note withdrawal listeners")


def _withdrawal_reason(note: Note) -> str:
    if note.status == NoteStatus.DELETED:
        return "deleted"
    if note.visibility == NoteVisibility.PRIVATE:
        return "private"
    return note.moderation  # "hidden" or "review"


def _notify_withdrawal(withdrawal: NoteWithdrawal) -> None:
    for _key, listener in note_withdrawal_listeners.entries():
        listener(withdrawal)


def note_withdrawn(note: Note) -> None:
    """Tell the listeners, after the commit, that ``note`` stopped being publicly visible.

    Called by the notes services (delete, edit, moderation decision) under the note's lock.
    """
    if not note_withdrawal_listeners:
        return
    withdrawal = NoteWithdrawal(
        note_id=note.pk, author_id=note.author_id, reason=_withdrawal_reason(note)
    )
    transaction.on_commit(partial(_notify_withdrawal, withdrawal), robust=True)
