"""Ledger writes: the one posting service, wallets, transfers, top-ups, payouts, reconciliation.

``transaction_post`` is the only code that writes entries or changes a balance. Everything else
(top-ups, transfers, payout holds, reversals, and later escrow, commissions, Fries budgets and
gifts) describes its legs and calls it.

Transactions: the posting services open a nested ``atomic()`` so that callers can make them
part of a larger write (a payout row and its hold commit together). The outermost transaction
of a money-moving request is durable: the idempotency key's for API calls, the webhook's for
providers, the state change's for operators.
"""

import logging
import secrets
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import BigIntegerField, Case, Count, F, Q, Sum, Value, When
from django.db.models.functions import Coalesce
from django.utils import timezone

from apps.accounts.models import User
from apps.accounts.services import is_blocked_either_way
from apps.core.errors import Conflict, InvalidInput, NotFound
from apps.ledger.locks import lock_accounts
from apps.ledger.models import (
    NEGATIVE_ALLOWED_KINDS,
    REVERSIBLE_KINDS,
    Account,
    AccountKind,
    Entry,
    OwnerType,
    PaymentIntent,
    PaymentIntentStatus,
    Payout,
    PayoutEvent,
    PayoutStatus,
    ReconciliationDifference,
    ReconciliationReport,
    Transaction,
    TransactionKind,
    WebhookEvent,
    format_fen,
)
from apps.ledger.providers import ProviderEventType, get_provider
from apps.ledger.providers import sandbox as sandbox_provider

logger = logging.getLogger(__name__)


class InsufficientFunds(Conflict):
    code = "wallet.insufficient_funds"


# --- Accounts ---------------------------------------------------------------------------------


def account_get_or_create(*, owner_type: str, owner_id: int, kind: str) -> Account:
    """The owner's account of this kind, created empty on first use (safe under concurrency)."""
    account, _ = Account.objects.get_or_create(
        owner_type=owner_type,
        owner_id=owner_id,
        kind=kind,
        defaults={"allow_negative": kind in NEGATIVE_ALLOWED_KINDS},
    )
    return account


def system_account(kind: str) -> Account:
    """One of the platform's own accounts (revenue, clearing)."""
    return account_get_or_create(owner_type=OwnerType.PLATFORM, owner_id=0, kind=kind)


def user_wallets(*user_ids: int) -> dict[int, Account]:
    """Several users' wallets in one query (the transfer path), creating missing ones."""
    found = {
        account.owner_id: account
        for account in Account.objects.filter(
            owner_type=OwnerType.USER, owner_id__in=user_ids, kind=AccountKind.WALLET
        )
    }
    for user_id in set(user_ids) - set(found):
        found[user_id] = user_wallet(user_id)
    return found


def user_wallet(user_id: int) -> Account:
    return account_get_or_create(
        owner_type=OwnerType.USER, owner_id=user_id, kind=AccountKind.WALLET
    )


def user_hold(user_id: int) -> Account:
    return account_get_or_create(owner_type=OwnerType.USER, owner_id=user_id, kind=AccountKind.HOLD)


# --- Posting ----------------------------------------------------------------------------------


def _legs_by_account(legs: Sequence[tuple[Account | int, int]]) -> dict[int, int]:
    amounts: dict[int, int] = {}
    for account, amount in legs:
        account_id = account.pk if isinstance(account, Account) else int(account)
        if type(amount) is not int or amount == 0:
            raise ValueError(f"A leg's amount must be a non-zero int of fen, not {amount!r}.")
        if account_id in amounts:
            raise ValueError("One leg per account in a transaction.")
        amounts[account_id] = amount
    if len(amounts) < 2 or sum(amounts.values()) != 0:
        raise ValueError("A transaction needs two or more legs summing to zero.")
    return amounts


