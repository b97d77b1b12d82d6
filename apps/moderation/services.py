"""Moderation writes: keyword rules, reports and cases, decisions, strikes and appeals.

Lock order everywhere: case, then strike, then appeal, so a decision and an appeal on the same
item can never deadlock. Each decision moves its objects through the transition tables in
``models``, writes one ``AuditRecord`` per move, and notifies the author after commit.
"""

from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.db import IntegrityError, models, transaction
from django.utils import timezone

from apps.core.errors import Conflict, Forbidden, InvalidInput, NotFound
from apps.moderation import matcher
from apps.moderation.health import posting_restricted_until, strike_policy
from apps.moderation.models import (
    APPEAL_TRANSITIONS,
    CASE_TRANSITIONS,
    STRIKE_TRANSITIONS,
    SURFACE_FIELDS,
    Appeal,
    AppealStatus,
    AuditAction,
    AuditRecord,
    Case,
    CaseOrigin,
    CaseStatus,
    KeywordRule,
    Report,
    ReportReason,
    RuleAction,
    RuleCategory,
    Strike,
    StrikeStatus,
)
from apps.moderation.normalize import is_latin_term, normalize
from apps.moderation.screening_types import ScreeningResult
from apps.moderation.targets import ModerationTarget, Visibility, all_targets
from apps.notifications.models import NotificationKind
from apps.notifications.services import notification_send

# Reports alone never hide a user: hiding a profile resets its texts, which cannot be undone.
THRESHOLD_EXEMPT_TARGETS = frozenset({"user"})
# A rejected user keeps their account and can write again, so later reports open a new case;
# a rejected note or comment stays hidden and further reports on it are refused.
REPORTABLE_AFTER_REJECTION = frozenset({"user"})
RULE_TERM_MAX = 100
SUBJECT_TYPES = {KeywordRule: "rule", Case: "case", Strike: "strike", Appeal: "appeal"}


# --- Audit ----------------------------------------------------------------------------------


def _audit(
    *,
    actor: Any,
    action: str,
    subject: models.Model,
    reason: str = "",
    target_key: str = "",
    object_id: int | None = None,
    details: dict | None = None,
) -> AuditRecord:
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


def _move(obj: models.Model, to_status: str, transitions: dict[str, set[str]], what: str) -> None:
    """Move an object along its transition table, or refuse with 409."""
    if to_status not in transitions[obj.status]:
        raise Conflict(
            f"This {what} is {obj.status}; it cannot become {to_status}.",
            code=f"{what}.invalid_transition",
        )
    obj.status = to_status


def _required_reason(reason: str) -> str:
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


# --- Keyword rules ----------------------------------------------------------------------------


def keyword_rule_clean(
    *,
    term: str,
    category: str,
    action: str,
    surfaces: Iterable[str],
    whole_word: bool,
    rule_id: int | None = None,
) -> str:
    """Validate a rule's fields (shared by the service and the admin form); the normalised term.

    ``rule_id`` is the rule being edited, left out of the duplicate check.
    """
    errors: dict[str, list[str]] = {}
    key = normalize(term or "")
    if not key:
        errors["term"] = ["The term has no letters or digits left after normalisation."]
    elif len(key) > RULE_TERM_MAX:
        errors["term"] = [f"At most {RULE_TERM_MAX} characters after normalisation."]
    if category not in RuleCategory.values:
        errors["category"] = [f"Choose one of: {', '.join(RuleCategory.values)}."]
    if action not in RuleAction.values:
        errors["action"] = [f"Choose one of: {', '.join(RuleAction.values)}."]
    surfaces = list(surfaces)
    unknown = sorted(set(surfaces) - set(SURFACE_FIELDS))
    if unknown:
        errors["surfaces"] = [f"Unknown surfaces: {', '.join(unknown)}."]
    elif not surfaces:
        errors["surfaces"] = ["Choose at least one surface."]
    if whole_word and key and not is_latin_term(key):
        errors["whole_word"] = ["Whole-word matching applies to Latin-script terms only."]
    if errors:
        raise InvalidInput("The rule is invalid.", code="rule.invalid", fields=errors)
    _ensure_unique(key, category, action, exclude_id=rule_id)
    return key


def _rule_snapshot(rule: KeywordRule) -> dict[str, Any]:
    return {
        "term": rule.term,
        "category": rule.category,
        "action": rule.action,
        "surfaces": rule.surfaces,
        "whole_word": rule.whole_word,
        "is_active": rule.is_active,
        "note": rule.note,
    }


def _ensure_unique(key: str, category: str, action: str, exclude_id: int | None = None) -> None:
    clash = KeywordRule.objects.filter(normalized_term=key, category=category, action=action)
    if exclude_id is not None:
        clash = clash.exclude(pk=exclude_id)
    if clash.exists():
        raise InvalidInput(
            "A rule with this term, category and action exists.",
            code="rule.duplicate",
            fields={"term": ["A rule with this term, category and action exists."]},
        )


def _save_rule(rule: KeywordRule) -> None:
    try:
        with transaction.atomic():
            rule.save()
    except IntegrityError as exc:  # a concurrent edit created the same rule
        raise InvalidInput(
            "A rule with this term, category and action exists.",
            code="rule.duplicate",
            fields={"term": ["A rule with this term, category and action exists."]},
        ) from exc
    matcher.rules_changed()  # every process rebuilds once the change has committed


