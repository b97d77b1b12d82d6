"""Keyword rules: the only writer of ``KeywordRule``; every change is audited and goes live
in every process once it commits (``matcher.rules_changed``)."""

from collections.abc import Iterable
from typing import Any

from django.db import IntegrityError, transaction

from apps.core.errors import InvalidInput, NotFound
from apps.moderation import matcher
from apps.moderation.models import (
    SURFACE_FIELDS,
    AuditAction,
    KeywordRule,
    RuleAction,
    RuleCategory,
)
from apps.moderation.normalize import is_latin_term, normalize
from apps.moderation.services.audit import audit

RULE_TERM_MAX = 100


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
    audit(actor=actor, action=AuditAction.RULE_CREATED, subject=rule, details=_rule_snapshot(rule))
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
    audit(actor=actor, action=AuditAction.RULE_UPDATED, subject=rule, details=changes)
    return rule


@transaction.atomic
def keyword_rule_delete(*, rule_id: int, actor: Any = None) -> None:
    """Delete a keyword rule; the audit keeps what it said."""
    rule = KeywordRule.objects.select_for_update().filter(pk=rule_id).first()
    if rule is None:
        raise NotFound("Rule not found.", code="rule.not_found")
    audit(actor=actor, action=AuditAction.RULE_DELETED, subject=rule, details=_rule_snapshot(rule))
    rule.delete()
    matcher.rules_changed()