def transaction_post(
    *,
    kind: str,
    legs: Sequence[tuple[Account | int, int]],
    description: str = "",
    key: str | None = None,
    reverses: Transaction | None = None,
) -> Transaction:
    """Post one balanced transaction; the only writer of entries and balances.

    Locks the accounts in ascending pk order (callers may already hold their own domain row, never
    an account), refuses with ``InsufficientFunds`` if an account that must stay >= 0 would not,
    then writes the transaction, its entries with running balances, and the cached balances.
    With ``key``, posting it again (or concurrently) returns the first transaction.
    """
    amounts = _legs_by_account(legs)
    with transaction.atomic():
        locked = lock_accounts(amounts)
        if key is not None:
            existing = Transaction.objects.filter(key=key).first()
            if existing is not None:
                return existing
        short = [
            account
            for account in locked.values()
            if not account.allow_negative and account.balance + amounts[account.pk] < 0
        ]
        if short:
            account = short[0]
            raise InsufficientFunds(
                f"Insufficient funds: {format_fen(account.balance)} available, "
                f"{format_fen(-amounts[account.pk])} needed.",
            )

        now = timezone.now()
        new = Transaction(
            kind=kind, description=description[:200], key=key, reverses=reverses, created_at=now
        )
        if key is None:
            new.save()
        else:
            try:
                with transaction.atomic():
                    new.save()
            except IntegrityError:
                # Posted concurrently under the same key on other accounts; it is committed now.
                return Transaction.objects.get(key=key)

        entries = []
        for account_id in sorted(amounts):
            account = locked[account_id]
            account.balance += amounts[account_id]
            entries.append(
                Entry(
                    transaction=new,
                    account_id=account_id,
                    amount=amounts[account_id],
                    balance_after=account.balance,
                    created_at=now,
                )
            )
        Entry.objects.bulk_create(entries)
        change = Case(
            *(When(pk=account_id, then=Value(amount)) for account_id, amount in amounts.items()),
            output_field=BigIntegerField(),
        )
        Account.objects.filter(pk__in=amounts).update(balance=F("balance") + change, updated_at=now)
    return new


def transaction_reverse(
    *, original: Transaction, description: str = "", key: str | None = None
) -> Transaction:
    """Undo a top-up or transfer with its mirror image; refused if the money was spent since."""
    if original.kind not in REVERSIBLE_KINDS:
        raise Conflict(
            f"A {original.get_kind_display().lower()} transaction cannot be reversed directly.",
            code="ledger.not_reversible",
        )
    if Transaction.objects.filter(reverses=original).exists():
        raise Conflict("This transaction is already reversed.", code="ledger.already_reversed")
    legs = [(entry.account_id, -entry.amount) for entry in original.entries.all()]
    return transaction_post(
        kind=TransactionKind.REVERSAL,
        legs=legs,
        description=description or f"Reversal of transaction #{original.pk}",
        key=key or f"reversal:{original.pk}",
        reverses=original,
    )


def _check_amount(amount: int, *, minimum: int = 1, field: str = "amount") -> None:
    maximum = settings.LEDGER_MAX_AMOUNT_FEN
    if not minimum <= amount <= maximum:
        raise InvalidInput(
            f"The amount must be between {format_fen(minimum)} and {format_fen(maximum)} yuan.",
            code="ledger.amount_out_of_range",
            fields={field: [f"Between {minimum} and {maximum} fen."]},
        )


# --- Transfers --------------------------------------------------------------------------------


def wallet_transfer(*, sender: User, recipient_id: int, amount: int) -> Transaction:
    """Move money from the sender's wallet to another user's (tips; gifts build on it)."""
    if recipient_id == sender.pk:
        raise Conflict("You cannot send money to yourself.", code="transfer.self")
    _check_amount(amount)
    recipient = User.objects.filter(pk=recipient_id, is_active=True).only("username").first()
    if recipient is None:
        raise NotFound("User not found.", code="user.not_found")
    if is_blocked_either_way(sender.pk, recipient_id):
        raise Conflict("You cannot send money to this user.", code="transfer.blocked")
    with transaction.atomic():
        wallets = user_wallets(sender.pk, recipient_id)
        source, destination = wallets[sender.pk], wallets[recipient_id]
        return transaction_post(
            kind=TransactionKind.TRANSFER,
            legs=[(source, -amount), (destination, amount)],
            description=f"Transfer from @{sender.username} to @{recipient.username}",
        )


# --- Top-ups: payment intents and provider webhooks -------------------------------------------

INTENT_TRANSITIONS: dict[str, frozenset[str]] = {
    PaymentIntentStatus.CREATED: frozenset(
        {PaymentIntentStatus.SUCCEEDED, PaymentIntentStatus.FAILED, PaymentIntentStatus.EXPIRED}
    ),
    # The provider is the truth about captured money: a success reported after we gave up on the
    # intent (expired) or after a failed attempt (the payer retried) still credits the wallet.
    PaymentIntentStatus.FAILED: frozenset({PaymentIntentStatus.SUCCEEDED}),
    PaymentIntentStatus.EXPIRED: frozenset({PaymentIntentStatus.SUCCEEDED}),
    PaymentIntentStatus.SUCCEEDED: frozenset(),
}
EVENT_TARGET = {
    ProviderEventType.SUCCEEDED: PaymentIntentStatus.SUCCEEDED,
    ProviderEventType.FAILED: PaymentIntentStatus.FAILED,
    ProviderEventType.EXPIRED: PaymentIntentStatus.EXPIRED,
}


