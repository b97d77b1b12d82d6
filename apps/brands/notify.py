"""Notifications of cooperation events to both sides: the creator and every brand member."""

from typing import Any

from apps.accounts.organisation_selectors import organisation_member_ids
from apps.brands.cooperation_models import Cooperation
from apps.notifications.services import notification_send


def notify_parties(
    *,
    cooperation: Cooperation,
    kind: str,
    actor_id: int | None,
    extra: dict[str, Any] | None = None,
) -> None:
    """Tell the creator and the brand's members (not the actor) after the transaction commits."""
    payload = {
        "cooperation_id": cooperation.pk,
        "campaign_id": cooperation.campaign_id,
        "brand_id": cooperation.brand_id,
        "creator_id": cooperation.creator_id,
        "status": cooperation.status,
        **(extra or {}),
    }
    recipients = organisation_member_ids(organisation_id=cooperation.brand_id)
    recipients.add(cooperation.creator_id)
    recipients.discard(actor_id)
    for recipient_id in sorted(recipients):
        notification_send(recipient_id=recipient_id, kind=kind, payload=payload)
