"""Bumping a room's chat version whenever who may write there, or what, could have changed.

``apps.live.speakers`` keeps speakers' contexts and the host's words per process, labelled with
the room's chat version; these receivers bump it for every row change that could alter them.
They listen on the models' signals, so every path counts: the services, the admin, a cascade.

A version is bumped twice: at once, and when the transaction commits. The first bump makes the
writer's own process (and any test inside one transaction) reload; the second makes sure a
process that reloaded between the two, and so still read the old rows, reloads again.
"""

from functools import partial
from typing import Any

from django.db import transaction
from django.db.models.signals import post_delete, post_save

from apps.accounts.models import Follow
from apps.live.models import AllowedSpeaker, LiveBlockedWord, Moderator, Room, Sanction
from apps.live.selectors import OPEN_STATUSES
from apps.live.state import live_state


def _bump(room_ids: list[int]) -> None:
    if room_ids:
        live_state().chat_version_bump(room_ids)


def bump_rooms(room_ids: list[int]) -> None:
    """The rooms' kept speakers and words are stale: now and once the transaction commits."""
    _bump(room_ids)
    transaction.on_commit(partial(_bump, room_ids), robust=True)


def _open_rooms_of(host_id: int) -> list[int]:
    return list(
        Room.objects.filter(host_id=host_id, status__in=OPEN_STATUSES).values_list("pk", flat=True)
    )


def _room_changed(sender: Any, instance: Room, **kwargs: Any) -> None:
    bump_rooms([instance.pk])


def _room_row_changed(sender: Any, instance: Any, **kwargs: Any) -> None:
    """A sanction or an allowed speaker: one room."""
    bump_rooms([instance.room_id])


def _moderator_changed(sender: Any, instance: Moderator, **kwargs: Any) -> None:
    """A moderator of one room, or of all the host's rooms."""
    bump_rooms([instance.room_id] if instance.room_id else _open_rooms_of(instance.host_id))


def _words_changed(sender: Any, instance: LiveBlockedWord, **kwargs: Any) -> None:
    bump_rooms(_open_rooms_of(instance.host_id))


def _unfollowed(sender: Any, instance: Follow, **kwargs: Any) -> None:
    """Followers-only rooms: an unfollow can take the right to write (a follow only gives it,
    and a refusal is always checked against the database)."""
    bump_rooms(_open_rooms_of(instance.followee_id))


def connect() -> None:
    """Called once from ``LiveConfig.ready``."""
    uid = "live.invalidation"
    post_save.connect(_room_changed, sender=Room, dispatch_uid=f"{uid}.room")
    post_delete.connect(_room_changed, sender=Room, dispatch_uid=f"{uid}.room")
    for model in (Sanction, AllowedSpeaker):
        post_save.connect(_room_row_changed, sender=model, dispatch_uid=f"{uid}.{model.__name__}")
        post_delete.connect(_room_row_changed, sender=model, dispatch_uid=f"{uid}.{model.__name__}")
    post_save.connect(_moderator_changed, sender=Moderator, dispatch_uid=f"{uid}.moderator")
    post_delete.connect(_moderator_changed, sender=Moderator, dispatch_uid=f"{uid}.moderator")
    post_save.connect(_words_changed, sender=LiveBlockedWord, dispatch_uid=f"{uid}.words")
    post_delete.connect(_words_changed, sender=LiveBlockedWord, dispatch_uid=f"{uid}.words")
    post_delete.connect(_unfollowed, sender=Follow, dispatch_uid=f"{uid}.unfollow")
