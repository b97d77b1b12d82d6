"""Named moves: every money movement a product app makes (escrow, spend, commission, gift, share).

Product apps never write legs: they call one of these. Each move is one posting through
``transaction_post`` (one ``TransactionKind`` each), idempotent by a caller-supplied key (a
repeat, even concurrent, returns the first transaction and moves nothing), and refused with a
409 that writes nothing when an escrow, a pending commission or a wallet would go below zero.

Transactions: a move is usable inside the caller's transaction, because a product changes its
own row in the same commit (a cooperation's state and its escrow release; lock order: the
idempotency key row, the product's domain row, then ledger accounts): the product's entry point
opens ``atomic(durable=True)`` around both. Called outside any transaction, a move is itself the
entry point and one transaction: its posting sends ``BEGIN``/``COMMIT`` with its own statements
(``posting_sql``: two round trips), and ``escrow_split`` (a posting and a check) opens
``atomic(durable=True)``.

Owners are ``Owner(type, id)``: users, organisations, and for escrow a product's contract
(``Owner.contract(reference)``, an integer the product chooses, e.g. its cooperation's pk).
Rounding: amounts are integer fen; a fee computed from a rate is rounded down (the platform
never takes a fraction of a fen it was not given), so the payee gets ``amount - fee``.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from django.db import connection, transaction
from django.utils import timezone

from apps.core.errors import Conflict, InvalidInput, NotFound
from apps.ledger import income_splits
from apps.ledger.models import (
    Account,
    AccountKind,
    Entry,
    OwnerType,
    Transaction,
    TransactionKind,
)
from apps.ledger.services import posting_sql
from apps.ledger.services.accounts import PLATFORM, Owner, accounts_for
from apps.ledger.services.base import InsufficientFunds, Posting
from apps.ledger.services.move_rules import (
    WALLET_OWNER_TYPES,
    Shares,
    _fee,
    _key,
    _legs,
    _owner,
    _shares,
    gift_fee,
)
from apps.ledger.services.posting import (
    check_amount,
    transaction_post,
    transaction_post_owned,
    transaction_post_unless_guarded,
    transactions_post_batch,
)

# --- Income and its split ---------------------------------------------------------------------


def _post(posting: Posting) -> Transaction:
    return transaction_post(
        kind=posting.kind, legs=posting.legs, description=posting.description, key=posting.key
    )


def _post_income(
    posting: Posting,
    earner: Owner,
    earner_account: Account,
    income: int,
    *,
    owed_known: bool = False,
) -> Transaction:
    """Post a creator's income and, in the same transaction, the shares owed on it.

    Most income owes no share (no agency signed the earner), and then it is one posting: one
    statement, no transaction of ours around it, so a live host's gifts keep their speed. On
    PostgreSQL that statement evaluates the resolvers' SQL guards and writes nothing if one
    says a share may be owed; elsewhere (or with a resolver that has no guard) the resolvers
    are asked first. When a share may be owed, the resolvers are asked again inside one
    transaction, at the income's own time, after it is posted: if they or the share's posting
    fail, the income is rolled back with them. A contract that starts in the microseconds
    between the question and the posting applies from the earner's next income.
    ``owed_known``: the caller's own guarded statement already said a share may be owed.
    """
    if not income_splits.has_resolvers() or earner.type != OwnerType.USER:
        return _post(posting)
    if not connection.in_atomic_block and not owed_known:
        guards = income_splits.database_guards()
        if guards is not None and connection.vendor == "postgresql":
            posted = transaction_post_unless_guarded(
                posting=posting, guards=guards, user_id=earner.id
            )
            if posted is not None:
                return posted
        elif not income_splits.shares_owed({earner.id}, timezone.now()):
            return _post(posting)
    with transaction.atomic(durable=not connection.in_atomic_block):
        posted = _post(posting)
        _post_splits([(posted, earner, earner_account, income)])
    return posted


def _post_splits(incomes: Sequence[tuple[Transaction, Owner, Account, int]]) -> None:
    """The ``revenue_share`` postings owed on these incomes: one resolver call for all of them.

    Shares are resolved at the income's own time, so a repeated income (same key, first
    transaction returned) is split as it was the first time (and the share's key, one per
    income transaction, posts it at most once).
    """
    fresh = {tx.pk: (tx, earner, account, income) for tx, earner, account, income in incomes}
    users = {earner.id for _, earner, _, _ in fresh.values() if earner.type == OwnerType.USER}
    if not users:
        return
    at = min(tx.created_at for tx, _, _, _ in fresh.values())
    owed = income_splits.shares_owed(users, at)
    planned = []
    for tx, earner, account, income in fresh.values():
        shares = [
            (owner, income_splits.share_amount(income, rate))
            for owner, rate in owed.get(earner.id, [])
        ]
        shares = [(owner, amount) for owner, amount in shares if amount > 0]
        if shares:
            planned.append((tx, earner, account, income, _shares(shares, exclude=earner)))
    if not planned:
        return
    wallets = accounts_for(
        {(owner, AccountKind.WALLET) for *_, shares in planned for owner, _ in shares}
    )
    postings = []
    for tx, _earner, account, income, shares in planned:
        total = sum(amount for _, amount in shares)
        if total > income:
            raise InvalidInput(
                f"The shares ({total} fen) exceed the income ({income} fen).",
                code="ledger.shares_invalid",
            )
        postings.append(
            Posting(
                kind=TransactionKind.REVENUE_SHARE,
                legs=[(account, -total)]
                + [(wallets[(owner, AccountKind.WALLET)], amount) for owner, amount in shares],
                description=f"Revenue share of transaction #{tx.pk}",
                key=f"revenue_share:{tx.pk}",
            )
        )
    for result in transactions_post_batch(postings=postings):
        if isinstance(result, InsufficientFunds):
            raise result


# --- Escrow -----------------------------------------------------------------------------------


def escrow_open(*, owner: Owner, payer: Owner, amount: int, fee: int = 0, key: str) -> Transaction:
    """Pay ``amount`` from the payer's wallet into the contract's escrow (and ``fee`` to revenue).

    Legs: payer wallet ``-(amount + fee)``, escrow ``+amount``, platform revenue ``+fee``.
    Opening an escrow again (another key) adds to it.
    """
    owner = _owner(owner, frozenset({OwnerType.CONTRACT}), "owner")
    payer = _owner(payer, WALLET_OWNER_TYPES, "payer")
    check_amount(amount)
    if type(fee) is not int or fee < 0:
        raise InvalidInput("The fee must be whole fen, at least 0.", code="ledger.fee_invalid")
    accounts = accounts_for(
        [(payer, AccountKind.WALLET), (owner, AccountKind.ESCROW), (PLATFORM, "platform_revenue")],
        expect_new=True,  # usually a new contract's escrow
    )
    return transaction_post(
        kind=TransactionKind.ESCROW_OPEN,
        legs=_legs(
            (accounts[(payer, AccountKind.WALLET)], -(amount + fee)),
            (accounts[(owner, AccountKind.ESCROW)], amount),
            (accounts[(PLATFORM, AccountKind.PLATFORM_REVENUE)], fee),
        ),
        description=f"Escrow opened for contract {owner.id}",
        key=_key("escrow_open", key),
    )


def escrow_release(
    *, escrow: Owner, payee: Owner, amount: int, fee: int = 0, key: str
) -> Transaction:
    """Pay ``amount`` out of escrow: ``amount - fee`` to the payee's wallet, ``fee`` to revenue.

    Refused with 409 ``escrow.insufficient_funds`` (nothing written) beyond the escrow's balance.
    """
    escrow = _owner(escrow, frozenset({OwnerType.CONTRACT}), "escrow")
    payee = _owner(payee, WALLET_OWNER_TYPES, "payee")
    check_amount(amount)
    fee = _fee(fee, amount)
    accounts = accounts_for(
        [(escrow, AccountKind.ESCROW), (payee, AccountKind.WALLET), (PLATFORM, "platform_revenue")]
    )
    posting = Posting(
        kind=TransactionKind.ESCROW_RELEASE,
        legs=_legs(
            (accounts[(escrow, AccountKind.ESCROW)], -amount),
            (accounts[(payee, AccountKind.WALLET)], amount - fee),
            (accounts[(PLATFORM, AccountKind.PLATFORM_REVENUE)], fee),
        ),
        description=f"Escrow of contract {escrow.id} released",
        key=_key("escrow_release", key),
    )
    return _post_income(posting, payee, accounts[(payee, AccountKind.WALLET)], amount - fee)


def _escrow_payer(escrow_account: Account) -> Account:
    """The wallet that opened the escrow (its first ``escrow_open``): where refunds go."""
    opened = (
        Entry.objects.filter(
            transaction__kind=TransactionKind.ESCROW_OPEN,
            transaction__entries__account=escrow_account,
            amount__lt=0,
        )
        .select_related("account")
        .order_by("transaction_id")
        .first()
    )
    if opened is None:
        raise NotFound("This escrow was never opened.", code="escrow.not_found")
    return opened.account


def escrow_refund(*, escrow: Owner, amount: int, key: str) -> Transaction:
    """Return ``amount`` from escrow to the wallet that paid it in (409 beyond its balance)."""
    escrow = _owner(escrow, frozenset({OwnerType.CONTRACT}), "escrow")
    check_amount(amount)
    account = accounts_for([(escrow, AccountKind.ESCROW)])[(escrow, AccountKind.ESCROW)]
    payer = _escrow_payer(account)
    return transaction_post(
        kind=TransactionKind.ESCROW_REFUND,
        legs=[(account, -amount), (payer, amount)],
        description=f"Escrow of contract {escrow.id} refunded",
        key=_key("escrow_refund", key),
    )


def escrow_split(*, escrow: Owner, shares: Shares, key: str) -> Transaction:
    """An operator's dispute decision: the whole escrow divided between wallets.

    The shares must sum to the escrow's balance at the moment of posting (checked under the
    escrow's row lock: its entry's running balance must be 0), else 409 ``escrow.split_mismatch``
    and nothing is written.
    """
    escrow = _owner(escrow, frozenset({OwnerType.CONTRACT}), "escrow")
    checked = _shares(shares)
    accounts = accounts_for(
        [(escrow, AccountKind.ESCROW)] + [(owner, AccountKind.WALLET) for owner, _ in checked]
    )
    escrow_account = accounts[(escrow, AccountKind.ESCROW)]
    total = sum(amount for _, amount in checked)
    with transaction.atomic(durable=not connection.in_atomic_block):
        posted = transaction_post(
            kind=TransactionKind.ESCROW_SPLIT,
            legs=[(escrow_account, -total)]
            + [(accounts[(owner, AccountKind.WALLET)], amount) for owner, amount in checked],
            description=f"Escrow of contract {escrow.id} split",
            key=_key("escrow_split", key),
        )
        left = Entry.objects.get(transaction=posted, account=escrow_account).balance_after
        if left != 0:
            raise Conflict(
                f"The shares leave {left} fen in escrow: they must sum to its whole balance.",
                code="escrow.split_mismatch",
            )
    return posted


def spend(*, escrow: Owner, amount: int, key: str) -> Transaction:
    """Budget consumed (a Fries CPM charge): escrow -> the platform's promotion spend account."""
    escrow = _owner(escrow, frozenset({OwnerType.CONTRACT}), "escrow")
    check_amount(amount)
    accounts = accounts_for([(escrow, AccountKind.ESCROW), (PLATFORM, "promotion_spend")])
    return transaction_post(
        kind=TransactionKind.SPEND,
        legs=[
            (accounts[(escrow, AccountKind.ESCROW)], -amount),
            (accounts[(PLATFORM, AccountKind.PROMOTION_SPEND)], amount),
        ],
        description=f"Budget of contract {escrow.id} spent",
        key=_key("spend", key),
    )


