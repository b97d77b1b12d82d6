"""An organisation's money: top-ups, payouts decided by operators, statements, over the API."""

import csv
import io
import uuid
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from apps.accounts import organisations as organisation_services
from apps.core.errors import Conflict, Forbidden
from apps.ledger import services
from apps.ledger.models import OwnerType, PaymentIntent, Payout
from tests.accounts.organisation_factories import (
    add_member,
    make_organisation,
    organisation_with_roles,
    verification_operator,
)
from tests.ledger.factories import book_is_consistent, payout_operator, top_up
from tests.ledger.organisation_money_factories import (
    organisation_balance,
    organisation_payout,
    organisation_top_up,
)

pytestmark = pytest.mark.django_db


def _key() -> dict[str, str]:
    return {"Idempotency-Key": str(uuid.uuid4())}


def _money(organisation) -> tuple[int, int]:
    balance = organisation_balance(organisation)
    return balance.available, balance.held


@pytest.fixture
def brand():
    return organisation_with_roles(verified=True)


def test_finance_tops_up_through_the_sandbox_and_the_statement_shows_it(brand, make_client) -> None:
    organisation, members = brand
    finance = make_client(members["finance"])
    base = f"/api/v1/organisations/{organisation.pk}"
    headers = _key()
    created = finance.post(
        f"{base}/topups", {"amount": 50_000, "provider": "sandbox"}, headers=headers
    )
    assert created.status_code == 201, created.content
    intent = created.json()
    assert (intent["status"], intent["requested_by_id"]) == ("created", members["finance"].pk)
    replay = finance.post(
        f"{base}/topups", {"amount": 50_000, "provider": "sandbox"}, headers=headers
    )
    assert replay.json() == intent
    assert PaymentIntent.objects.filter(owner_type=OwnerType.ORGANISATION).count() == 1

    paid = finance.post(f"{base}/topups/{intent['id']}/sandbox-pay", {"outcome": "succeeded"})
    assert paid.json()["status"] == "succeeded"
    assert finance.get(f"{base}/wallet").json() == {
        "currency": "CNY",
        "available": 50_000,
        "held": 0,
    }
    # The finance member's own wallet is untouched: the money is the organisation's.
    assert make_client(members["finance"]).get("/api/v1/wallet").json()["available"] == 0
    entries = make_client(members["owner"]).get(f"{base}/wallet/entries").json()["results"]
    assert [(row["kind"], row["amount"], row["balance_after"]) for row in entries] == [
        ("topup", 50_000, 50_000)
    ]
    month = datetime.now(tz=ZoneInfo("Asia/Shanghai")).strftime("%Y-%m")
    response = finance.get(f"{base}/wallet/statement", {"month": month})
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[0][0] == "posted_at"
    assert [(row[2], row[4], row[5]) for row in rows[1:]] == [("topup", "500.00", "500.00")]
    bad_month = finance.get(f"{base}/wallet/statement", {"month": "2026-13"})
    assert bad_month.status_code == 400
    book_is_consistent()


def test_unverified_organisations_cannot_top_up_or_pay_out(make_client) -> None:
    organisation = make_organisation()
    owner = make_client(organisation.created_by)
    base = f"/api/v1/organisations/{organisation.pk}"
    refused = owner.post(f"{base}/topups", {"amount": 5_000, "provider": "sandbox"}, headers=_key())
    assert (refused.status_code, refused.json()["error"]["code"]) == (
        409,
        "organisation.not_verified",
    )
    payout = owner.post(
        f"{base}/payouts",
        {"amount": 1_000, "method": "alipay", "account_name": "x", "account_number": "x@y.cn"},
        headers=_key(),
    )
    assert payout.json()["error"]["code"] == "organisation.not_verified"
    assert not PaymentIntent.objects.exists()
    assert not Payout.objects.exists()


def test_payout_is_held_then_decided_by_an_operator_outside_the_organisation(brand) -> None:
    organisation, members = brand
    organisation_top_up(organisation, members["owner"], 30_000)
    payout = organisation_payout(organisation, members["finance"], 12_000)
    assert (payout.owner_type, payout.owner_id) == ("organisation", organisation.pk)
    assert _money(organisation) == (18_000, 12_000)

    requester_operator = payout_operator()
    add_member(organisation, "viewer", requester_operator)
    for operator in (requester_operator,):
        with pytest.raises(Forbidden) as own:
            services.payout_approve(payout_id=payout.pk, operator=operator)
        assert own.value.code == "payout.self_decision"

    operator = payout_operator()
    services.payout_approve(payout_id=payout.pk, operator=operator)
    services.payout_mark_paid(payout_id=payout.pk, operator=operator, note="bank ref 42")
    assert _money(organisation) == (18_000, 0)

    rejected = organisation_payout(organisation, members["owner"], 8_000)
    assert _money(organisation) == (10_000, 8_000)
    services.payout_reject(payout_id=rejected.pk, operator=operator, note="wrong account")
    assert _money(organisation) == (18_000, 0)
    book_is_consistent()


