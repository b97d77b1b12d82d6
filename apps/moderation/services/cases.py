"""Reports and review cases: reports join an item's open case, operators approve or reject.

Reports go through each target's own viewer check (``ModerationTarget.visible_to``): what the
reporter cannot see answers 404 exactly like a missing id, and nothing is written. Lock order:
case, then strike, then appeal (``appeals.py`` follows it).
"""

from typing import Any

from django.conf import settings
from django.db import IntegrityError, models, transaction
from django.utils import timezone

from apps.core.errors import Conflict, Forbidden, InvalidInput, NotFound
from apps.moderation.health import posting_restricted_until
from apps.moderation.models import (
    CASE_MACHINE,
    AuditAction,
    Case,
    CaseOrigin,
    CaseStatus,
    Report,
    ReportReason,
    RuleCategory,
    Strike,
)
from apps.moderation.screening_types import ScreeningResult
from apps.moderation.services.audit import audit, check_operator, required_reason
from apps.moderation.targets import ModerationTarget, Visibility, all_targets
from apps.notifications.models import NotificationKind
from apps.notifications.services import notification_send

# Reports alone never hide a user: hiding a profile resets its texts, which cannot be undone.
THRESHOLD_EXEMPT_TARGETS = frozenset({"user"})
# A rejected user keeps their account and can write again, so later reports open a new case;
# a rejected note or comment stays hidden and further reports on it are refused.
REPORTABLE_AFTER_REJECTION = frozenset({"user"})


def _target(key: str) -> ModerationTarget:
    target = all_targets().get(key)
    if target is None:
        raise InvalidInput(
            f"Unknown target '{key}'.",
            code="report.unknown_target",
            fields={"target": [f"Choose one of: {', '.join(sorted(all_targets()))}."]},
        )
    return target


def _target_object(target: ModerationTarget, object_id: int) -> models.Model | None:
    return target.model._default_manager.filter(pk=object_id).first()


def set_case_visibility(case: Case, visibility: str) -> bool:
    """Apply a visibility to the case's item through its owner's callable; False if it is gone."""
    target = all_targets().get(case.target_key)
    obj = _target_object(target, case.object_id) if target else None
    if obj is None:
        return False
    target.set_visibility(obj, visibility)
    return True


def _open_case_locked(*, target: ModerationTarget, obj: models.Model, origin: str) -> Case:
    """The item's open case, created if needed, locked for this transaction."""
    lookup = {"target_key": target.key, "object_id": obj.pk, "status": CaseStatus.OPEN}
    case = Case.objects.select_for_update().filter(**lookup).first()
    if case is not None:
        return case
    try:
        with transaction.atomic():
            return Case.objects.create(
                target_key=target.key,
                object_id=obj.pk,
                author_id=target.author_id_of(obj),
                excerpt=str(target.excerpt_of(obj) or "")[:300],
                origin=origin,
            )
    except IntegrityError:  # opened concurrently: join it
        return Case.objects.select_for_update().get(**lookup)


@transaction.atomic
def report_create(
    *, reporter: Any, target_key: str, object_id: int, reason: str, detail: str = ""
) -> tuple[Report, bool]:
    """Report an item: reports join its open case; enough distinct reporters hide it.

    Returns the report and whether it is new (a second report by the same user is the first).
    """
    target = _target(target_key)
    if reason not in ReportReason.values:
        raise InvalidInput("Unknown reason.", fields={"reason": ["Unknown reason."]})
    obj = _target_object(target, object_id)
    if obj is None or not target.visible_to(obj, reporter):  # unseen is answered as missing
        raise NotFound("The reported content does not exist.", code="report.target_not_found")
    if target.author_id_of(obj) == reporter.pk:
        raise Conflict("You cannot report your own content.", code="report.own_content")
    last = Case.objects.filter(target_key=target.key, object_id=obj.pk).order_by("-id").first()
    rejected = last is not None and last.status == CaseStatus.REJECTED
    if rejected and target.key not in REPORTABLE_AFTER_REJECTION:
        raise Conflict("This content has already been removed.", code="report.already_removed")

    case = _open_case_locked(target=target, obj=obj, origin=CaseOrigin.REPORT)
    existing = Report.objects.filter(case=case, reporter=reporter).first()
    if existing is not None:
        return existing, False
    report = Report.objects.create(
        case=case,
        reporter=reporter,
        target_key=target.key,
        object_id=obj.pk,
        reason=reason,
        detail=detail,
    )
    case.reporter_count += 1
    threshold = settings.MODERATION_REPORT_HIDE_THRESHOLD
    if (
        not case.held
        and target.key not in THRESHOLD_EXEMPT_TARGETS
        and case.reporter_count >= threshold
    ):
        target.set_visibility(obj, Visibility.HIDDEN)
        case.held = True
        audit(
            actor=None,
            action=AuditAction.ITEM_HIDDEN,
            subject=case,
            reason=f"Reported by {case.reporter_count} distinct users (threshold {threshold}).",
            target_key=case.target_key,
            object_id=case.object_id,
        )
    case.save(update_fields=["reporter_count", "held"])
    return report, True


