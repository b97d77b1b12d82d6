"""Tells people about organisation changes: added, role changed, removed, verified, rejected.

accounts cannot import notifications (it is below), so it offers a listener slot
(``apps.accounts.organisation_hooks``) that ``register()`` fills from ``ready()``.
"""

from apps.accounts.organisation_hooks import (
    OrganisationEvent,
    register_organisation_listener,
)
from apps.notifications.services import notification_send


def notify_organisation_change(event: OrganisationEvent) -> None:
    """One notification to the member concerned, unless they did it themselves (leaving)."""
    if event.user_id == event.actor_id:
        return
    notification_send(
        recipient_id=event.user_id,
        kind=str(event.change),
        payload={
            "organisation_id": event.organisation_id,
            "organisation_name": event.organisation_name,
            "role": event.role,
            "reason": event.reason,
            "actor_id": event.actor_id,
        },
    )


def register() -> None:
    register_organisation_listener("notifications", notify_organisation_change)