def payment_intent_create(*, user: User, amount: int, provider: str) -> PaymentIntent:
    """Start a top-up: an intent the user pays at the provider within the intent's lifetime."""
    adapter = get_provider(provider)
    if adapter is None:
        raise InvalidInput(
            "This payment provider is not available.",
            code="payment.provider_unavailable",
            fields={"provider": ["Not available."]},
        )
    _check_amount(amount, minimum=settings.LEDGER_TOPUP_MIN_FEN)
    now = timezone.now()
    with transaction.atomic():
        intent = PaymentIntent.objects.create(
            reference=f"pi_{secrets.token_hex(12)}",
            user=user,
            account=user_wallet(user.pk),
            provider=provider,
            amount=amount,
            created_at=now,
            updated_at=now,
            expires_at=now + timedelta(minutes=settings.LEDGER_PAYMENT_INTENT_TTL_MINUTES),
        )
        intent.provider_payload = adapter.create_payment(intent=intent).client_payload
        intent.save(update_fields=["provider_payload"])
    return intent


def _payment_intent_move(*, intent: PaymentIntent, to_status: str, reason: str = "") -> bool:
    """Apply one state change; False when the intent's state already rules it out.

    Caller holds the intent's row lock; a success posts the top-up (provider clearing -> wallet),
    keyed by the intent so it can never be credited twice.
    """
    if to_status not in INTENT_TRANSITIONS[intent.status]:
        return False
    now = timezone.now()
    if to_status == PaymentIntentStatus.SUCCEEDED:
        intent.transaction = transaction_post(
            kind=TransactionKind.TOPUP,
            legs=[
                (system_account(AccountKind.PROVIDER_CLEARING), -intent.amount),
                (intent.account_id, intent.amount),
            ],
            description=f"Top-up via {intent.provider} ({intent.reference})",
            key=f"topup:{intent.reference}",
        )
        intent.succeeded_at = now
        intent.failure_reason = ""
    else:
        intent.failure_reason = reason[:200]
    intent.status = to_status
    intent.updated_at = now
    intent.save(
        update_fields=["status", "transaction", "succeeded_at", "failure_reason", "updated_at"]
    )
    return True


@dataclass(frozen=True)
class WebhookResult:
    outcome: str  # "applied", "ignored" (state already final) or "duplicate" (event seen before)
    intent: PaymentIntent


def payment_webhook_receive(
    *, provider: str, headers: Mapping[str, str], body: bytes, now: datetime | None = None
) -> WebhookResult:
    """Verify one provider delivery and apply it once; repeats and late events change nothing."""
    adapter = get_provider(provider)
    if adapter is None:
        raise NotFound("Unknown payment provider.", code="payment.provider_unknown")
    event = adapter.parse_webhook(headers=headers, body=body, now=now or timezone.now())
    with transaction.atomic(durable=True):
        intent = (
            PaymentIntent.objects.select_for_update()
            .filter(reference=event.intent_reference, provider=provider)
            .first()
        )
        if intent is None:
            raise NotFound("No such payment intent.", code="payment.intent_not_found")
        if WebhookEvent.objects.filter(provider=provider, event_id=event.event_id).exists():
            return WebhookResult(outcome="duplicate", intent=intent)
        if event.amount != intent.amount or event.currency != intent.currency:
            logger.warning("Webhook %s: amount mismatch on %s", event.event_id, intent.reference)
            raise Conflict(
                "The notified amount differs from the intent's.", code="payment.amount_mismatch"
            )
        applied = _payment_intent_move(
            intent=intent,
            to_status=EVENT_TARGET[event.type],
            reason=str(event.payload.get("data", {}).get("reason", "")),
        )
        outcome = WebhookEvent.Outcome.APPLIED if applied else WebhookEvent.Outcome.IGNORED
        WebhookEvent.objects.create(
            provider=provider,
            event_id=event.event_id,
            event_type=event.type,
            intent=intent,
            outcome=outcome,
            payload=event.payload,
            occurred_at=event.occurred_at,
        )
    return WebhookResult(outcome=outcome, intent=intent)


