"""What accounts asks of the apps above it: profile-text screening and follow-graph listeners.

accounts sits just above core: moderation and analytics are built on top of it, so accounts
never imports them, not even inside a function. Instead it declares here what it needs, and the
higher app fills the slot in its ``AppConfig.ready()`` (the pattern of ``core/review_targets.py``):

- **Profile-text screening** (one screener, filled by moderation): every username, display name
  and bio passes ``screen_text``; a text held for review is stored aside and handed back through
  ``hold_for_review`` once the profile row is written, in the same transaction. Without a
  screener the platform would store unscreened text, so ``screen_text`` refuses to run
  (``ImproperlyConfigured``) rather than letting texts through silently.
- **Follow listeners** (any number, analytics registers one): called inside the follow or
  unfollow transaction with what changed; a listener that must not act on a rolled-back write
  defers itself with ``transaction.on_commit`` (analytics does).

The user's review target is registered by accounts itself, in core's review-target registry
(``apps/accounts/review_target.py``), so moderation needs no knowledge of profiles.
"""

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol

from django.core.exceptions import ImproperlyConfigured


class ProfileSurface(StrEnum):
    """Where an accounts text is written; the values are moderation's surface names."""

    USERNAME = "username"
    PROFILE = "profile"


class ScreenedText(Protocol):
    """The verdict on one text, as the screener returns it."""

    @property
    def text(self) -> str: ...  # the text to store (masked where a rule says mask)

    @property
    def needs_review(self) -> bool: ...

    def raise_if_blocked(self) -> None: ...  # 400 in the error shape when a rule blocks it


@dataclass(frozen=True)
class ProfileScreener:
    """Screens accounts' texts and queues the ones held for review."""

    screen: Callable[[ProfileSurface, str], ScreenedText]
    hold_for_review: Callable[[int, ScreenedText], None]  # (user id, verdict)


class FollowChange(StrEnum):
    FOLLOW = "follow"
    UNFOLLOW = "unfollow"


@dataclass(frozen=True)
class FollowEvent:
    """A follow edge appeared or went away; ``source`` is where the follow came from."""

    change: FollowChange
    follower_id: int
    followee_id: int
    source: str
    source_id: int | None


FollowListener = Callable[[FollowEvent], None]

_screener: ProfileScreener | None = None
_follow_listeners: dict[str, FollowListener] = {}


def register_profile_screener(screener: ProfileScreener) -> None:
    """Install the screener (moderation's ``ready()``); a second call replaces the first."""
    global _screener
    _screener = screener


def registered_profile_screener() -> ProfileScreener | None:
    return _screener


def register_follow_listener(key: str, listener: FollowListener) -> None:
    """Add a listener under a key (re-registering a key replaces it, so ``ready()`` is safe)."""
    _follow_listeners[key] = listener


def unregister_follow_listener(key: str) -> None:
    _follow_listeners.pop(key, None)


def screen_text(*, surface: ProfileSurface, text: str) -> ScreenedText:
    """Screen one accounts text through the registered screener."""
    if _screener is None:
        raise ImproperlyConfigured(
            "No profile screener is registered: install apps.moderation, which registers one."
        )
    return _screener.screen(surface, text)


def hold_for_review(*, user_id: int, result: ScreenedText) -> None:
    """Queue a stored profile text that screening held (same transaction as the write)."""
    if _screener is None:
        raise ImproperlyConfigured("No profile screener is registered.")
    _screener.hold_for_review(user_id, result)


def follow_changed(event: FollowEvent) -> None:
    """Tell every listener; called by the follow services while they hold both profile locks."""
    for listener in list(_follow_listeners.values()):
        listener(event)
