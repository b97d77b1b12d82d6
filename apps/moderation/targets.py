"""What moderation can act on: apps register their reportable, reviewable content here.

Moderation never writes another app's tables. The notes app registers ``note`` and ``comment``
in its ``AppConfig.ready()``; accounts' ``user`` is registered by moderation itself::

    register_target(ModerationTarget(
        key="note", model=Note,
        author_id_of=lambda note: note.author_id,
        set_visibility=note_moderation_set,   # (obj, Visibility) -> None, a notes service
        excerpt_of=lambda note: note.title,
    ))
"""

from collections.abc import Callable
from dataclasses import dataclass

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


_TARGETS: dict[str, ModerationTarget] = {}


def register_target(target: ModerationTarget) -> None:
    _TARGETS[target.key] = target


def get_target(key: str) -> ModerationTarget:
    return _TARGETS[key]


def all_targets() -> dict[str, ModerationTarget]:
    return dict(_TARGETS)
