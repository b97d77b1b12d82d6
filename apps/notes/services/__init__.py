"""Note writes, by topic: ``notes`` (create, edit, publish, delete, media), ``comments``
(comment primitives), ``engagement`` (likes, collects, shares, boards), ``counters`` (counter
changes and rebuilds) and ``access`` (who may see what, not-found errors).

The public services are re-exported here, so callers write ``from apps.notes import services``.
Names with a leading underscore are notes' own and are not re-exported; no other app uses them.
"""

from apps.notes.services.access import (
    comment_not_found,
    comment_shown,
    comment_visible_to,
    note_not_found,
    note_visible_to,
)
from apps.notes.services.comments import (
    comment_create,
    comment_delete,
    comment_moderation_set,
    comment_pin_set_locked,
    comments_creator_state_set_locked,
    comments_delete_locked,
    comments_lock,
)
from apps.notes.services.counters import note_counters_rebuild
from apps.notes.services.engagement import (
    board_create,
    board_delete,
    board_rename,
    comment_like,
    comment_unlike,
    note_collect,
    note_like,
    note_share,
    note_uncollect,
    note_unlike,
)
from apps.notes.services.notes import (
    note_comment_permission_set,
    note_create,
    note_delete,
    note_media_replace,
    note_moderation_set,
    note_publish,
    note_update,
)

__all__ = [
    "board_create",
    "board_delete",
    "board_rename",
    "comment_create",
    "comment_delete",
    "comment_like",
    "comment_moderation_set",
    "comment_not_found",
    "comment_pin_set_locked",
    "comment_shown",
    "comment_unlike",
    "comment_visible_to",
    "comments_creator_state_set_locked",
    "comments_delete_locked",
    "comments_lock",
    "note_collect",
    "note_comment_permission_set",
    "note_counters_rebuild",
    "note_create",
    "note_delete",
    "note_like",
    "note_media_replace",
    "note_moderation_set",
    "note_not_found",
    "note_publish",
    "note_share",
    "note_uncollect",
    "note_unlike",
    "note_update",
    "note_visible_to",
]
