"""Which notes a client may send events about: the notes app answers, analytics asks.

Analytics sits below notes, so it cannot read the notes' visibility rules itself. The notes app
registers one function in its ``AppConfig.ready()``::

    register_visible_note_authors(visible_note_authors)  # (note_ids, viewer_id) -> {id: author}

The function answers for a whole batch in one query and leaves out every note the viewer cannot
see (draft, private, deleted, hidden by moderation, or across a block), so an event about such a
note is refused exactly like one about a missing note and ids cannot be probed.
"""

from collections.abc import Callable, Collection

VisibleNoteAuthors = Callable[[Collection[int], int | None], dict[int, int]]

_visible_note_authors: VisibleNoteAuthors | None = None


def register_visible_note_authors(function: VisibleNoteAuthors) -> None:
    """Install the notes app's visibility query (called once, from ``AppConfig.ready()``)."""
    global _visible_note_authors
    _visible_note_authors = function


def visible_note_authors_function() -> VisibleNoteAuthors | None:
    """The registered function, or None while no app provides notes."""
    return _visible_note_authors