def sandbox_payment_complete(*, intent: PaymentIntent, succeed: bool) -> WebhookResult:
    """The sandbox cashier: the payer pays (or the payment fails) and the signed webhook follows.

    Goes through the same signature check and state machine as any provider's delivery.
    """
    if intent.provider != sandbox_provider.SandboxProvider.name or get_provider("sandbox") is None:
        raise NotFound("This intent is not payable in the sandbox.", code="payment.not_sandbox")
    event_type = ProviderEventType.SUCCEEDED if succeed else ProviderEventType.FAILED
    timestamp = int(time.time())
    body = sandbox_provider.event_body(
        intent_reference=intent.reference,
        amount=intent.amount,
        event_type=event_type,
        created=timestamp,
        reason="" if succeed else "Declined by the sandbox payer.",
    )
    headers = {sandbox_provider.SIGNATURE_HEADER: sandbox_provider.sign(body, timestamp=timestamp)}
    return payment_webhook_receive(provider="sandbox", headers=headers, body=body)


def payment_intents_expire_due(*, now: datetime | None = None) -> int:
    """Expire unpaid intents past their lifetime, in one statement; returns how many.

    A concurrent webhook holds the row lock; PostgreSQL re-checks ``status`` after waiting, so an
    intent that just succeeded is left alone.
    """
    now = now or timezone.now()
    return PaymentIntent.objects.filter(
        status=PaymentIntentStatus.CREATED, expires_at__lt=now
    ).update(status=PaymentIntentStatus.EXPIRED, updated_at=now)


# --- Payouts ----------------------------------------------------------------------------------

PAYOUT_TRANSITIONS: dict[str, frozenset[str]] = {
    PayoutStatus.REQUESTED: frozenset({PayoutStatus.APPROVED, PayoutStatus.REJECTED}),
    PayoutStatus.APPROVED: frozenset({PayoutStatus.PAID, PayoutStatus.FAILED}),
    PayoutStatus.REJECTED: frozenset(),
    PayoutStatus.PAID: frozenset(),
    PayoutStatus.FAILED: frozenset(),
}


def payout_request(
    *, user: User, amount: int, method: str, account_name: str, account_number: str
) -> Payout:
    """Ask to withdraw: the amount moves from the wallet to the user's hold at once."""
    _check_amount(amount, minimum=settings.LEDGER_PAYOUT_MIN_FEN)
    now = timezone.now()
    with transaction.atomic():
        payout = Payout.objects.create(
            user=user,
            amount=amount,
            method=method,
            account_name=account_name,
            account_number=account_number,
            created_at=now,
            updated_at=now,
        )
        payout.hold_transaction = transaction_post(
            kind=TransactionKind.PAYOUT_HOLD,
            legs=[(user_wallet(user.pk), -amount), (user_hold(user.pk), amount)],
            description=f"Payout #{payout.pk} requested",
            key=f"payout:{payout.pk}:hold",
        )
        payout.save(update_fields=["hold_transaction"])
        PayoutEvent.objects.create(
            payout=payout, to_status=PayoutStatus.REQUESTED, actor=user, created_at=now
        )
    return payout


def _payout_move(*, payout_id: int, to_status: str, actor: User | None, note: str) -> Payout:
    """The payout state machine's one mover: locks the payout, posts its money, logs the event."""
    with transaction.atomic(durable=True):
        payout = Payout.objects.select_for_update().filter(pk=payout_id).first()
        if payout is None:
            raise NotFound("Payout not found.", code="payout.not_found")
        if to_status not in PAYOUT_TRANSITIONS[payout.status]:
            raise Conflict(
                f"A {payout.status} payout cannot become {to_status}.",
                code="payout.illegal_transition",
            )
        hold = user_hold(payout.user_id)
        if to_status in (PayoutStatus.REJECTED, PayoutStatus.FAILED):
            payout.settle_transaction = transaction_post(
                kind=TransactionKind.PAYOUT_RELEASE,
                legs=[(hold, -payout.amount), (user_wallet(payout.user_id), payout.amount)],
                description=f"Payout #{payout.pk} {to_status}: funds returned",
                key=f"payout:{payout.pk}:release",
            )
        elif to_status == PayoutStatus.PAID:
            payout.settle_transaction = transaction_post(
                kind=TransactionKind.PAYOUT_PAID,
                legs=[
                    (hold, -payout.amount),
                    (system_account(AccountKind.PAYOUT_CLEARING), payout.amount),
                ],
                description=f"Payout #{payout.pk} paid",
                key=f"payout:{payout.pk}:paid",
            )
        now = timezone.now()
        PayoutEvent.objects.create(
            payout=payout,
            from_status=payout.status,
            to_status=to_status,
            actor=actor,
            note=note[:200],
            created_at=now,
        )
        payout.status = to_status
        payout.note = note[:200]
        payout.updated_at = now
        payout.save(update_fields=["status", "note", "settle_transaction", "updated_at"])
    return payout


