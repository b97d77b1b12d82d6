"""Wallet API: balance, history, statements, transfers, top-ups and payouts over HTTP."""

import csv
import io
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from apps.ledger import services
from apps.ledger.models import AccountKind, Entry, PaymentIntent, Payout, Transaction
from tests.factories import UserFactory
from tests.ledger.factories import available, funded_user, held, requested_payout, top_up

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")


def _key(n: object = 1) -> dict[str, str]:
    return {"Idempotency-Key": f"test-{n}"}


def test_wallet_starts_empty_without_creating_accounts(api) -> None:
    assert api.get("/api/v1/wallet").json() == {"currency": "CNY", "available": 0, "held": 0}
    from apps.ledger.models import Account

    assert not Account.objects.exists()  # a read writes nothing


def test_wallet_shows_available_and_held(make_client) -> None:
    creator = funded_user(9_000)
    requested_payout(creator, 2_500)
    body = make_client(creator).get("/api/v1/wallet").json()
    assert body == {"currency": "CNY", "available": 6_500, "held": 2_500}


def test_history_lists_my_wallet_entries_newest_first(make_client) -> None:
    me, friend = funded_user(5_000), UserFactory()
    services.wallet_transfer(sender=me, recipient_id=friend.pk, amount=1_200)
    requested_payout(me, 1_000)
    rows = make_client(me).get("/api/v1/wallet/entries").json()["results"]
    assert [(r["kind"], r["amount"], r["balance_after"]) for r in rows] == [
        ("payout_hold", -1_000, 2_800),
        ("transfer", -1_200, 3_800),
        ("topup", 5_000, 5_000),
    ]
    assert rows[1]["description"] == f"Transfer from @{me.username} to @{friend.username}"
    friend_rows = make_client(friend).get("/api/v1/wallet/entries").json()["results"]
    assert [(r["kind"], r["amount"]) for r in friend_rows] == [("transfer", 1_200)]


def test_history_paginates_with_a_cursor(make_client) -> None:
    me, friend = funded_user(5_000), UserFactory()
    for _ in range(4):
        services.wallet_transfer(sender=me, recipient_id=friend.pk, amount=10)
    client = make_client(me)
    page = client.get("/api/v1/wallet/entries", {"page_size": 2}).json()
    seen = [row["id"] for row in page["results"]]
    while page["next"]:
        page = client.get(page["next"]).json()
        seen += [row["id"] for row in page["results"]]
    assert len(seen) == len(set(seen)) == 5
    assert client.get("/api/v1/wallet/entries", {"cursor": "bogus"}).status_code == 404


def _fill_history(user, n: int) -> None:
    friend = UserFactory()
    top_up(user, 100_000)
    for _ in range(n - 1):
        services.wallet_transfer(sender=user, recipient_id=friend.pk, amount=1)


def _fill_topups(user, n: int) -> None:
    for _ in range(n):
        services.payment_intent_create(user=user, amount=100, provider="sandbox")


def _fill_payouts(user, n: int) -> None:
    top_up(user, 1_000 * n)
    for _ in range(n):
        requested_payout(user, 1_000)


@pytest.mark.parametrize(
    ("url", "fill"),
    [
        ("/api/v1/wallet/entries", _fill_history),
        ("/api/v1/wallet/topups", _fill_topups),
        ("/api/v1/wallet/payouts", _fill_payouts),
    ],
)
def test_lists_make_a_constant_number_of_queries(
    make_client, count_queries, django_assert_max_num_queries, url, fill
) -> None:
    small, large = UserFactory(), UserFactory()
    fill(small, 1)
    fill(large, 50)
    small_client, large_client = make_client(small), make_client(large)
    one = count_queries(lambda: small_client.get(url, {"page_size": 50}))
    response = None

    def fetch_large():
        nonlocal response
        response = large_client.get(url, {"page_size": 50})

    fifty = count_queries(fetch_large)
    assert len(response.json()["results"]) == 50
    assert one == fifty
    with django_assert_max_num_queries(one):
        large_client.get(url, {"page_size": 50})


