"""What organisations ask of the apps above accounts: telling people about membership changes.

accounts never imports notifications (a higher layer); notifications registers a listener here
in its ``AppConfig.ready()`` (the pattern of ``apps/moderation/targets.py``). Listeners are called
inside the service's transaction with ids only; a listener that writes must defer itself with
``transaction.on_commit`` (``notification_send`` does), so a rolled-back change tells no one.
"""

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum


class OrganisationChange(StrEnum):
    MEMBER_ADDED = "organisation.member_added"
    ROLE_CHANGED = "organisation.role_changed"
    MEMBER_REMOVED = "organisation.member_removed"
    VERIFIED = "organisation.verified"
    REJECTED = "organisation.rejected"


@dataclass(frozen=True)
class OrganisationEvent:
    """Something happened to ``user_id`` in an organisation, done by ``actor_id``."""

    change: OrganisationChange
    organisation_id: int
    organisation_name: str
    user_id: int
    actor_id: int
    role: str = ""
    reason: str = ""


OrganisationListener = Callable[[OrganisationEvent], None]

_listeners: dict[str, OrganisationListener] = {}


def register_organisation_listener(key: str, listener: OrganisationListener) -> None:
    """Add a listener under a key (re-registering a key replaces it, so ``ready()`` is safe)."""
    _listeners[key] = listener


def unregister_organisation_listener(key: str) -> None:
    _listeners.pop(key, None)


def organisation_changed(event: OrganisationEvent) -> None:
    """Tell every listener; called by the organisation services inside their transaction."""
    for listener in list(_listeners.values()):
        listener(event)
