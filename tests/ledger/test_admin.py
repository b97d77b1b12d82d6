"""Operators: read-only book, payout decisions and reversals through admin actions."""

import pytest
from django.contrib.auth.models import Permission

from apps.accounts.models import User
from apps.ledger import services
from apps.ledger.models import Payout, PayoutStatus, Transaction
from tests.factories import UserFactory
from tests.ledger.factories import available, funded_user, held, requested_payout

pytestmark = pytest.mark.django_db


@pytest.fixture
def operator_client(client):
    operator = User.objects.create_superuser("ledger-op", "op@example.com", "op-pass-2026!")
    client.force_login(operator)
    return client


@pytest.fixture
def book():
    creator, friend = funded_user(9_000), UserFactory()
    transfer = services.wallet_transfer(sender=creator, recipient_id=friend.pk, amount=1_000)
    payout = requested_payout(creator, 3_000)
    services.reconciliation_run()
    return creator, transfer, payout


MODELS = [
    "account",
    "transaction",
    "entry",
    "paymentintent",
    "webhookevent",
    "payout",
    "payoutevent",
    "reconciliationreport",
    "reconciliationdifference",
]


@pytest.mark.parametrize("model", MODELS)
def test_every_ledger_model_has_a_screen(operator_client, book, model: str) -> None:
    assert operator_client.get(f"/admin/ledger/{model}/").status_code == 200


def test_detail_pages_render_and_the_book_is_read_only(operator_client, book) -> None:
    _, transfer, payout = book
    page = operator_client.get(f"/admin/ledger/transaction/{transfer.pk}/change/")
    assert page.status_code == 200
    assert "-10.00" in page.content.decode()  # the entries inline, in yuan
    assert operator_client.get(f"/admin/ledger/payout/{payout.pk}/change/").status_code == 200
    assert operator_client.get("/admin/core/idempotencykey/").status_code == 200
    assert operator_client.get("/admin/ledger/entry/add/").status_code == 403
    operator_client.post(f"/admin/ledger/transaction/{transfer.pk}/delete/", {"post": "yes"})
    assert Transaction.objects.filter(pk=transfer.pk).exists()


def _act(client, action: str, payout_ids: list[int], note: str = ""):
    return client.post(
        "/admin/ledger/payout/",
        {"action": action, "_selected_action": payout_ids, "note": note, "index": 0},
        follow=True,
    )


def test_operator_approves_then_marks_paid(operator_client, book) -> None:
    creator, _, payout = book
    _act(operator_client, "approve", [payout.pk])
    assert Payout.objects.get(pk=payout.pk).status == PayoutStatus.APPROVED
    _act(operator_client, "mark_paid", [payout.pk], note="bank ref 7788")
    payout.refresh_from_db()
    assert (payout.status, payout.note) == (PayoutStatus.PAID, "bank ref 7788")
    assert payout.events.last().actor.username == "ledger-op"
    assert (available(creator), held(creator)) == (5_000, 0)


def test_reject_needs_a_reason_and_returns_the_money(operator_client, book) -> None:
    creator, _, payout = book
    response = _act(operator_client, "reject", [payout.pk])
    assert "Give a reason" in response.content.decode()
    assert Payout.objects.get(pk=payout.pk).status == PayoutStatus.REQUESTED
    _act(operator_client, "reject", [payout.pk], note="name does not match")
    assert Payout.objects.get(pk=payout.pk).status == PayoutStatus.REJECTED
    assert (available(creator), held(creator)) == (8_000, 0)
    response = _act(operator_client, "approve", [payout.pk])
    refusal = "This payout is rejected; &#x27;approve&#x27; is not allowed"
    assert refusal in response.content.decode()


def test_operator_reverses_a_transfer(operator_client, book) -> None:
    creator, transfer, _ = book
    operator_client.post(
        "/admin/ledger/transaction/",
        {"action": "reverse_selected", "_selected_action": [transfer.pk], "index": 0},
        follow=True,
    )
    assert Transaction.objects.filter(reverses=transfer).exists()
    assert available(creator) == 6_000


def test_staff_without_permission_cannot_decide_payouts(client, book) -> None:
    _, _, payout = book
    staff = UserFactory(is_staff=True)
    staff.user_permissions.add(Permission.objects.get(codename="view_payout"))
    client.force_login(staff)
    assert client.get("/admin/ledger/payout/").status_code == 200
    _act(client, "approve", [payout.pk])
    assert Payout.objects.get(pk=payout.pk).status == PayoutStatus.REQUESTED


@pytest.mark.parametrize("model", ["account", "transaction", "entry", "payout", "payoutevent"])
@pytest.mark.parametrize("query", ["42", "not-a-number"])
def test_admin_search_accepts_any_text(operator_client, book, model: str, query: str) -> None:
    assert operator_client.get(f"/admin/ledger/{model}/", {"q": query}).status_code == 200