def test_statement_is_a_csv_of_one_month(make_client) -> None:
    me, friend = funded_user(5_000), UserFactory()
    services.wallet_transfer(sender=me, recipient_id=friend.pk, amount=1_234)
    month = datetime.now(tz=SHANGHAI).strftime("%Y-%m")
    response = make_client(me).get("/api/v1/wallet/statement", {"month": month})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert f"wallet-statement-{month}.csv" in response["Content-Disposition"]
    text = b"".join(response.streaming_content).decode()
    rows = list(csv.DictReader(io.StringIO(text)))
    assert [(r["kind"], r["amount_yuan"], r["balance_after_yuan"]) for r in rows] == [
        ("topup", "50.00", "50.00"),
        ("transfer", "-12.34", "37.66"),
    ]
    empty = make_client(me).get("/api/v1/wallet/statement", {"month": "2001-02"})
    assert b"".join(empty.streaming_content).decode().strip() == ",".join(
        ["posted_at", "transaction_id", "kind", "description", "amount_yuan", "balance_after_yuan"]
    )


def test_statement_month_boundaries_are_shanghai_time(make_client) -> None:
    """An entry at 23:30 UTC on Jan 31 is 07:30 on Feb 1 in Shanghai: February's statement."""
    me = funded_user(100)
    entry = Entry.objects.get(account__owner_id=me.pk, account__kind=AccountKind.WALLET)
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":  # the append-only triggers guard real rows
            cursor.execute("SET LOCAL session_replication_role = replica")
        cursor.execute(
            "UPDATE ledger_entry SET created_at = %s WHERE id = %s",
            [datetime(2026, 1, 31, 23, 30, tzinfo=ZoneInfo("UTC")), entry.pk],
        )
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL session_replication_role = origin")
    client = make_client(me)

    def lines(month: str) -> int:
        response = client.get("/api/v1/wallet/statement", {"month": month})
        return len(b"".join(response.streaming_content).decode().strip().splitlines())

    assert (lines("2026-01"), lines("2026-02")) == (1, 2)


@pytest.mark.parametrize("month", [None, "2026-13", "2026-1", "26-01", "1999-12", "9999-12"])
def test_statement_rejects_bad_months(api, month) -> None:
    params = {} if month is None else {"month": month}
    response = api.get("/api/v1/wallet/statement", params)
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert "month" in response.json()["error"]["fields"]


def test_statement_cells_cannot_carry_formulas() -> None:
    from apps.ledger.selectors import _cell

    assert _cell("=HYPERLINK(1)") == "'=HYPERLINK(1)"
    assert _cell("Top-up via sandbox") == "Top-up via sandbox"


def test_transfer_over_http(make_client) -> None:
    me, friend = funded_user(5_000), UserFactory()
    response = make_client(me).post(
        "/api/v1/wallet/transfers", {"to_user_id": friend.pk, "amount": 800}, headers=_key()
    )
    assert response.status_code == 201
    body = response.json()
    assert body["to_user_id"] == friend.pk
    assert body["wallet"] == {"currency": "CNY", "available": 4_200, "held": 0}
    assert Transaction.objects.get(pk=body["transaction_id"]).kind == "transfer"
    assert available(friend) == 800


