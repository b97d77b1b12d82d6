"""Programs writes, split by topic: ``contracts``, ``programs``, ``academy``, ``listening``.

Other apps import from here only (``apps.programs.services``).
"""

from apps.programs.services.academy import (
    class_check_in,
    class_register,
    lesson_complete,
    registration_cancel,
)
from apps.programs.services.contracts import (
    contract_accept,
    contract_decline,
    contract_request,
    contract_terminate_by_agency,
    contract_terminate_by_creator,
    contract_withdraw,
    contracts_complete_due,
    contracts_expire_due,
    contracts_terminate_due,
)
from apps.programs.services.listening import (
    session_publish,
    topic_propose,
    topic_respond,
    topic_upvote,
    topics_pick,
)
from apps.programs.services.programs import (
    application_approve,
    application_leave,
    application_reject,
    application_remove,
    benefit_grant,
    benefits_grant_due,
    program_apply,
    programs_invite_eligible,
)

__all__ = [
    "application_approve",
    "application_leave",
    "application_reject",
    "application_remove",
    "benefit_grant",
    "benefits_grant_due",
    "class_check_in",
    "class_register",
    "contract_accept",
    "contract_decline",
    "contract_request",
    "contract_terminate_by_agency",
    "contract_terminate_by_creator",
    "contract_withdraw",
    "contracts_complete_due",
    "contracts_expire_due",
    "contracts_terminate_due",
    "lesson_complete",
    "program_apply",
    "programs_invite_eligible",
    "registration_cancel",
    "session_publish",
    "topic_propose",
    "topic_respond",
    "topic_upvote",
    "topics_pick",
]
