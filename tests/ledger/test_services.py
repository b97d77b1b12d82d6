"""The posting service and the services built on it: balances, refusals, keys, reversals."""

import pytest

from apps.core.errors import Conflict, InvalidInput, NotFound
from apps.ledger import services
from apps.ledger.models import (
    Account,
    AccountKind,
    Entry,
    PayoutEvent,
    PayoutStatus,
    Transaction,
    TransactionKind,
    format_fen,
)
from tests.factories import BlockFactory, UserFactory
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


def test_format_fen() -> None:
    assert [format_fen(v) for v in (0, 5, 100, -1234, 123456789)] == [
        "0.00",
        "0.05",
        "1.00",
        "-12.34",
        "1234567.89",
    ]


def test_top_up_credits_wallet_from_provider_clearing() -> None:
    user = UserFactory()
    intent = top_up(user, 3_000)
    assert intent.status == "succeeded"
    assert available(user) == 3_000
    clearing = services.system_account(AccountKind.PROVIDER_CLEARING)
    assert clearing.balance == -3_000
    entries = list(intent.transaction.entries.order_by("amount").values_list("account", "amount"))
    assert entries == [(clearing.pk, -3_000), (services.user_wallet(user.pk).pk, 3_000)]
    book_is_consistent()


def test_transfer_moves_money_and_records_running_balances() -> None:
    sender, recipient = funded_user(1_000), UserFactory()
    posted = services.wallet_transfer(sender=sender, recipient_id=recipient.pk, amount=300)
    posted = services.wallet_transfer(sender=sender, recipient_id=recipient.pk, amount=200)
    assert (available(sender), available(recipient)) == (500, 500)
    after = dict(posted.entries.values_list("amount", "balance_after"))
    assert after == {-200: 500, 200: 500}
    assert posted.kind == TransactionKind.TRANSFER
    book_is_consistent()


def test_transfer_refusals_leave_no_trace() -> None:
    sender, recipient = funded_user(1_000), UserFactory()
    before = Transaction.objects.count()
    with pytest.raises(services.InsufficientFunds) as refused:
        services.wallet_transfer(sender=sender, recipient_id=recipient.pk, amount=1_001)
    assert refused.value.code == "wallet.insufficient_funds"
    with pytest.raises(Conflict, match="yourself"):
        services.wallet_transfer(sender=sender, recipient_id=sender.pk, amount=1)
    with pytest.raises(NotFound):
        services.wallet_transfer(sender=sender, recipient_id=987_654_321, amount=1)
    with pytest.raises(InvalidInput):
        services.wallet_transfer(sender=sender, recipient_id=recipient.pk, amount=0)
    BlockFactory(blocker=recipient, blocked=sender)
    with pytest.raises(Conflict) as blocked:
        services.wallet_transfer(sender=sender, recipient_id=recipient.pk, amount=1)
    assert blocked.value.code == "transfer.blocked"
    assert Transaction.objects.count() == before
    assert (available(sender), available(recipient)) == (1_000, 0)


@pytest.mark.parametrize(
    "legs",
    [
        [(0, 100)],  # one leg
        [(0, 100), (1, -99)],  # does not sum to zero
        [(0, 100), (1, 0), (2, -100)],  # a zero leg
        [(0, 100), (0, -100)],  # the same account twice
        [(0, 1.5), (1, -1.5)],  # not integer fen
    ],
)
def test_post_refuses_malformed_legs(legs) -> None:
    accounts = [services.user_wallet(UserFactory().pk) for _ in range(3)]
    with pytest.raises(ValueError):
        services.transaction_post(
            kind=TransactionKind.TRANSFER, legs=[(accounts[i], amount) for i, amount in legs]
        )
    assert not Transaction.objects.exists()


def test_post_with_key_happens_once() -> None:
    clearing = services.system_account(AccountKind.PROVIDER_CLEARING)
    wallet = services.user_wallet(UserFactory().pk)
    first = services.transaction_post(
        kind=TransactionKind.TOPUP, legs=[(clearing, -500), (wallet, 500)], key="k-1"
    )
    again = services.transaction_post(
        kind=TransactionKind.TOPUP, legs=[(clearing, -500), (wallet, 500)], key="k-1"
    )
    assert again.pk == first.pk
    wallet.refresh_from_db()
    assert wallet.balance == 500


def test_clearing_may_go_negative_but_wallets_and_holds_may_not() -> None:
    wallet = services.user_wallet(UserFactory().pk)
    hold = services.user_hold(wallet.owner_id)
    with pytest.raises(services.InsufficientFunds):
        services.transaction_post(kind=TransactionKind.TRANSFER, legs=[(hold, -1), (wallet, 1)])
    assert services.system_account(AccountKind.PROVIDER_CLEARING).allow_negative
    assert not wallet.allow_negative and not hold.allow_negative