@pytest.mark.parametrize(
    ("payload", "status", "code"),
    [
        ({"to_user_id": "self", "amount": 1}, 409, "transfer.self"),
        ({"to_user_id": 987654321, "amount": 1}, 404, "user.not_found"),
        ({"to_user_id": "friend", "amount": 0}, 400, "invalid"),
        ({"to_user_id": "friend", "amount": -5}, 400, "invalid"),
        ({"to_user_id": "friend", "amount": "1.5"}, 400, "invalid"),
        ({"to_user_id": "friend", "amount": 10**12}, 400, "invalid"),
        ({"to_user_id": "friend"}, 400, "invalid"),
        ({"to_user_id": "friend", "amount": 9_999}, 409, "wallet.insufficient_funds"),
    ],
)
def test_transfer_refusals(make_client, payload, status, code) -> None:
    me, friend = funded_user(5_000), UserFactory()
    ids = {"self": me.pk, "friend": friend.pk}
    payload = {k: ids.get(v, v) if k == "to_user_id" else v for k, v in payload.items()}
    response = make_client(me).post("/api/v1/wallet/transfers", payload, headers=_key())
    assert response.status_code == status
    assert response.json()["error"]["code"] == code
    assert (available(me), available(friend)) == (5_000, 0)


def test_topup_create_list_and_detail(make_client) -> None:
    me = UserFactory()
    client = make_client(me)
    created = client.post(
        "/api/v1/wallet/topups", {"amount": 2_000, "provider": "sandbox"}, headers=_key()
    )
    assert created.status_code == 201
    body = created.json()
    assert (body["status"], body["amount"], body["provider"]) == ("created", 2_000, "sandbox")
    assert body["reference"].startswith("pi_")
    assert client.get(f"/api/v1/wallet/topups/{body['id']}").json() == body
    listed = client.get("/api/v1/wallet/topups").json()["results"]
    assert [row["id"] for row in listed] == [body["id"]]
    assert available(me) == 0  # nothing is credited before the provider says so


@pytest.mark.parametrize(
    "payload",
    [
        {"amount": 2_000, "provider": "alipay"},
        {"amount": 99, "provider": "sandbox"},
        {"amount": 2_000},
    ],
)
def test_topup_refusals(api, payload) -> None:
    response = api.post("/api/v1/wallet/topups", payload, headers=_key())
    assert response.status_code == 400
    assert not PaymentIntent.objects.exists()


def test_payout_request_over_http(make_client) -> None:
    me = funded_user(5_000)
    client = make_client(me)
    payload = {
        "amount": 3_000,
        "method": "bank_card",
        "account_name": "林海",
        "account_number": "6222020200112233",
    }
    response = client.post("/api/v1/wallet/payouts", payload, headers=_key())
    assert response.status_code == 201
    body = response.json()
    assert body["status"] == "requested"
    assert body["account_number"] == "************2233"
    assert (available(me), held(me)) == (2_000, 3_000)
    assert client.get(f"/api/v1/wallet/payouts/{body['id']}").json() == body
    assert [row["id"] for row in client.get("/api/v1/wallet/payouts").json()["results"]] == [
        body["id"]
    ]


@pytest.mark.parametrize(
    ("change", "status"),
    [
        ({"amount": 999}, 400),
        ({"amount": 6_000}, 409),
        ({"method": "paypal"}, 400),
        ({"account_number": "12"}, 400),
        ({"account_number": "a b c d"}, 400),
        ({"account_name": ""}, 400),
    ],
)
def test_payout_refusals(make_client, change, status) -> None:
    me = funded_user(5_000)
    payload = {"amount": 1_000, "method": "alipay", "account_name": "x", "account_number": "abcd"}
    response = make_client(me).post("/api/v1/wallet/payouts", {**payload, **change}, headers=_key())
    assert response.status_code == status
    assert not Payout.objects.exists()
    assert (available(me), held(me)) == (5_000, 0)


def test_unknown_ids_are_404(api) -> None:
    for url in ("/api/v1/wallet/topups/987654", "/api/v1/wallet/payouts/987654"):
        assert api.get(url).status_code == 404
    assert api.post("/api/v1/wallet/topups/987654/sandbox-pay").status_code == 404


def test_money_endpoints_need_authentication(anon_client) -> None:
    for url in ("/api/v1/wallet", "/api/v1/wallet/entries", "/api/v1/wallet/payouts"):
        assert anon_client.get(url).status_code == 401
    response = anon_client.post("/api/v1/wallet/transfers", {}, headers=_key())
    assert response.status_code == 401
