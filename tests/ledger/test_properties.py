"""Random sequences of money movements never lose or create money.

A hypothesis state machine runs top-ups, transfers, payout holds and decisions, and reversals
against the real services and database, keeping its own model of every wallet. After each step
all accounts sum to zero, no wallet or hold is negative, every cached balance equals its entries,
every transaction balances, and each wallet matches the model.
"""

import pytest
from django.conf import settings
from django.db import connection, transaction
from django.db.models import Sum
from hypothesis import HealthCheck, assume
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from apps.core.errors import Conflict
from apps.ledger import services
from apps.ledger.models import PAYOUT_MACHINE, Account, Entry, PayoutStatus, Transaction
from apps.ledger.selectors import user_wallet_balance
from tests.factories import UserFactory
from tests.ledger.factories import payout_operator, requested_payout, top_up

pytestmark = pytest.mark.django_db

USERS = 3
amounts = st.integers(min_value=1, max_value=60_000)
who = st.integers(min_value=0, max_value=USERS - 1)
pick = st.integers(min_value=0, max_value=10_000)


class LedgerMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        # Each example runs in a savepoint rolled back at teardown (not an atomic block, so the
        # services' durable transactions still see the test's own transaction as outermost).
        self.savepoint = transaction.savepoint_create()
        self.users = [UserFactory() for _ in range(USERS)]
        self.operator = payout_operator()
        self.available = [0] * USERS
        self.held = [0] * USERS
        self.reversible: list[tuple[Transaction, dict[int, int]]] = []
        self.payouts: list[tuple[int, int, int]] = []  # (payout id, user index, amount)
        self.payout_status: dict[int, str] = {}

    def teardown(self) -> None:
        transaction.savepoint_rollback(self.savepoint)

    def _index(self, user_id: int) -> int:
        return next(i for i, u in enumerate(self.users) if u.pk == user_id)

    def _wallet_changes(self, posted: Transaction) -> dict[int, int]:
        """User index -> change of available money in one posted transaction."""
        changes = {}
        for entry in posted.entries.select_related("account"):
            if entry.account.owner_type == "user" and entry.account.kind == "wallet":
                changes[self._index(entry.account.owner_id)] = entry.amount
        return changes

    @rule(user=who, amount=st.integers(min_value=100, max_value=60_000), pays=st.booleans())
    def top_up(self, user: int, amount: int, pays: bool) -> None:
        if pays:
            intent = top_up(self.users[user], amount)
            self.available[user] += amount
            self.reversible.append((intent.transaction, {user: amount}))
        else:
            intent = services.payment_intent_create(
                user=self.users[user], amount=amount, provider="sandbox"
            )
            services.sandbox_payment_complete(intent=intent, succeed=False)

    @rule(sender=who, recipient=who, amount=amounts)
    def transfer(self, sender: int, recipient: int, amount: int) -> None:
        assume(sender != recipient)
        if amount > self.available[sender]:
            with pytest.raises(services.InsufficientFunds):
                services.wallet_transfer(
                    sender=self.users[sender], recipient_id=self.users[recipient].pk, amount=amount
                )
            return
        posted = services.wallet_transfer(
            sender=self.users[sender], recipient_id=self.users[recipient].pk, amount=amount
        )
        self.available[sender] -= amount
        self.available[recipient] += amount
        self.reversible.append((posted, {sender: -amount, recipient: amount}))

    @rule(user=who, amount=st.integers(min_value=1_000, max_value=40_000))
    def payout_request(self, user: int, amount: int) -> None:
        if amount > self.available[user]:
            with pytest.raises(services.InsufficientFunds):
                requested_payout(self.users[user], amount)
            return
        payout = requested_payout(self.users[user], amount)
        self.available[user] -= amount
        self.held[user] += amount
        self.payouts.append((payout.pk, user, amount))
        self.payout_status[payout.pk] = PayoutStatus.REQUESTED

    @precondition(lambda self: self.payouts)
    @rule(choice=pick, decision=st.sampled_from(["approve", "reject", "mark_paid", "mark_failed"]))
    def payout_decide(self, choice: int, decision: str) -> None:
        payout_id, user, amount = self.payouts[choice % len(self.payouts)]
        mover, target = {
            "approve": (services.payout_approve, PayoutStatus.APPROVED),
            "reject": (services.payout_reject, PayoutStatus.REJECTED),
            "mark_paid": (services.payout_mark_paid, PayoutStatus.PAID),
            "mark_failed": (services.payout_mark_failed, PayoutStatus.FAILED),
        }[decision]
        if not PAYOUT_MACHINE.allows(self.payout_status[payout_id], decision):
            with pytest.raises(Conflict):
                mover(payout_id=payout_id, operator=self.operator)
            return
        mover(payout_id=payout_id, operator=self.operator)
        self.payout_status[payout_id] = target
        if target in (PayoutStatus.REJECTED, PayoutStatus.FAILED):
            self.held[user] -= amount
            self.available[user] += amount
        elif target == PayoutStatus.PAID:
            self.held[user] -= amount

    @precondition(lambda self: self.reversible)
    @rule(choice=pick)
    def reverse(self, choice: int) -> None:
        index = choice % len(self.reversible)
        original, changes = self.reversible[index]
        if any(self.available[user] + -delta < 0 for user, delta in changes.items()):
            with pytest.raises(services.InsufficientFunds):
                services.transaction_reverse(original=original)
            return
        reversal = services.transaction_reverse(original=original)
        assert self._wallet_changes(reversal) == {u: -d for u, d in changes.items()}
        for user, delta in changes.items():
            self.available[user] -= delta
        del self.reversible[index]
        with pytest.raises(Conflict):
            services.transaction_reverse(original=original)

    # --- invariants, checked after every step ------------------------------------------------

    @invariant()
    def database_guards_pass(self) -> None:
        if connection.vendor == "postgresql":
            # Fire the deferred balance triggers now instead of at a commit that never comes.
            with connection.cursor() as cursor:
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
                cursor.execute("SET CONSTRAINTS ALL DEFERRED")

    @invariant()
    def accounts_sum_to_zero(self) -> None:
        assert (Account.objects.aggregate(total=Sum("balance"))["total"] or 0) == 0

    @invariant()
    def nothing_negative_that_may_not_be(self) -> None:
        assert not Account.objects.filter(allow_negative=False, balance__lt=0).exists()

    @invariant()
    def cached_balances_equal_entries(self) -> None:
        sums = dict(
            Entry.objects.order_by()
            .values("account")
            .annotate(total=Sum("amount"))
            .values_list("account", "total")
        )
        for account_id, balance in Account.objects.values_list("pk", "balance"):
            assert balance == sums.get(account_id, 0), account_id

    @invariant()
    def every_transaction_balances(self) -> None:
        unbalanced = (
            Entry.objects.order_by().values("transaction").annotate(s=Sum("amount")).exclude(s=0)
        )
        assert not unbalanced.exists()

    @invariant()
    def wallets_match_the_model(self) -> None:
        for index, user in enumerate(self.users):
            balance = user_wallet_balance(user=user)
            assert (balance.available, balance.held) == (self.available[index], self.held[index])


def test_random_money_movements_keep_the_book_balanced() -> None:
    assert settings.LEDGER_PAYOUT_MIN_FEN <= 1_000
    LedgerMachine.TestCase.settings = hypothesis_settings(
        max_examples=40,
        stateful_step_count=30,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
    )
    LedgerMachine.TestCase().runTest()