def platform_credit(
    *, recipient: Owner, amount: int, key: str, description: str = ""
) -> Transaction:
    """Money the platform gives (a growth program's promotion credits): revenue -> a wallet.

    Paid from the platform's revenue, which never goes negative: 409
    ``ledger.insufficient_funds`` when the platform has not earned it. Keyed: granted once.
    """
    recipient = _owner(recipient, WALLET_OWNER_TYPES, "recipient")
    check_amount(amount)
    accounts = accounts_for(
        [(PLATFORM, AccountKind.PLATFORM_REVENUE), (recipient, AccountKind.WALLET)]
    )
    return transaction_post(
        kind=TransactionKind.PLATFORM_CREDIT,
        legs=[
            (accounts[(PLATFORM, AccountKind.PLATFORM_REVENUE)], -amount),
            (accounts[(recipient, AccountKind.WALLET)], amount),
        ],
        description=(description or "Platform credit")[:200],
        key=_key("platform_credit", key),
    )


# --- Commission -------------------------------------------------------------------------------


def _commission_key(order: int, payee: Owner, step: str) -> str:
    if type(order) is not int or order <= 0:
        raise InvalidInput("An order reference is a positive integer.", code="ledger.key_invalid")
    return f"commission:{order}:{payee.type}:{payee.id}:{step}"


