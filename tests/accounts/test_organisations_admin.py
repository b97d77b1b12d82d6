"""Operators verify or reject organisations in the admin (audited); seed_demo adds two."""

import pytest
from django.core.management import call_command
from django.db.models import Sum

from apps.accounts.models import Organisation, OrganisationVerificationEvent, User
from apps.ledger.models import AccountKind, Entry, OwnerType, TransactionKind
from apps.ledger.selectors import wallet_balance
from tests.accounts.organisation_factories import (
    make_organisation,
    organisation_with_roles,
    verification_operator,
)
from tests.ledger.organisation_money_factories import organisation_payout, organisation_top_up

pytestmark = pytest.mark.django_db


def _act(client, action: str, ids: list[int], reason: str = ""):
    return client.post(
        "/admin/accounts/organisation/",
        {"action": action, "_selected_action": ids, "reason": reason, "index": 0},
        follow=True,
    )


@pytest.fixture
def operator_client(client):
    operator = verification_operator()
    client.force_login(operator)
    client.operator = operator
    return client


def test_verify_and_reject_from_the_admin_are_audited(operator_client) -> None:
    pending, other = make_organisation(), make_organisation(name="另一家")
    page = operator_client.get(f"/admin/accounts/organisation/{pending.pk}/change/")
    assert page.status_code == 200
    _act(operator_client, "verify", [pending.pk])
    response = _act(operator_client, "reject", [other.pk])  # no reason
    assert "reason" in response.content.decode()
    other.refresh_from_db()
    assert other.verification_status == "pending"
    _act(operator_client, "reject", [other.pk], reason="执照与名称不符")
    pending.refresh_from_db()
    other.refresh_from_db()
    assert (pending.verification_status, other.verification_status) == ("verified", "rejected")
    assert other.rejection_reason == "执照与名称不符"
    events = OrganisationVerificationEvent.objects.order_by("id")
    assert [(e.organisation_id, e.to_status, e.actor_id) for e in events] == [
        (pending.pk, "verified", operator_client.operator.pk),
        (other.pk, "rejected", operator_client.operator.pk),
    ]


def test_staff_without_the_permission_cannot_verify(client) -> None:
    staff = User.objects.create_user("viewer-op", password="x-pass-2026!", is_staff=True)
    client.force_login(staff)
    organisation = make_organisation()
    _act(client, "verify", [organisation.pk])
    organisation.refresh_from_db()
    assert organisation.verification_status == "pending"
    assert not OrganisationVerificationEvent.objects.exists()


def test_ledger_screens_show_the_organisation_and_its_statement(client) -> None:
    superuser = User.objects.create_superuser("root-op", "root@example.com", "root-pass-2026!")
    client.force_login(superuser)
    organisation, members = organisation_with_roles(verified=True)
    organisation_top_up(organisation, members["finance"], 9_000)
    organisation_payout(organisation, members["finance"], 2_000)
    for page in ("/admin/ledger/payout/", "/admin/ledger/paymentintent/"):
        content = client.get(page).content.decode()
        assert organisation.name in content
        assert f"/admin/accounts/organisation/{organisation.pk}/change/" in content
    statement = client.get(
        "/admin/ledger/entry/",
        {
            "account__owner_type": "organisation",
            "account__owner_id": organisation.pk,
            "account__kind": "wallet",
        },
    )
    assert statement.status_code == 200
    content = statement.content.decode()
    assert "90.00" in content and "-20.00" in content


def test_seed_demo_adds_a_funded_verified_brand_and_a_pending_mcn_once() -> None:
    call_command("seed_demo", users=30, quiet=True)
    call_command("seed_demo", users=30, quiet=True)
    demo = User.objects.get(username="demo")
    organisations = {o.kind: o for o in Organisation.objects.filter(created_by=demo)}
    assert Organisation.objects.filter(created_by=demo).count() == 2
    assert organisations["brand"].verification_status == "verified"
    assert organisations["mcn"].verification_status == "pending"
    # Topped up once (2 x 10,000 yuan) however often the seed runs; the products' demo data
    # then spends from and sells into this wallet, so its balance is the entries' sum.
    brand_wallet = Entry.objects.filter(
        account__owner_type=OwnerType.ORGANISATION,
        account__owner_id=organisations["brand"].pk,
        account__kind=AccountKind.WALLET,
    )
    topped_up = brand_wallet.filter(transaction__kind=TransactionKind.TOPUP)
    assert topped_up.aggregate(total=Sum("amount"))["total"] == 2_000_000
    balance = wallet_balance(owner_type=OwnerType.ORGANISATION, owner_id=organisations["brand"].pk)
    assert balance.available == brand_wallet.aggregate(total=Sum("amount"))["total"]