@transaction.atomic
def case_open_for_screening(*, target_key: str, object_id: int, result: ScreeningResult) -> Case:
    """Put an item that screening sent to review into the queue (joins an open case)."""
    target = _target(target_key)
    obj = _target_object(target, object_id)
    if obj is None:
        raise NotFound("The content to review does not exist.", code="moderation.target_not_found")
    case = _open_case_locked(target=target, obj=obj, origin=CaseOrigin.SCREENING)
    seen = {(hit["term"], hit["category"], hit["action"]) for hit in case.screening_hits}
    for hit in result.hits:
        if (hit.term, hit.category, hit.action) not in seen:
            seen.add((hit.term, hit.category, hit.action))
            case.screening_hits.append(
                {
                    "rule_id": hit.rule_id,
                    "term": hit.term,
                    "category": hit.category,
                    "action": hit.action,
                }
            )
    case.held = True
    case.excerpt = str(target.excerpt_of(obj) or "")[:300]
    case.save(update_fields=["screening_hits", "held", "excerpt"])
    return case


def lock_case(case_id: int) -> Case:
    case = Case.objects.select_for_update().filter(pk=case_id).first()
    if case is None:
        raise NotFound("Case not found.", code="case.not_found")
    return case


def _check_not_own(case: Case, operator: Any) -> None:
    if case.author_id is not None and case.author_id == operator.pk:
        raise Forbidden(
            "Operators cannot decide on their own content.", code="moderation.own_content"
        )


@transaction.atomic
def case_approve(*, case_id: int, operator: Any, reason: str) -> Case:
    """Keep the item: it becomes visible again if moderation was holding it."""
    check_operator(operator, "review_case")
    reason = required_reason(reason)
    case = lock_case(case_id)
    _check_not_own(case, operator)
    CASE_MACHINE.move(case, "approve")
    case.decided_at = timezone.now()
    case.decided_by = operator
    case.decision_reason = reason
    case.save(update_fields=["status", "decided_at", "decided_by", "decision_reason"])
    if case.held:
        set_case_visibility(case, Visibility.VISIBLE)
    audit(
        actor=operator,
        action=AuditAction.CASE_APPROVED,
        subject=case,
        reason=reason,
        target_key=case.target_key,
        object_id=case.object_id,
        details={"reporters": case.reporter_count, "origin": case.origin},
    )
    if case.origin == CaseOrigin.SCREENING and case.author_id:
        notification_send(
            recipient_id=case.author_id,
            kind=NotificationKind.CONTENT_APPROVED,
            payload={
                "case_id": case.pk,
                "target": case.target_key,
                "object_id": case.object_id,
                "message": "Your content passed review and is now visible to everyone.",
            },
        )
    return case


@transaction.atomic
def case_reject(*, case_id: int, operator: Any, reason: str, category: str = "") -> Case:
    """Remove the item: hide it, strike its author, tell them why."""
    check_operator(operator, "review_case")
    reason = required_reason(reason)
    if category and category not in RuleCategory.values:
        raise InvalidInput("Unknown category.", fields={"category": ["Unknown category."]})
    case = lock_case(case_id)
    _check_not_own(case, operator)
    CASE_MACHINE.move(case, "reject")
    case.decided_at = timezone.now()
    case.decided_by = operator
    case.decision_reason = reason
    case.decision_category = category
    case.save(
        update_fields=[
            "status",
            "decided_at",
            "decided_by",
            "decision_reason",
            "decision_category",
        ]
    )
    set_case_visibility(case, Visibility.HIDDEN)
    audit(
        actor=operator,
        action=AuditAction.CASE_REJECTED,
        subject=case,
        reason=reason,
        target_key=case.target_key,
        object_id=case.object_id,
        details={"category": category, "reporters": case.reporter_count, "origin": case.origin},
    )
    if case.author_id is None:  # the author's account is gone: nobody to strike
        return case
    strike = Strike.objects.create(
        user_id=case.author_id, case=case, category=category, reason=reason
    )
    audit(
        actor=operator,
        action=AuditAction.STRIKE_ISSUED,
        subject=strike,
        reason=reason,
        target_key=case.target_key,
        object_id=case.object_id,
        details={"user_id": case.author_id, "case_id": case.pk},
    )
    until = posting_restricted_until(case.author_id)
    notification_send(
        recipient_id=case.author_id,
        kind=NotificationKind.CONTENT_REMOVED,
        payload={
            "case_id": case.pk,
            "target": case.target_key,
            "object_id": case.object_id,
            "category": category,
            "reason": reason,
            "message": "Your content was removed because it breaks the community rules.",
        },
    )
    notification_send(
        recipient_id=case.author_id,
        kind=NotificationKind.STRIKE,
        payload={
            "strike_id": strike.pk,
            "case_id": case.pk,
            "restricted_until": until.isoformat() if until else None,
            "message": (
                "A strike was added to your account; you can appeal it once."
                if until is None
                else "A strike was added to your account and posting is paused for a while."
            ),
        },
    )
    return case