def commission_accrue(
    *, order: int, payee: Owner, amount: int, source: Owner | None = None
) -> Transaction:
    """A commission earned on an order, pending until the return window closes.

    Legs: the seller's wallet (``source``; the platform's revenue when ``None``) ``-amount``,
    the payee's pending-commission account ``+amount``. Keyed by (order, payee).
    """
    payee = _owner(payee, WALLET_OWNER_TYPES, "payee")
    source = PLATFORM if source is None else _owner(source, WALLET_OWNER_TYPES, "source")
    check_amount(amount)
    source_kind = AccountKind.PLATFORM_REVENUE if source == PLATFORM else AccountKind.WALLET
    accounts = accounts_for([(source, source_kind), (payee, AccountKind.PENDING_COMMISSION)])
    return transaction_post(
        kind=TransactionKind.COMMISSION_ACCRUE,
        legs=[
            (accounts[(source, source_kind)], -amount),
            (accounts[(payee, AccountKind.PENDING_COMMISSION)], amount),
        ],
        description=f"Commission on order {order} (pending)",
        key=_commission_key(order, payee, "accrue"),
    )


def escrow_open_and_accrue(
    *, owner: Owner, payer: Owner, amount: int, key: str, order: int, commissions: Shares
) -> list[Transaction]:
    """``escrow_open`` (no fee) then ``commission_accrue`` per payee, all paid by ``payer``.

    A checkout's money: the same postings, keys and refusals as those moves called in turn,
    but every account (the new escrow included) is found or created by one statement.
    """
    owner = _owner(owner, frozenset({OwnerType.CONTRACT}), "owner")
    payer = _owner(payer, WALLET_OWNER_TYPES, "payer")
    check_amount(amount)
    accruals = sorted(
        (_owner(payee, WALLET_OWNER_TYPES, "payee"), share) for payee, share in commissions
    )
    keys = [_commission_key(order, payee, "accrue") for payee, _ in accruals]
    for _, share in accruals:
        check_amount(share)
    wallet = (payer, AccountKind.WALLET)
    accounts = accounts_for(
        [wallet, (owner, AccountKind.ESCROW)]
        + [(payee, AccountKind.PENDING_COMMISSION) for payee, _ in accruals],
        expect_new=True,  # the order's escrow is new
    )
    posted = [
        transaction_post(
            kind=TransactionKind.ESCROW_OPEN,
            legs=[(accounts[wallet], -amount), (accounts[(owner, AccountKind.ESCROW)], amount)],
            description=f"Escrow opened for contract {owner.id}",
            key=_key("escrow_open", key),
        )
    ]
    for (payee, share), accrual_key in zip(accruals, keys, strict=True):
        posted.append(
            transaction_post(
                kind=TransactionKind.COMMISSION_ACCRUE,
                legs=[
                    (accounts[wallet], -share),
                    (accounts[(payee, AccountKind.PENDING_COMMISSION)], share),
                ],
                description=f"Commission on order {order} (pending)",
                key=accrual_key,
            )
        )
    return posted


