"""Random sequences of money movements never lose or create money.

A hypothesis state machine runs top-ups, transfers, payout holds and decisions, reversals and
the named moves (escrow open, release, refund, split and spend on contract escrows; commission
accrue, settle and reverse; gifts; repeats of a move's key) against the real services and
database, keeping its own model of every wallet, escrow and pending commission. One user's
wallet is hot (sharded), as are platform revenue and promotion spend. After each step all
accounts (rows and shards) sum to zero, nothing that must stay >= 0 is negative, every cached
balance (row plus shards) equals its entries, every transaction balances, each wallet matches
the model, and every escrow's balance equals opened - released - refunded - spent.
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
from apps.ledger import selectors, services
from apps.ledger.models import (
    PAYOUT_MACHINE,
    Account,
    AccountKind,
    AccountShard,
    Entry,
    OwnerType,
    PayoutStatus,
    Transaction,
)
from apps.ledger.selectors import user_wallet_balance
from apps.ledger.services import Owner
from tests.factories import UserFactory
from tests.ledger.factories import cached_balances, payout_operator, requested_payout, top_up

pytestmark = pytest.mark.django_db

USERS = 3
amounts = st.integers(min_value=1, max_value=60_000)
who = st.integers(min_value=0, max_value=USERS - 1)
pick = st.integers(min_value=0, max_value=10_000)
CONTRACTS = (9_001, 9_002)
contract = st.sampled_from(CONTRACTS)
fee_rates = st.sampled_from(["0", "0.05", "0.3", "0.5"])
ESCROW_KINDS = {
    "escrow_open": "opened",
    "escrow_release": "released",
    "escrow_split": "released",
    "escrow_refund": "refunded",
    "spend": "spent",
}


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
        # User 0 is a live host: their wallet's credits land on shards.
        services.account_make_hot(account=services.user_wallet(self.users[0].pk), shards=3)
        self.escrow = dict.fromkeys(CONTRACTS, 0)
        self.escrow_payer: dict[int, int] = {}
        self.pending = [0] * USERS
        self.commissions: dict[int, tuple[int, int, int]] = {}  # order -> (payee, source, fen)
        self.fees = 0
        self.spent = 0
        self.keys = 0
        self.last_move = None  # (callable, transaction id) to repeat with the same key

    def _key(self) -> str:
        self.keys += 1
        return f"k{self.keys}"

    def _owner(self, user: int) -> Owner:
        return Owner.user(self.users[user].pk)

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

    # --- named moves -------------------------------------------------------------------------

    def _remember(self, move, posted: Transaction) -> None:
        self.last_move = (move, posted.pk)

    @rule(ref=contract, payer=who, amount=amounts, fee=st.integers(min_value=0, max_value=500))
    def escrow_open(self, ref: int, payer: int, amount: int, fee: int) -> None:
        key = self._key()

        def move():
            return services.escrow_open(
                owner=Owner.contract(ref), payer=self._owner(payer), amount=amount, fee=fee, key=key
            )

        if amount + fee > self.available[payer]:
            with pytest.raises(services.InsufficientFunds) as refused:
                move()
            assert refused.value.code == "wallet.insufficient_funds"
            return
        self._remember(move, move())
        self.available[payer] -= amount + fee
        self.escrow[ref] += amount
        self.fees += fee
        self.escrow_payer.setdefault(ref, payer)

    @rule(ref=contract, payee=who, amount=amounts, fee=st.integers(min_value=0, max_value=500))
    def escrow_release(self, ref: int, payee: int, amount: int, fee: int) -> None:
        assume(fee < amount)
        key = self._key()

        def move():
            return services.escrow_release(
                escrow=Owner.contract(ref),
                payee=self._owner(payee),
                amount=amount,
                fee=fee,
                key=key,
            )

        if amount > self.escrow[ref]:
            with pytest.raises(services.InsufficientFunds) as refused:
                move()
            assert refused.value.code == "escrow.insufficient_funds"
            return
        self._remember(move, move())
        self.escrow[ref] -= amount
        self.available[payee] += amount - fee
        self.fees += fee

    @precondition(lambda self: self.escrow_payer)
    @rule(choice=pick, amount=amounts)
    def escrow_refund(self, choice: int, amount: int) -> None:
        ref = sorted(self.escrow_payer)[choice % len(self.escrow_payer)]
        key = self._key()

        def move():
            return services.escrow_refund(escrow=Owner.contract(ref), amount=amount, key=key)

        if amount > self.escrow[ref]:
            with pytest.raises(services.InsufficientFunds):
                move()
            return
        self._remember(move, move())
        self.escrow[ref] -= amount
        self.available[self.escrow_payer[ref]] += amount

    @rule(ref=contract, first=who, second=who, part=pick, off_by=st.sampled_from([0, 0, -1, 1]))
    def escrow_split(self, ref: int, first: int, second: int, part: int, off_by: int) -> None:
        assume(first != second)
        total = self.escrow[ref] + off_by
        assume(total >= 2)
        first_share = 1 + part % (total - 1)
        shares = [(self._owner(first), first_share), (self._owner(second), total - first_share)]
        key = self._key()

        def move():
            return services.escrow_split(escrow=Owner.contract(ref), shares=shares, key=key)

        if off_by:
            with pytest.raises(Conflict):  # split_mismatch, or insufficient funds beyond it
                move()
            return
        self._remember(move, move())
        self.escrow[ref] = 0
        self.available[first] += first_share
        self.available[second] += total - first_share

    @rule(ref=contract, amount=amounts)
    def spend(self, ref: int, amount: int) -> None:
        key = self._key()

        def move():
            return services.spend(escrow=Owner.contract(ref), amount=amount, key=key)

        if amount > self.escrow[ref]:
            with pytest.raises(services.InsufficientFunds):
                move()
            return
        self._remember(move, move())
        self.escrow[ref] -= amount
        self.spent += amount

    @rule(payee=who, source=who, amount=amounts)
    def commission_accrue(self, payee: int, source: int, amount: int) -> None:
        assume(payee != source)
        order = self.keys + 1
        self._key()

        def move():
            return services.commission_accrue(
                order=order, payee=self._owner(payee), amount=amount, source=self._owner(source)
            )

        if amount > self.available[source]:
            with pytest.raises(services.InsufficientFunds):
                move()
            return
        self._remember(move, move())
        self.available[source] -= amount
        self.pending[payee] += amount
        self.commissions[order] = (payee, source, amount)

    @precondition(lambda self: self.commissions)
    @rule(choice=pick, settle=st.booleans())
    def commission_close(self, choice: int, settle: bool) -> None:
        order = sorted(self.commissions)[choice % len(self.commissions)]
        payee, source, amount = self.commissions.pop(order)
        close = services.commission_settle if settle else services.commission_reverse
        self._remember(
            lambda: close(order=order, payee=self._owner(payee)),
            close(order=order, payee=self._owner(payee)),
        )
        self.pending[payee] -= amount
        self.available[payee if settle else source] += amount
        other = services.commission_reverse if settle else services.commission_settle
        with pytest.raises(Conflict):
            other(order=order, payee=self._owner(payee))

    @rule(sender=who, recipient=who, amount=amounts, rate=fee_rates)
    def gift(self, sender: int, recipient: int, amount: int, rate: str) -> None:
        assume(sender != recipient)
        key = self._key()

        def move():
            return services.gift(
                sender=self._owner(sender),
                recipient=self._owner(recipient),
                amount=amount,
                fee_rate=rate,
                key=key,
            )

        if amount > self.available[sender]:
            with pytest.raises(services.InsufficientFunds):
                move()
            return
        self._remember(move, move())
        fee = services.gift_fee(amount, rate)
        self.available[sender] -= amount
        self.available[recipient] += amount - fee
        self.fees += fee

    @precondition(lambda self: self.last_move is not None)
    @rule()
    def repeat_the_last_move(self) -> None:
        """The same key again (another request, a retry): the first transaction, no money."""
        move, first_id = self.last_move
        count = Transaction.objects.count()
        assert move().pk == first_id
        assert Transaction.objects.count() == count

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
        rows = Account.objects.aggregate(total=Sum("balance"))["total"] or 0
        shards = AccountShard.objects.aggregate(total=Sum("balance"))["total"] or 0
        assert rows + shards == 0

    @invariant()
    def nothing_negative_that_may_not_be(self) -> None:
        assert not Account.objects.filter(allow_negative=False, balance__lt=0).exists()
        assert not AccountShard.objects.filter(balance__lt=0).exists()

    @invariant()
    def cached_balances_equal_entries(self) -> None:
        sums = dict(
            Entry.objects.order_by()
            .values("account")
            .annotate(total=Sum("amount"))
            .values_list("account", "total")
        )
        for account_id, balance in cached_balances().items():
            assert balance == sums.get(account_id, 0), account_id

    @invariant()
    def escrows_pending_revenue_and_spend_match_the_model(self) -> None:
        """One query for the balances (rows plus shards, as selectors read them), one for the
        escrows' flows: escrow = opened - released - refunded - spent, by its entries."""
        balances = {
            (owner_type, owner_id, kind): total
            for owner_type, owner_id, kind, total in selectors.with_balance(
                Account.objects.all()
            ).values_list("owner_type", "owner_id", "kind", "total")
        }
        flows = {ref: dict.fromkeys(set(ESCROW_KINDS.values()), 0) for ref in CONTRACTS}
        for ref, kind, amount in Entry.objects.filter(
            account__owner_type=OwnerType.CONTRACT, account__kind=AccountKind.ESCROW
        ).values_list("account__owner_id", "transaction__kind", "amount"):
            flows[ref][ESCROW_KINDS[kind]] += abs(amount)
        for ref in CONTRACTS:
            balance = balances.get((OwnerType.CONTRACT, ref, AccountKind.ESCROW), 0)
            assert balance == self.escrow[ref] >= 0
            flow = flows[ref]
            assert balance == flow["opened"] - flow["released"] - flow["refunded"] - flow["spent"]
        for index, user in enumerate(self.users):
            pending = balances.get((OwnerType.USER, user.pk, AccountKind.PENDING_COMMISSION), 0)
            assert pending == self.pending[index]
        platform = (OwnerType.PLATFORM, 0)
        assert balances.get((*platform, AccountKind.PLATFORM_REVENUE), 0) == self.fees
        assert balances.get((*platform, AccountKind.PROMOTION_SPEND), 0) == self.spent

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
