"""Payout decisions need a second person and leave an audit trail (issue 12, finding 8).

An operator holding ``ledger.change_payout`` who requested a payout must not approve, reject,
mark paid or mark failed it: the service refuses (403 ``payout.self_decision``), so the admin,
the demo and any later API all get the same answer, and nothing is written.
"""

import pytest

from apps.core.errors import Forbidden
from apps.ledger import services
from apps.ledger.models import Payout, PayoutEvent, PayoutStatus, Transaction
from tests.factories import UserFactory
from tests.ledger.factories import (
    available,
    book_is_consistent,
    funded_user,
    held,
    payout_operator,
    requested_payout,
    top_up,
)

pytestmark = pytest.mark.django_db

MOVERS = {
    "approve": services.payout_approve,
    "reject": services.payout_reject,
    "mark_paid": services.payout_mark_paid,
    "mark_failed": services.payout_mark_failed,
}
# The state each decision is legal from: the refusal must come from the requester check.
LEGAL_FROM = {
    "approve": PayoutStatus.REQUESTED,
    "reject": PayoutStatus.REQUESTED,
    "mark_paid": PayoutStatus.APPROVED,
    "mark_failed": PayoutStatus.APPROVED,
}


def _snapshot(payout: Payout) -> tuple:
    payout.refresh_from_db()
    return (
        payout.status,
        PayoutEvent.objects.count(),
        Transaction.objects.count(),
        available(payout.requested_by),
        held(payout.requested_by),
    )


@pytest.mark.parametrize("decision", list(MOVERS))
def test_the_requester_cannot_decide_their_own_payout(decision: str) -> None:
    requester = payout_operator()  # an operator is also an ordinary wallet holder
    top_up(requester, 5_000)
    payout = requested_payout(requester, 2_000)
    if LEGAL_FROM[decision] == PayoutStatus.APPROVED:
        services.payout_approve(payout_id=payout.pk, operator=payout_operator(), note="ok")
    before = _snapshot(payout)
    with pytest.raises(Forbidden) as refused:
        MOVERS[decision](payout_id=payout.pk, operator=requester, note="my own")
    assert refused.value.code == "payout.self_decision"
    assert _snapshot(payout) == before
    book_is_consistent()


def test_the_admin_action_refuses_self_approval_and_says_why(client) -> None:
    requester = payout_operator(is_superuser=True)
    top_up(requester, 5_000)
    payout = requested_payout(requester, 2_000)
    client.force_login(requester)
    page = client.post(
        "/admin/ledger/payout/",
        {"action": "approve", "_selected_action": [payout.pk], "note": "", "index": 0},
        follow=True,
    )
    assert "another operator must decide" in page.content.decode()
    payout.refresh_from_db()
    assert payout.status == PayoutStatus.REQUESTED
    assert list(payout.events.values_list("to_status", flat=True)) == ["requested"]


@pytest.mark.parametrize("operator_kind", ["nobody", "staff without the permission", "inactive"])
def test_only_payout_operators_decide(operator_kind: str) -> None:
    creator = funded_user(5_000)
    payout = requested_payout(creator, 2_000)
    operator = {
        "nobody": None,
        "staff without the permission": UserFactory(is_staff=True),
        "inactive": payout_operator(is_active=False),
    }[operator_kind]
    before = _snapshot(payout)
    with pytest.raises(Forbidden) as refused:
        services.payout_approve(payout_id=payout.pk, operator=operator)
    assert refused.value.code == "payout.not_operator"
    assert _snapshot(payout) == before


def test_every_decision_is_audited_with_its_operator_and_shown_on_the_admin_page(client) -> None:
    creator = funded_user(5_000)
    approver, payer = payout_operator(username="approver"), payout_operator(username="payer")
    payout = requested_payout(creator, 2_000)
    services.payout_approve(payout_id=payout.pk, operator=approver, note="checked")
    services.payout_mark_paid(payout_id=payout.pk, operator=payer, note="bank ref 9")
    trail = list(payout.events.values_list("from_status", "to_status", "actor__username", "note"))
    assert trail == [
        ("", "requested", creator.username, ""),
        ("requested", "approved", "approver", "checked"),
        ("approved", "paid", "payer", "bank ref 9"),
    ]
    client.force_login(payout_operator(is_superuser=True))
    page = client.get(f"/admin/ledger/payout/{payout.pk}/change/").content.decode()
    for text in ("approver", "payer", "bank ref 9", "checked"):
        assert text in page