def test_reversal_mirrors_the_original_once() -> None:
    sender, recipient = funded_user(1_000), UserFactory()
    original = services.wallet_transfer(sender=sender, recipient_id=recipient.pk, amount=400)
    reversal = services.transaction_reverse(original=original)
    assert reversal.reverses_id == original.pk
    assert sorted(reversal.entries.values_list("amount", flat=True)) == [-400, 400]
    assert (available(sender), available(recipient)) == (1_000, 0)
    with pytest.raises(Conflict) as again:
        services.transaction_reverse(original=original)
    assert again.value.code == "ledger.already_reversed"
    with pytest.raises(Conflict) as nested:
        services.transaction_reverse(original=reversal)
    assert nested.value.code == "ledger.not_reversible"
    book_is_consistent()


def test_reversal_is_refused_when_the_money_was_spent() -> None:
    sender, recipient, third = funded_user(1_000), UserFactory(), UserFactory()
    original = services.wallet_transfer(sender=sender, recipient_id=recipient.pk, amount=400)
    services.wallet_transfer(sender=recipient, recipient_id=third.pk, amount=100)
    with pytest.raises(services.InsufficientFunds):
        services.transaction_reverse(original=original)
    assert not Transaction.objects.filter(reverses=original).exists()
    book_is_consistent()


def test_entries_and_transactions_are_append_only_in_python() -> None:
    user = funded_user(1_000)
    entry = Entry.objects.filter(account__owner_id=user.pk).first()
    with pytest.raises(TypeError):
        entry.save()
    with pytest.raises(TypeError):
        entry.delete()
    with pytest.raises(TypeError):
        Entry.objects.filter(pk=entry.pk).update(amount=1)
    with pytest.raises(TypeError):
        Transaction.objects.all().delete()
    assert available(user) == 1_000


# --- Payouts ----------------------------------------------------------------------------------


def test_payout_request_holds_at_once_and_paid_leaves_the_platform(settings) -> None:
    creator, operator = funded_user(5_000), payout_operator()
    payout = requested_payout(creator, 2_000)
    assert (available(creator), held(creator)) == (3_000, 2_000)
    services.payout_approve(payout_id=payout.pk, operator=operator)
    assert (available(creator), held(creator)) == (3_000, 2_000)
    paid = services.payout_mark_paid(payout_id=payout.pk, operator=operator, note="bank ref 42")
    assert paid.status == PayoutStatus.PAID
    assert (available(creator), held(creator)) == (3_000, 0)
    assert services.system_account(AccountKind.PAYOUT_CLEARING).balance == 2_000
    trail = list(PayoutEvent.objects.filter(payout=payout).values_list("from_status", "to_status"))
    assert trail == [("", "requested"), ("requested", "approved"), ("approved", "paid")]
    book_is_consistent()


@pytest.mark.parametrize("path", ["reject", "fail"])
def test_rejected_or_failed_payout_returns_the_money(path: str) -> None:
    creator, operator = funded_user(5_000), payout_operator()
    payout = requested_payout(creator, 5_000)
    assert available(creator) == 0
    if path == "reject":
        services.payout_reject(payout_id=payout.pk, operator=operator, note="name mismatch")
    else:
        services.payout_approve(payout_id=payout.pk, operator=operator)
        services.payout_mark_failed(payout_id=payout.pk, operator=operator, note="card closed")
    assert (available(creator), held(creator)) == (5_000, 0)
    book_is_consistent()


def test_payout_illegal_moves_are_refused() -> None:
    creator, operator = funded_user(5_000), payout_operator()
    payout = requested_payout(creator)
    with pytest.raises(Conflict) as early:
        services.payout_mark_paid(payout_id=payout.pk, operator=operator)
    assert early.value.code == "payout.illegal_transition"
    services.payout_reject(payout_id=payout.pk, operator=operator, note="x")
    for mover in (services.payout_approve, services.payout_reject, services.payout_mark_failed):
        with pytest.raises(Conflict):
            mover(payout_id=payout.pk, operator=operator)
    assert (available(creator), held(creator)) == (5_000, 0)
    with pytest.raises(NotFound):
        services.payout_approve(payout_id=987_654_321, operator=operator)


def test_payout_below_minimum_or_above_balance_is_refused(settings) -> None:
    creator = funded_user(5_000)
    with pytest.raises(InvalidInput) as small:
        requested_payout(creator, settings.LEDGER_PAYOUT_MIN_FEN - 1)
    assert small.value.code == "ledger.amount_out_of_range"
    with pytest.raises(services.InsufficientFunds):
        requested_payout(creator, 5_001)
    assert not creator.payouts.exists()
    assert (available(creator), held(creator)) == (5_000, 0)


def test_accounts_are_generic_by_owner() -> None:
    """A brand's wallet is the same kind of row as a user's, told apart by owner type."""
    brand_wallet = services.account_get_or_create(
        owner_type="brand", owner_id=7, kind=AccountKind.WALLET
    )
    user_wallet = services.user_wallet(7)
    assert brand_wallet.pk != user_wallet.pk
    assert (
        services.account_get_or_create(owner_type="brand", owner_id=7, kind=AccountKind.WALLET)
        == brand_wallet
    )
    assert Account.objects.filter(owner_id=7).count() == 2
