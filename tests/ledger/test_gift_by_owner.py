"""A gift outside any transaction on PostgreSQL: accounts by owner, guard and posting in one
statement (``ledger_post_owned``, migration 0008), with the slower path when it cannot."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.ledger import services as ledger
from apps.ledger.models import Account, Transaction, TransactionKind
from apps.ledger.services import InsufficientFunds, Owner
from tests.factories import UserFactory
from tests.ledger.factories import available, book_is_consistent, funded_user

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _gift(sender, recipient: Owner, amount: int, key: str, fee_rate: str = "0.3"):
    return ledger.gift(
        sender=Owner.user(sender.pk),
        recipient=recipient,
        amount=amount,
        fee_rate=fee_rate,
        key=key,
    )


def _statements(queries) -> list[str]:
    return [query["sql"] for query in queries]


def test_a_new_host_s_first_gift_creates_the_wallet_then_the_next_is_one_statement() -> None:
    host, sender = UserFactory(), funded_user(10_000)
    assert not Account.objects.filter(owner_type="user", owner_id=host.pk).exists()
    with CaptureQueriesContext(connection) as first:
        _gift(sender, Owner.user(host.pk), 1_000, "first")
    assert "ledger_post_owned(" in _statements(first)[0]  # missing: nothing written by it
    assert len(first) > 1
    with CaptureQueriesContext(connection) as second:
        gift = _gift(sender, Owner.user(host.pk), 1_000, "second")
    assert len(second) == 1 and "ledger_post_owned(" in _statements(second)[0]
    assert gift.kind == TransactionKind.GIFT and gift.key == "gift:second"
    assert available(host) == 1_400  # 2 x (1,000 - 300 fee)
    assert Transaction.objects.filter(kind=TransactionKind.GIFT).count() == 2
    book_is_consistent()


def test_a_repeated_key_returns_the_first_gift_and_moves_nothing() -> None:
    host, sender = UserFactory(), funded_user(10_000)
    first = _gift(sender, Owner.user(host.pk), 1_000, "same")
    again = _gift(sender, Owner.user(host.pk), 1_000, "same")
    assert again.pk == first.pk
    assert available(host) == 700 and available(sender) == 9_000
    book_is_consistent()


def test_a_sender_short_of_money_is_refused_and_nothing_is_written() -> None:
    host, sender = UserFactory(), funded_user(500)
    _gift(sender, Owner.user(host.pk), 100, "warm")  # every account exists now
    before = Transaction.objects.count()
    with CaptureQueriesContext(connection) as queries, pytest.raises(InsufficientFunds):
        _gift(sender, Owner.user(host.pk), 1_000, "short")
    assert len(queries) == 1 and "ledger_post_owned(" in _statements(queries)[0]
    assert Transaction.objects.count() == before
    assert available(sender) == 400 and available(host) == 70
    book_is_consistent()


def test_no_fee_and_an_organisation_recipient_post_by_owner_too() -> None:
    sender = funded_user(10_000)
    organisation = Owner.organisation(UserFactory().pk)  # any positive id owns a wallet
    _gift(sender, organisation, 1_000, "o-1", fee_rate="0")
    with CaptureQueriesContext(connection) as queries:
        gift = _gift(sender, organisation, 1_000, "o-2", fee_rate="0")
    statements = _statements(queries)
    assert len(statements) == 1
    assert "programs_income_share_owed" not in statements[0]  # no user income: no guard
    assert sorted(entry.amount for entry in gift.entries.all()) == [-1_000, 1_000]
    book_is_consistent()
