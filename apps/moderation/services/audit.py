"""What every moderation decision shares: the audit record, the reason, the operator check."""

from typing import Any

from django.db import models

from apps.core.errors import Forbidden, InvalidInput
from apps.moderation.models import Appeal, AuditRecord, Case, KeywordRule, Strike

SUBJECT_TYPES = {KeywordRule: "rule", Case: "case", Strike: "strike", Appeal: "appeal"}


def audit(
    *,
    actor: Any,
    action: str,
    subject: models.Model,
    reason: str = "",
    target_key: str = "",
    object_id: int | None = None,
    details: dict | None = None,
) -> AuditRecord:
    """Append one record: who did what to which subject, and why (the caller's transaction)."""
    return AuditRecord.objects.create(
        actor=actor if actor is not None and actor.pk else None,
        actor_username=getattr(actor, "username", "") or "",
        action=action,
        subject_type=SUBJECT_TYPES[type(subject)],
        subject_id=subject.pk,
        target_key=target_key,
        object_id=object_id,
        reason=reason,
        details=details or {},
    )


def required_reason(reason: str) -> str:
    """The stripped reason, or 400: every decision says why."""
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput(
            "A reason is required.",
            code="moderation.reason_required",
            fields={"reason": ["Required."]},
        )
    return reason


def check_operator(operator: Any, permission: str) -> None:
    """Only active staff holding the moderation permission may decide."""
    allowed = (
        operator is not None
        and operator.is_active
        and operator.is_staff
        and operator.has_perm(f"moderation.{permission}")
    )
    if not allowed:
        raise Forbidden("Only moderation operators can do this.", code="moderation.not_operator")
