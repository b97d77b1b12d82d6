"""What moderation can act on: every app registers its reportable, reviewable content here.

The registry sits in core, below every app, so that each app registers its own content in its
``AppConfig.ready()`` without importing moderation: accounts registers ``user``, notes registers
``note`` and ``comment``. Moderation (and only moderation) reads it, and never writes another
app's tables: it acts through the callables each target supplies::

    register_target(ModerationTarget(
        key="note", model=Note,
        author_id_of=lambda note: note.author_id,
        set_visibility=note_moderation_set,   # (obj, Visibility) -> None, a notes service
        excerpt_of=lambda note: note.title,
        visible_to=lambda note, viewer: note_visible_to(note, viewer.pk),
    ))

``visible_to`` is the owner's own viewer check: a user may report only what they can see, and
what they cannot see is answered exactly like a missing id (404), so reports never reveal that
a draft, a private note or a deleted item exists.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser
from django.db import models


class Visibility(models.TextChoices):
    VISIBLE = "visible", "Visible"
    REVIEW = "review", "Held for review (author only)"
    HIDDEN = "hidden", "Hidden"


@dataclass(frozen=True)
class ModerationTarget:
    key: str
    model: type[models.Model]
    author_id_of: Callable[[models.Model], int]
    set_visibility: Callable[[models.Model, str], None]
    excerpt_of: Callable[[models.Model], str]
    visible_to: Callable[[models.Model, AbstractBaseUser], bool]  # (obj, viewer)


_TARGETS: dict[str, ModerationTarget] = {}


def register_target(target: ModerationTarget) -> None:
    _TARGETS[target.key] = target


def get_target(key: str) -> ModerationTarget:
    return _TARGETS[key]


def all_targets() -> dict[str, ModerationTarget]:
    return dict(_TARGETS)