def _commission_close(*, order: int, payee: Owner, kind: str) -> Transaction:
    """Settle or reverse an accrual: both use one key, so only the first of them ever posts."""
    payee = _owner(payee, WALLET_OWNER_TYPES, "payee")
    accrual = (
        Transaction.objects.filter(key=_commission_key(order, payee, "accrue"))
        .prefetch_related("entries__account")
        .first()
    )
    if accrual is None:
        raise NotFound("No commission accrued on this order.", code="commission.not_found")
    pending = next(e for e in accrual.entries.all() if e.amount > 0)
    source = next(e for e in accrual.entries.all() if e.amount < 0)
    if kind == TransactionKind.COMMISSION_SETTLE:
        target = accounts_for([(payee, AccountKind.WALLET)])[(payee, AccountKind.WALLET)]
        description = f"Commission on order {order} settled"
    else:
        target = source.account
        description = f"Commission on order {order} reversed"
    posting = Posting(
        kind=kind,
        legs=[(pending.account, -pending.amount), (target, pending.amount)],
        description=description,
        key=_commission_key(order, payee, "close"),
    )
    if kind == TransactionKind.COMMISSION_SETTLE:
        posted = _post_income(posting, payee, target, pending.amount)
    else:
        posted = _post(posting)
    if posted.kind != kind:
        done = "settled" if posted.kind == TransactionKind.COMMISSION_SETTLE else "reversed"
        raise Conflict(f"This commission is already {done}.", code=f"commission.already_{done}")
    return posted