def test_a_payout_beyond_the_balance_is_refused_and_writes_nothing(brand) -> None:
    organisation, members = brand
    organisation_top_up(organisation, members["finance"], 5_000)
    with pytest.raises(Conflict) as short:
        organisation_payout(organisation, members["finance"], 5_001)
    assert short.value.code == "wallet.insufficient_funds"
    assert not Payout.objects.exists()
    assert _money(organisation) == (5_000, 0)


def test_organisation_money_and_user_money_stay_apart(brand) -> None:
    organisation, members = brand
    finance = members["finance"]
    top_up(finance, 2_000)
    organisation_top_up(organisation, finance, 7_000)
    assert _money(organisation) == (7_000, 0)
    assert services.user_wallet(finance.pk).balance == 2_000
    other, other_members = organisation_with_roles(verified=True)
    with pytest.raises(Exception) as outsider:
        organisation_payout(other, finance, 1_000)
    assert getattr(outsider.value, "code", "") == "organisation.not_found"
    assert _money(other) == (0, 0)
    assert other_members  # the other organisation has its own members


USER_INTENT_FIELDS = {
    "id",
    "reference",
    "provider",
    "amount",
    "currency",
    "status",
    "failure_reason",
    "client_payload",
    "transaction_id",
    "created_at",
    "expires_at",
    "succeeded_at",
}
USER_PAYOUT_FIELDS = {
    "id",
    "amount",
    "method",
    "account_name",
    "account_number",
    "status",
    "note",
    "created_at",
    "updated_at",
}


def test_the_user_wallet_api_keeps_its_shapes(api, user) -> None:
    top_up(user, 5_000)
    api.post(
        "/api/v1/wallet/payouts",
        {"amount": 1_000, "method": "alipay", "account_name": "Lin", "account_number": "lin@x.cn"},
        headers=_key(),
    )
    (intent,) = api.get("/api/v1/wallet/topups").json()["results"]
    (payout,) = api.get("/api/v1/wallet/payouts").json()["results"]
    assert set(intent) == USER_INTENT_FIELDS
    assert set(payout) == USER_PAYOUT_FIELDS
    assert PaymentIntent.objects.get().requested_by == user


def _fill_entries(organisation, members, n: int) -> None:
    organisation_top_up(organisation, members["finance"], 100_000)
    for _ in range(n - 1):
        organisation_payout(organisation, members["finance"], 1_000)


def _fill_topups(organisation, members, n: int) -> None:
    for _ in range(n):
        services.organisation_topup_create(
            organisation_id=organisation.pk,
            user=members["finance"],
            amount=100,
            provider="sandbox",
        )


def _fill_payouts(organisation, members, n: int) -> None:
    organisation_top_up(organisation, members["finance"], 1_000 * n)
    for _ in range(n):
        organisation_payout(organisation, members["owner"], 1_000)


@pytest.mark.parametrize(
    ("path", "fill"),
    [("wallet/entries", _fill_entries), ("topups", _fill_topups), ("payouts", _fill_payouts)],
)
def test_lists_make_a_constant_number_of_queries(make_client, count_queries, path, fill) -> None:
    (small, small_members), (large, large_members) = (
        organisation_with_roles(verified=True),
        organisation_with_roles(verified=True),
    )
    fill(small, small_members, 1)
    fill(large, large_members, 50)
    results = {}

    def fetch(organisation, members):
        client = make_client(members["finance"])
        url = f"/api/v1/organisations/{organisation.pk}/{path}"
        return lambda: results.setdefault(
            organisation.pk, client.get(url, {"page_size": 50}).json()["results"]
        )

    one = count_queries(fetch(small, small_members))
    fifty = count_queries(fetch(large, large_members))
    assert (len(results[small.pk]), len(results[large.pk])) == (1, 50)
    assert one == fifty


def test_revoked_verification_and_removed_members_stop_money_moves(brand) -> None:
    organisation, members = brand
    organisation_top_up(organisation, members["finance"], 6_000)
    organisation_services.membership_remove(
        organisation_id=organisation.pk, actor=members["owner"], user_id=members["finance"].pk
    )
    with pytest.raises(Exception) as removed:
        organisation_payout(organisation, members["finance"], 1_000)
    assert getattr(removed.value, "code", "") == "organisation.not_found"
    organisation_services.organisation_reject(
        organisation_id=organisation.pk, operator=verification_operator(), reason="执照已吊销"
    )
    with pytest.raises(Conflict) as revoked:
        organisation_payout(organisation, members["owner"], 1_000)
    assert revoked.value.code == "organisation.not_verified"
    assert _money(organisation) == (6_000, 0)
    assert not Payout.objects.exists()
