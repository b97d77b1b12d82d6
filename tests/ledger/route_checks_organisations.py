"""Route checks for an organisation's money routes (collected by tests/core).

The victim owns a verified organisation with money, a pending top-up and a pending payout, and
a manager and a viewer who may not touch money. The attacker (not a member) gets 404 on every
route, the manager and the viewer 403, and nothing moves. The attacker's own organisation is no
door either: the victim organisation's top-ups and payouts are 404 under its path.
"""

import time
from collections.abc import Callable
from datetime import datetime
from zoneinfo import ZoneInfo

from apps.accounts.models import Organisation
from apps.ledger import services
from apps.ledger.models import PaymentIntent, Payout
from tests.accounts.organisation_factories import (
    add_member,
    assert_refused,
    make_organisation,
)
from tests.ledger.organisation_money_factories import (
    organisation_balance,
    organisation_payout,
    organisation_top_up,
)

MONEY = {"owner", "finance"}


def _victim_money(victim) -> tuple[Organisation, dict, PaymentIntent, Payout]:
    organisation = make_organisation(victim, name="受害者品牌", verified=True)
    members = {"owner": victim}
    for role in ("manager", "finance", "viewer"):
        members[role] = add_member(organisation, role)
    organisation_top_up(organisation, members["finance"], 10_000)
    payout = organisation_payout(organisation, members["finance"], 2_000)
    pending = services.organisation_topup_create(
        organisation_id=organisation.pk, user=victim, amount=3_000, provider="sandbox"
    )
    return organisation, members, pending, payout


def _unchanged(organisation: Organisation, pending: PaymentIntent, payout: Payout) -> None:
    balance = organisation_balance(organisation)
    assert (balance.available, balance.held) == (8_000, 2_000)
    pending.refresh_from_db()
    payout.refresh_from_db()
    assert (pending.status, payout.status) == ("created", "requested")
    assert (
        PaymentIntent.objects.filter(owner_type="organisation", owner_id=organisation.pk).count()
        == 2
    )
    assert Payout.objects.filter(owner_type="organisation", owner_id=organisation.pk).count() == 1


def _key() -> dict[str, str]:
    return {"Idempotency-Key": f"attack-{time.monotonic_ns()}"}


def _base(organisation: Organisation) -> str:
    return f"/api/v1/organisations/{organisation.pk}"


def _own_organisation_path(client) -> str:
    """The attacker's own verified organisation, where they are owner."""
    return _base(make_organisation(client.attacker, name="攻击者品牌", verified=True))


def _wallet(client, victim) -> None:
    organisation, members, pending, payout = _victim_money(victim)
    url = f"{_base(organisation)}/wallet"
    assert_refused(client, members, MONEY, lambda c: c.get(url))
    _unchanged(organisation, pending, payout)


def _wallet_entries(client, victim) -> None:
    organisation, members, pending, payout = _victim_money(victim)
    url = f"{_base(organisation)}/wallet/entries"
    assert_refused(client, members, MONEY, lambda c: c.get(url))
    _unchanged(organisation, pending, payout)


def _wallet_statement(client, victim) -> None:
    organisation, members, pending, payout = _victim_money(victim)
    month = datetime.now(tz=ZoneInfo("Asia/Shanghai")).strftime("%Y-%m")
    url = f"{_base(organisation)}/wallet/statement"
    assert_refused(client, members, MONEY, lambda c: c.get(url, {"month": month}))
    _unchanged(organisation, pending, payout)


def _topups(client, victim) -> None:
    organisation, members, pending, payout = _victim_money(victim)
    url = f"{_base(organisation)}/topups"
    assert_refused(client, members, MONEY, lambda c: c.get(url))
    body = {"amount": 5_000, "provider": "sandbox"}
    assert_refused(client, members, MONEY, lambda c: c.post(url, body, headers=_key()))
    _unchanged(organisation, pending, payout)


def _topup(client, victim) -> None:
    organisation, members, pending, payout = _victim_money(victim)
    url = f"{_base(organisation)}/topups/{pending.pk}"
    assert_refused(client, members, MONEY, lambda c: c.get(url))
    assert client.get(f"{_own_organisation_path(client)}/topups/{pending.pk}").status_code == 404
    _unchanged(organisation, pending, payout)


def _topup_sandbox_pay(client, victim) -> None:
    organisation, members, pending, payout = _victim_money(victim)
    url = f"{_base(organisation)}/topups/{pending.pk}/sandbox-pay"
    assert_refused(client, members, MONEY, lambda c: c.post(url, {"outcome": "failed"}))
    own = f"{_own_organisation_path(client)}/topups/{pending.pk}/sandbox-pay"
    assert client.post(own, {"outcome": "failed"}).status_code == 404
    _unchanged(organisation, pending, payout)


def _payouts(client, victim) -> None:
    organisation, members, pending, payout = _victim_money(victim)
    url = f"{_base(organisation)}/payouts"
    assert_refused(client, members, MONEY, lambda c: c.get(url))
    body = {
        "amount": 1_000,
        "method": "alipay",
        "account_name": "Attacker",
        "account_number": "attacker@example.com",
    }
    assert_refused(client, members, MONEY, lambda c: c.post(url, body, headers=_key()))
    _unchanged(organisation, pending, payout)


def _payout(client, victim) -> None:
    organisation, members, pending, payout = _victim_money(victim)
    url = f"{_base(organisation)}/payouts/{payout.pk}"
    assert_refused(client, members, MONEY, lambda c: c.get(url))
    assert client.get(f"{_own_organisation_path(client)}/payouts/{payout.pk}").status_code == 404
    _unchanged(organisation, pending, payout)


ROUTE_CHECKS: dict[str, Callable] = {
    "organisation-wallet": _wallet,
    "organisation-wallet-entries": _wallet_entries,
    "organisation-wallet-statement": _wallet_statement,
    "organisation-topups": _topups,
    "organisation-topup": _topup,
    "organisation-topup-sandbox-pay": _topup_sandbox_pay,
    "organisation-payouts": _payouts,
    "organisation-payout": _payout,
}