def commission_settle(*, order: int, payee: Owner) -> Transaction:
    """The return window closed: the pending commission moves to the payee's wallet."""
    return _commission_close(order=order, payee=payee, kind=TransactionKind.COMMISSION_SETTLE)


def commission_reverse(*, order: int, payee: Owner) -> Transaction:
    """The order was refunded: the pending commission goes back where it came from."""
    return _commission_close(order=order, payee=payee, kind=TransactionKind.COMMISSION_REVERSE)


# --- Gifts and revenue share ------------------------------------------------------------------


@dataclass(frozen=True)
class Gift:
    """One gift for ``gift_batch``: the same arguments as ``gift``."""

    sender: Owner
    recipient: Owner
    amount: int
    fee_rate: Decimal | Fraction | str
    key: str


def _gift_parts(gift: Gift) -> tuple[Owner, Owner, int]:
    """The checked sender and recipient, and the platform's fee."""
    sender = _owner(gift.sender, WALLET_OWNER_TYPES, "sender")
    recipient = _owner(gift.recipient, WALLET_OWNER_TYPES, "recipient")
    if sender == recipient:
        raise Conflict("You cannot send a gift to yourself.", code="gift.self")
    check_amount(gift.amount)
    return sender, recipient, gift_fee(gift.amount, gift.fee_rate)


def _gift_posting(gift: Gift, accounts: dict) -> Posting:
    sender, recipient, fee = _gift_parts(gift)
    return Posting(
        kind=TransactionKind.GIFT,
        legs=_legs(
            (accounts[(sender, AccountKind.WALLET)], -gift.amount),
            (accounts[(recipient, AccountKind.WALLET)], gift.amount - fee),
            (accounts[(PLATFORM, AccountKind.PLATFORM_REVENUE)], fee),
        ),
        description="Gift",
        key=_key("gift", gift.key),
    )


def _gift_accounts(gifts: Sequence[Gift]) -> dict:
    wanted = {(PLATFORM, AccountKind.PLATFORM_REVENUE)}
    for gift in gifts:
        wanted.add((Owner(*gift.sender), AccountKind.WALLET))
        wanted.add((Owner(*gift.recipient), AccountKind.WALLET))
    return accounts_for(wanted)


