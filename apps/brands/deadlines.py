"""The cooperation deadlines the beat task enforces, each due row moved on its own lock."""

from datetime import datetime

from apps.brands.cooperation_models import Cooperation, CooperationStatus
from apps.brands.cooperations import cooperation_deadline_move

S = CooperationStatus
# state -> the action its deadline takes (docs/brands.md "Deadlines").
DEADLINE_ACTIONS = {
    S.INVITED: "expire",
    S.APPLIED: "expire",
    S.NEGOTIATING: "expire",
    S.ACCEPTED: "expire",
    S.SUBMITTED: "approve",
    S.PUBLISHED: "complete",
}
BATCH = 500


def cooperation_deadlines_run(*, now: datetime) -> dict[str, int]:
    """Move every cooperation whose deadline passed; returns moves per action."""
    due = (
        Cooperation.objects.filter(status__in=list(DEADLINE_ACTIONS), deadline_at__lte=now)
        .order_by("deadline_at", "pk")
        .values_list("pk", "status")[:BATCH]
    )
    moved: dict[str, int] = {}
    for cooperation_id, status in list(due):
        action = DEADLINE_ACTIONS[status]
        if cooperation_deadline_move(cooperation_id=cooperation_id, action=action, now=now):
            moved[action] = moved.get(action, 0) + 1
    return moved
