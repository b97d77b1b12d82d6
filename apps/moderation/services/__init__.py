"""Moderation writes: keyword rules, reports and cases, decisions, strikes and appeals.

Split by topic (``rules``, ``cases``, ``appeals``, with the audit record and operator checks in
``audit``); ``from apps.moderation import services`` keeps working through the names below.

Lock order everywhere: case, then strike, then appeal, so a decision and an appeal on the same
item can never deadlock. Each decision moves its objects through the ``apps.core.states``
machines declared in ``models`` (an illegal move is 409 ``<machine>.illegal_transition`` and
writes nothing), writes one ``AuditRecord`` per move, and notifies the author.
"""

from apps.moderation.services.appeals import appeal_create, appeal_decide
from apps.moderation.services.audit import check_operator
from apps.moderation.services.cases import (
    REPORTABLE_AFTER_REJECTION,
    THRESHOLD_EXEMPT_TARGETS,
    case_approve,
    case_open_for_screening,
    case_reject,
    report_create,
)
from apps.moderation.services.rules import (
    RULE_TERM_MAX,
    keyword_rule_clean,
    keyword_rule_create,
    keyword_rule_delete,
    keyword_rule_update,
)

__all__ = [
    "REPORTABLE_AFTER_REJECTION",
    "RULE_TERM_MAX",
    "THRESHOLD_EXEMPT_TARGETS",
    "appeal_create",
    "appeal_decide",
    "case_approve",
    "case_open_for_screening",
    "case_reject",
    "check_operator",
    "keyword_rule_clean",
    "keyword_rule_create",
    "keyword_rule_delete",
    "keyword_rule_update",
    "report_create",
]