def gift(
    *, sender: Owner, recipient: Owner, amount: int, fee_rate: Decimal | Fraction | str, key: str
) -> Transaction:
    """A live gift: sender's wallet ``-amount``, recipient ``+(amount - fee)``, revenue ``+fee``.

    ``fee = floor(amount * fee_rate)``. The recipient (a live host) and revenue are usually hot
    accounts: the credits land on shards, so concurrent gifts do not queue on one row.
    """
    request = Gift(sender, recipient, amount, fee_rate, key)
    owed_known = False
    if connection.vendor == "postgresql" and not connection.in_atomic_block:
        # The common case in one statement: accounts found by owner, guard, posting.
        posted = _gift_owned(request)
        if isinstance(posted, Transaction):
            return posted
        owed_known = posted == posting_sql.GUARDED
    accounts = _gift_accounts([request])
    posting = _gift_posting(request, accounts)
    earner = Owner(*recipient)
    income = amount - gift_fee(amount, fee_rate)
    return _post_income(
        posting, earner, accounts[(earner, AccountKind.WALLET)], income, owed_known=owed_known
    )


def _gift_owned(request: Gift) -> Transaction | str:
    """``gift`` by owner (``transaction_post_owned``), when the guards allow it: the posting,
    or why it was not made (an account missing; a share owed; a resolver with no guard)."""
    sender, recipient, fee = _gift_parts(request)
    guards: tuple[str, ...] | None = ()
    if income_splits.has_resolvers() and recipient.type == OwnerType.USER:
        guards = income_splits.database_guards()
        if guards is None:
            return "unguarded"
    legs = [
        (sender, AccountKind.WALLET, -request.amount),
        (recipient, AccountKind.WALLET, request.amount - fee),
    ]
    if fee:
        legs.append((PLATFORM, AccountKind.PLATFORM_REVENUE, fee))
    return transaction_post_owned(
        kind=TransactionKind.GIFT,
        legs=legs,
        description="Gift",
        key=_key("gift", request.key),
        guards=guards,
        guard_user=recipient.id,
    )


def gift_batch(*, gifts: Sequence[Gift]) -> list[Transaction | InsufficientFunds]:
    """Many gifts in one transaction and one commit (a live room's gifts of one tick).

    Each gift is checked on its own: a sender short of money gets its ``InsufficientFunds`` in
    its place and the others post. Invalid input refuses the whole batch before anything runs.
    """
    accounts = _gift_accounts(gifts)
    postings = [_gift_posting(request, accounts) for request in gifts]
    if not income_splits.has_resolvers():
        return transactions_post_batch(postings=postings)
    with transaction.atomic(durable=not connection.in_atomic_block):
        results = transactions_post_batch(postings=postings)
        incomes = []
        for request, result in zip(gifts, results, strict=True):
            if isinstance(result, Transaction):
                earner = Owner(*request.recipient)
                income = request.amount - gift_fee(request.amount, request.fee_rate)
                incomes.append((result, earner, accounts[(earner, AccountKind.WALLET)], income))
        _post_splits(incomes)
    return results


def revenue_share(*, income_tx: Transaction, shares: Shares) -> Transaction:
    """An agency's cut of a creator's income: from the wallet ``income_tx`` credited to shares.

    ``income_tx`` must credit exactly one wallet; the shares may not exceed that credit. Keyed
    by the income transaction: its revenue is shared once.
    """
    credited = [
        entry
        for entry in income_tx.entries.select_related("account")
        if entry.amount > 0 and entry.account.kind == AccountKind.WALLET
    ]
    if len(credited) != 1:
        raise InvalidInput(
            "The income transaction must credit exactly one wallet.",
            code="ledger.income_invalid",
        )
    earner_account, income = credited[0].account, credited[0].amount
    earner = Owner(earner_account.owner_type, earner_account.owner_id)
    checked = _shares(shares, exclude=earner)
    total = sum(amount for _, amount in checked)
    if total > income:
        raise InvalidInput(
            f"The shares ({total} fen) exceed the income ({income} fen).",
            code="ledger.shares_invalid",
            fields={"shares": [f"At most {income} fen in all."]},
        )
    accounts = accounts_for([(owner, AccountKind.WALLET) for owner, _ in checked])
    return transaction_post(
        kind=TransactionKind.REVENUE_SHARE,
        legs=[(earner_account, -total)]
        + [(accounts[(owner, AccountKind.WALLET)], amount) for owner, amount in checked],
        description=f"Revenue share of transaction #{income_tx.pk}",
        key=f"revenue_share:{income_tx.pk}",
    )
