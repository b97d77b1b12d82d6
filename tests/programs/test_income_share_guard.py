"""The SQL guard that lets income no contract touches post in one statement (programs migration
0003, ledger migration 0007): it must agree with the Python resolver at every boundary."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.ledger import income_splits
from apps.ledger import services as ledger
from apps.ledger.models import Transaction, TransactionKind
from apps.ledger.services import Owner
from apps.programs.models import AgencyContract
from apps.programs.selectors import contract_shares
from tests.factories import UserFactory
from tests.ledger.factories import available, book_is_consistent, funded_user
from tests.programs.factories import agency, contract_signed

pytestmark = pytest.mark.postgres
GUARD = "programs_income_share_owed"


def _accounts(*owners: Owner) -> None:
    """Open the accounts a gift touches, so the captured statements are the posting's own."""
    wanted = [(owner, "wallet") for owner in owners] + [(ledger.PLATFORM, "platform_revenue")]
    ledger.accounts_for(wanted)


def _gift(sender, recipient_id: int, key: str) -> Transaction:
    return ledger.gift(
        sender=Owner.user(sender.pk),
        recipient=Owner.user(recipient_id),
        amount=500,
        fee_rate="0",
        key=key,
    )


def _guard(user_id: int, at) -> bool:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {GUARD}(%s, %s)", [user_id, at])
        return cursor.fetchone()[0]


@pytest.mark.django_db
@pytest.mark.parametrize("ended", [False, True])
def test_the_guard_and_the_resolver_agree_at_every_boundary(ended: bool) -> None:
    contract = contract_signed(agency(), share="0.2")
    second = timedelta(seconds=1)
    if ended:
        ended_at = contract.active_from + timedelta(days=3)
        AgencyContract.objects.filter(pk=contract.pk).update(ended_at=ended_at)
        contract.refresh_from_db()
    moments = [contract.active_from - second, contract.active_from, contract.active_until]
    moments += [contract.active_until - second, contract.active_from + timedelta(days=2)]
    if ended:
        moments += [contract.ended_at - second, contract.ended_at, contract.ended_at + second]
    answers = []
    for at in moments:
        owed = bool(contract_shares([contract.creator_id], at))
        assert _guard(contract.creator_id, at) is owed, at
        answers.append(owed)
    assert True in answers and False in answers  # both sides of the boundaries were reached
    AgencyContract.objects.filter(pk=contract.pk).update(revenue_share=0)
    assert _guard(contract.creator_id, moments[1]) is False
    assert contract_shares([contract.creator_id], moments[1]) == {}


def test_only_plain_function_names_are_guards() -> None:
    with pytest.raises(ValueError):
        income_splits.register("bad", lambda ids, at: {}, database_guard="f(); DROP TABLE x")
    assert "bad" not in income_splits._resolvers
    assert income_splits.database_guards() == (GUARD,)


@pytest.mark.django_db(transaction=True)
def test_a_gift_to_an_unsigned_host_is_one_statement() -> None:
    host, sender = UserFactory(), funded_user(1_000)
    _accounts(Owner.user(host.pk), Owner.user(sender.pk))
    with CaptureQueriesContext(connection) as queries:
        gift = _gift(sender, host.pk, "plain")
    statements = [query["sql"] for query in queries]
    assert len(statements) == 1, statements  # accounts by owner, guard and posting together
    assert "ledger_post_owned((programs_income_share_owed(" in statements[0]
    assert not any(sql.startswith(("BEGIN", "SAVEPOINT")) for sql in statements)
    assert gift.kind == TransactionKind.GIFT and available(host) == 500
    assert not Transaction.objects.filter(kind=TransactionKind.REVENUE_SHARE).exists()
    book_is_consistent()


@pytest.mark.django_db(transaction=True)
def test_a_gift_to_a_signed_host_is_withheld_then_posted_with_its_share() -> None:
    organisation = agency()
    contract = contract_signed(organisation, share="0.2")
    sender = funded_user(1_000)
    _accounts(Owner.user(contract.creator_id), Owner.organisation(organisation.pk))
    with CaptureQueriesContext(connection) as queries:
        gift = _gift(sender, contract.creator_id, "signed")
    statements = [query["sql"] for query in queries]
    assert "ledger_post_owned((programs_income_share_owed(" in statements[0]
    assert not any("ledger_post_guarded(" in sql for sql in statements)  # not asked twice
    assert any(sql.startswith("BEGIN") or "SAVEPOINT" in sql for sql in statements[2:])
    assert Transaction.objects.filter(kind=TransactionKind.GIFT).count() == 1  # once, not twice
    share = Transaction.objects.get(kind=TransactionKind.REVENUE_SHARE)
    assert share.key == f"revenue_share:{gift.pk}"
    assert available(contract.creator) == 400
    assert ledger.owner_wallet(owner_type="organisation", owner_id=organisation.pk).balance == 100
    # The same key again: the first gift, nothing more.
    again = _gift(sender, contract.creator_id, "signed")
    assert again.pk == gift.pk and available(contract.creator) == 400
    book_is_consistent()