@transaction.atomic
def keyword_rule_create(
    *,
    term: str,
    category: str,
    action: str,
    surfaces: Iterable[str] | None = None,
    whole_word: bool = False,
    is_active: bool = True,
    note: str = "",
    actor: Any = None,
) -> KeywordRule:
    """Add a keyword rule (all surfaces unless given); live in every process within seconds."""
    surfaces = list(SURFACE_FIELDS) if surfaces is None else list(surfaces)
    term = (term or "").strip()
    key = keyword_rule_clean(
        term=term, category=category, action=action, surfaces=surfaces, whole_word=whole_word
    )
    rule = KeywordRule(
        term=term,
        normalized_term=key,
        category=category,
        action=action,
        whole_word=whole_word,
        is_active=is_active,
        note=note,
        created_by=actor,
        updated_by=actor,
        **{field: surface in surfaces for surface, field in SURFACE_FIELDS.items()},
    )
    _save_rule(rule)
    _audit(actor=actor, action=AuditAction.RULE_CREATED, subject=rule, details=_rule_snapshot(rule))
    return rule


@transaction.atomic
def keyword_rule_update(
    *,
    rule_id: int,
    actor: Any = None,
    term: str | None = None,
    category: str | None = None,
    action: str | None = None,
    surfaces: Iterable[str] | None = None,
    whole_word: bool | None = None,
    is_active: bool | None = None,
    note: str | None = None,
) -> KeywordRule:
    """Change a keyword rule; fields left as None keep their value."""
    rule = KeywordRule.objects.select_for_update().filter(pk=rule_id).first()
    if rule is None:
        raise NotFound("Rule not found.", code="rule.not_found")
    before = _rule_snapshot(rule)
    term = rule.term if term is None else term.strip()
    category = rule.category if category is None else category
    action = rule.action if action is None else action
    surfaces = rule.surfaces if surfaces is None else list(surfaces)
    whole_word = rule.whole_word if whole_word is None else whole_word
    key = keyword_rule_clean(
        term=term,
        category=category,
        action=action,
        surfaces=surfaces,
        whole_word=whole_word,
        rule_id=rule.pk,
    )
    rule.term, rule.normalized_term, rule.category, rule.action = term, key, category, action
    rule.whole_word = whole_word
    for surface, field in SURFACE_FIELDS.items():
        setattr(rule, field, surface in surfaces)
    if is_active is not None:
        rule.is_active = is_active
    if note is not None:
        rule.note = note
    rule.updated_by = actor
    _save_rule(rule)
    after = _rule_snapshot(rule)
    changes = {name: [before[name], after[name]] for name in after if before[name] != after[name]}
    _audit(actor=actor, action=AuditAction.RULE_UPDATED, subject=rule, details=changes)
    return rule


@transaction.atomic
def keyword_rule_delete(*, rule_id: int, actor: Any = None) -> None:
    """Delete a keyword rule; the audit keeps what it said."""
    rule = KeywordRule.objects.select_for_update().filter(pk=rule_id).first()
    if rule is None:
        raise NotFound("Rule not found.", code="rule.not_found")
    _audit(actor=actor, action=AuditAction.RULE_DELETED, subject=rule, details=_rule_snapshot(rule))
    rule.delete()
    matcher.rules_changed()


# --- Targets ----------------------------------------------------------------------------------


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


def _set_visibility(case: Case, visibility: str) -> bool:
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


# --- Reports and cases --------------------------------------------------------------------------


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
    if obj is None:
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
        _audit(
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


def _lock_case(case_id: int) -> Case:
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
    reason = _required_reason(reason)
    case = _lock_case(case_id)
    _check_not_own(case, operator)
    _move(case, CaseStatus.APPROVED, CASE_TRANSITIONS, "case")
    case.decided_at = timezone.now()
    case.decided_by = operator
    case.decision_reason = reason
    case.save(update_fields=["status", "decided_at", "decided_by", "decision_reason"])
    if case.held:
        _set_visibility(case, Visibility.VISIBLE)
    _audit(
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
    reason = _required_reason(reason)
    if category and category not in RuleCategory.values:
        raise InvalidInput("Unknown category.", fields={"category": ["Unknown category."]})
    case = _lock_case(case_id)
    _check_not_own(case, operator)
    _move(case, CaseStatus.REJECTED, CASE_TRANSITIONS, "case")
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
    _set_visibility(case, Visibility.HIDDEN)
    _audit(
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
    _audit(
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


# --- Appeals --------------------------------------------------------------------------------------


@transaction.atomic
def appeal_create(*, user: Any, strike_id: int, reason: str) -> Appeal:
    """The author appeals a strike, once, within the appeal window."""
    reason = _required_reason(reason)
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
    _audit(
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
    reason = _required_reason(reason)
    found = Appeal.objects.filter(pk=appeal_id).values_list("strike_id", "strike__case_id").first()
    if found is None:
        raise NotFound("Appeal not found.", code="appeal.not_found")
    strike_id, case_id = found
    case = _lock_case(case_id)
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
    _move(
        appeal,
        AppealStatus.ACCEPTED if accept else AppealStatus.DENIED,
        APPEAL_TRANSITIONS,
        "appeal",
    )
    appeal.decided_at = now
    appeal.decided_by = operator
    appeal.decision_reason = reason
    appeal.save(update_fields=["status", "decided_at", "decided_by", "decision_reason"])
    _audit(
        actor=operator,
        action=AuditAction.APPEAL_ACCEPTED if accept else AuditAction.APPEAL_DENIED,
        subject=appeal,
        reason=reason,
        target_key=case.target_key,
        object_id=case.object_id,
        details={"strike_id": strike.pk, "case_id": case.pk, "rejected_by": case.decided_by_id},
    )
    if accept:
        _move(strike, StrikeStatus.REVOKED, STRIKE_TRANSITIONS, "strike")
        strike.revoked_at = now
        strike.save(update_fields=["status", "revoked_at"])
        _move(case, CaseStatus.OVERTURNED, CASE_TRANSITIONS, "case")
        case.save(update_fields=["status"])
        _set_visibility(case, Visibility.VISIBLE)
        _audit(
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
