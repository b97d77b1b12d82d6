"""Cases, strikes and appeals: every (state, action) pair walked through the services.

Each pair starts from objects made by the services (a report, a rejection with its strike, the
author's appeal), with the machine's state then set directly, as a row could be found in that
state. A legal action moves the object; an illegal one raises 409 ``<machine>.illegal_transition``
and leaves every row as it was (the counts of cases, strikes, appeals, audit records and
notifications, and the three states).
"""

import pytest

from apps.core.states import IllegalTransition, Machine
from apps.moderation import services
from apps.moderation.models import (
    APPEAL_MACHINE,
    CASE_MACHINE,
    STRIKE_MACHINE,
    Appeal,
    AuditRecord,
    Case,
    Strike,
)
from apps.notifications.models import Notification
from tests.factories import UserFactory
from tests.moderation.factories import make_operator, report_user, strike_user

pytestmark = pytest.mark.django_db


def _appealed_strike() -> Appeal:
    """A rejected case, its active strike and the author's pending appeal, all via services."""
    author = UserFactory()
    strike = strike_user(user=author)
    return services.appeal_create(user=author, strike_id=strike.pk, reason="Not abusive")


def _snapshot(case_id: int) -> tuple:
    case = Case.objects.get(pk=case_id)
    strike = Strike.objects.filter(case_id=case_id).first()
    appeal = Appeal.objects.filter(strike__case_id=case_id).first()
    return (
        Case.objects.count(),
        Strike.objects.count(),
        Appeal.objects.count(),
        AuditRecord.objects.count(),
        Notification.objects.count(),
        case.status,
        strike and strike.status,
        appeal and appeal.status,
    )


def _walk(machine: Machine, state: str, action: str, case_id: int, act, current) -> None:
    """Run ``act`` and check the outcome against the machine's table."""
    before = _snapshot(case_id)
    if machine.allows(state, action):
        act()
        assert current() == machine.transitions[(state, action)]
        assert AuditRecord.objects.count() > before[3]
        return
    with pytest.raises(IllegalTransition) as refused:
        act()
    assert refused.value.code == f"{machine.name}.illegal_transition"
    assert refused.value.status == 409
    assert _snapshot(case_id) == before


@pytest.mark.parametrize(("state", "action"), list(CASE_MACHINE.pairs()))
def test_case_machine(state: str, action: str) -> None:
    operator = make_operator()
    if action == "overturn":  # only an accepted appeal overturns a case
        appeal = _appealed_strike()
        case_id = appeal.strike.case_id

        def act():
            services.appeal_decide(appeal_id=appeal.pk, operator=operator, accept=True, reason="r")
    else:
        case_id = report_user(reported=UserFactory()).pk
        decide = services.case_approve if action == "approve" else services.case_reject

        def act():
            decide(case_id=case_id, operator=operator, reason="decided")

    Case.objects.filter(pk=case_id).update(status=state)
    _walk(CASE_MACHINE, state, action, case_id, act, lambda: Case.objects.get(pk=case_id).status)


@pytest.mark.parametrize(("state", "action"), list(STRIKE_MACHINE.pairs()))
def test_strike_machine(state: str, action: str) -> None:
    appeal = _appealed_strike()
    Strike.objects.filter(pk=appeal.strike_id).update(status=state)

    def act():
        services.appeal_decide(
            appeal_id=appeal.pk, operator=make_operator(), accept=True, reason="r"
        )

    case_id = appeal.strike.case_id
    _walk(
        STRIKE_MACHINE,
        state,
        action,
        case_id,
        act,
        lambda: Strike.objects.get(pk=appeal.strike_id).status,
    )


@pytest.mark.parametrize(("state", "action"), list(APPEAL_MACHINE.pairs()))
def test_appeal_machine(state: str, action: str) -> None:
    appeal = _appealed_strike()
    Appeal.objects.filter(pk=appeal.pk).update(status=state)

    def act():
        services.appeal_decide(
            appeal_id=appeal.pk, operator=make_operator(), accept=action == "accept", reason="r"
        )

    case_id = appeal.strike.case_id
    _walk(
        APPEAL_MACHINE, state, action, case_id, act, lambda: Appeal.objects.get(pk=appeal.pk).status
    )


def test_the_tables_are_the_documented_ones() -> None:
    """The walks above check that the services obey the tables; this pins the tables."""
    assert CASE_MACHINE.transitions == {
        ("open", "approve"): "approved",
        ("open", "reject"): "rejected",
        ("rejected", "overturn"): "overturned",
    }
    assert STRIKE_MACHINE.transitions == {("active", "revoke"): "revoked"}
    assert APPEAL_MACHINE.transitions == {
        ("pending", "accept"): "accepted",
        ("pending", "deny"): "denied",
    }
    assert len(list(CASE_MACHINE.pairs())) == 4 * 3
    assert len(list(STRIKE_MACHINE.pairs())) == 2 * 1
    assert len(list(APPEAL_MACHINE.pairs())) == 3 * 2
