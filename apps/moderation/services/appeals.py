"""Appeals against strikes: filed once by the author, decided by a second operator."""

from typing import Any

from django.db import transaction
from django.utils import timezone

from apps.core.errors import Conflict, Forbidden, NotFound
from apps.moderation.health import strike_policy
from apps.moderation.models import (
    APPEAL_MACHINE,
    CASE_MACHINE,
    STRIKE_MACHINE,
    Appeal,
    AuditAction,
    Strike,
    StrikeStatus,
)
from apps.moderation.services.audit import audit, check_operator, required_reason
from apps.moderation.services.cases import lock_case, set_case_visibility
from apps.moderation.targets import Visibility
from apps.notifications.models import NotificationKind
from apps.notifications.services import notification_send


@transaction.atomic
def appeal_create(*, user: Any, strike_id: int, reason: str) -> Appeal:
    """The author appeals a strike, once, within the appeal window."""
    reason = required_reason(reason)
    strike = Strike.objects.select_for_update().filter(pk=strike_id, user_id=user.pk).first()
    if strike is None:
        raise NotFound("Strike not found.", code="strike.not_found")
    if Appeal.objects.filter(strike=strike).exists():
        raise Conflict("This strike has already been appealed.", code="appeal.already_filed")
    if strike.status != StrikeStatus.ACTIVE:
        raise Conflict("This strike is no longer active.", code="appeal.strike_not_active")
    deadline = strike.created_at + strike_policy().appeal_window
    if timezone.now() > deadline:
        raise Conflict("The time to appeal this strike has passed.", code="appeal.window_closed")
    appeal = Appeal.objects.create(strike=strike, user=user, reason=reason)
    audit(
        actor=user,
        action=AuditAction.APPEAL_FILED,
        subject=appeal,
        reason=reason,
        details={"strike_id": strike.pk, "case_id": strike.case_id},
    )
    return appeal


@transaction.atomic
def appeal_decide(*, appeal_id: int, operator: Any, accept: bool, reason: str) -> Appeal:
    """Decide an appeal; never by the operator who rejected the content.

    Accepting revokes the strike (lifting any restriction it caused), marks the case overturned
    and shows the item again.
    """
    check_operator(operator, "review_appeal")
    reason = required_reason(reason)
    found = Appeal.objects.filter(pk=appeal_id).values_list("strike_id", "strike__case_id").first()
    if found is None:
        raise NotFound("Appeal not found.", code="appeal.not_found")
    strike_id, case_id = found
    case = lock_case(case_id)
    strike = Strike.objects.select_for_update().get(pk=strike_id)
    appeal = Appeal.objects.select_for_update().get(pk=appeal_id)
    if case.decided_by_id is not None and case.decided_by_id == operator.pk:
        raise Forbidden(
            "An appeal must be decided by a different operator than the one who rejected "
            "the content.",
            code="appeal.same_operator",
        )
    if appeal.user_id == operator.pk:
        raise Forbidden("Operators cannot decide their own appeal.", code="moderation.own_content")
    now = timezone.now()
    APPEAL_MACHINE.move(appeal, "accept" if accept else "deny")
    appeal.decided_at = now
    appeal.decided_by = operator
    appeal.decision_reason = reason
    appeal.save(update_fields=["status", "decided_at", "decided_by", "decision_reason"])
    audit(
        actor=operator,
        action=AuditAction.APPEAL_ACCEPTED if accept else AuditAction.APPEAL_DENIED,
        subject=appeal,
        reason=reason,
        target_key=case.target_key,
        object_id=case.object_id,
        details={"strike_id": strike.pk, "case_id": case.pk, "rejected_by": case.decided_by_id},
    )
    if accept:
        STRIKE_MACHINE.move(strike, "revoke")
        strike.revoked_at = now
        strike.save(update_fields=["status", "revoked_at"])
        CASE_MACHINE.move(case, "overturn")
        case.save(update_fields=["status"])
        set_case_visibility(case, Visibility.VISIBLE)
        audit(
            actor=operator,
            action=AuditAction.STRIKE_REVOKED,
            subject=strike,
            reason=reason,
            target_key=case.target_key,
            object_id=case.object_id,
            details={"appeal_id": appeal.pk, "case_id": case.pk},
        )
    notification_send(
        recipient_id=appeal.user_id,
        kind=NotificationKind.APPEAL_DECIDED,
        payload={
            "appeal_id": appeal.pk,
            "strike_id": strike.pk,
            "status": appeal.status,
            "reason": reason,
            "message": (
                "Your appeal was accepted: the strike is removed and your content is restored."
                if accept
                else "Your appeal was reviewed and the strike stands."
            ),
        },
    )
    return appeal