def payout_approve(*, payout_id: int, operator: User | None, note: str = "") -> Payout:
    """An operator accepts the request; the money stays held until paid or failed."""
    return _payout_move(
        payout_id=payout_id, to_status=PayoutStatus.APPROVED, actor=operator, note=note
    )


def payout_reject(*, payout_id: int, operator: User | None, note: str = "") -> Payout:
    """An operator refuses the request; the held money returns to the wallet."""
    return _payout_move(
        payout_id=payout_id, to_status=PayoutStatus.REJECTED, actor=operator, note=note
    )


def payout_mark_paid(*, payout_id: int, operator: User | None, note: str = "") -> Payout:
    """The money left the platform (to payout clearing, the mirror of the outside world)."""
    return _payout_move(payout_id=payout_id, to_status=PayoutStatus.PAID, actor=operator, note=note)


def payout_mark_failed(*, payout_id: int, operator: User | None, note: str = "") -> Payout:
    """The transfer to the creator failed; the held money returns to the wallet."""
    return _payout_move(
        payout_id=payout_id, to_status=PayoutStatus.FAILED, actor=operator, note=note
    )


# --- Reconciliation ---------------------------------------------------------------------------


def _differences() -> tuple[list[ReconciliationDifference], dict[str, int]]:
    """Every check as one set-based query; run inside one snapshot."""
    kind = ReconciliationDifference.Kind
    found: list[ReconciliationDifference] = []
    mismatched = (
        Account.objects.annotate(computed=Coalesce(Sum("entries__amount"), 0))
        .exclude(balance=F("computed"))
        .values_list("pk", "balance", "computed")
    )
    for account_id, balance, computed in mismatched:
        found.append(
            ReconciliationDifference(
                kind=kind.BALANCE_MISMATCH, account_id=account_id, expected=computed, actual=balance
            )
        )
    unbalanced = (
        Entry.objects.order_by()
        .values("transaction_id")
        .annotate(total=Sum("amount"), legs=Count("id"))
        .filter(~Q(total=0) | Q(legs__lt=2))
        .values_list("transaction_id", "total")
    )
    for transaction_id, total in unbalanced:
        found.append(
            ReconciliationDifference(
                kind=kind.UNBALANCED_TRANSACTION,
                transaction_id=transaction_id,
                expected=0,
                actual=total,
            )
        )
    for transaction_id in Transaction.objects.filter(entries__isnull=True).values_list(
        "pk", flat=True
    ):
        found.append(
            ReconciliationDifference(
                kind=kind.UNBALANCED_TRANSACTION,
                transaction_id=transaction_id,
                expected=0,
                actual=0,
            )
        )
    for account_id, balance in Account.objects.filter(
        allow_negative=False, balance__lt=0
    ).values_list("pk", "balance"):
        found.append(
            ReconciliationDifference(
                kind=kind.NEGATIVE_BALANCE, account_id=account_id, expected=0, actual=balance
            )
        )
    totals = {
        "ledger_total": Account.objects.aggregate(total=Coalesce(Sum("balance"), 0))["total"],
        "entries_total": Entry.objects.aggregate(total=Coalesce(Sum("amount"), 0))["total"],
        "accounts_checked": Account.objects.count(),
        "transactions_checked": Transaction.objects.count(),
    }
    if totals["ledger_total"] != 0:
        found.append(
            ReconciliationDifference(
                kind=kind.LEDGER_NOT_ZERO, expected=0, actual=totals["ledger_total"]
            )
        )
    return found, totals


def reconciliation_run() -> ReconciliationReport:
    """Check every cached balance against its entries and that the book sums to zero.

    On PostgreSQL the checks read one REPEATABLE READ snapshot, so postings committed meanwhile
    never show up as false differences. Differences are stored for operators, never corrected.
    """
    started = timezone.now()
    snapshot = connection.vendor == "postgresql" and not connection.in_atomic_block
    with transaction.atomic(durable=True):
        if snapshot:
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        differences, totals = _differences()
        report = ReconciliationReport.objects.create(
            started_at=started,
            finished_at=timezone.now(),
            difference_count=len(differences),
            **totals,
        )
        for difference in differences:
            difference.report = report
        ReconciliationDifference.objects.bulk_create(differences)
    if differences:
        logger.error("Ledger reconciliation found %d differences", len(differences))
    return report
