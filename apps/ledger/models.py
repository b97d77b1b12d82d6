"""The double-entry book: accounts, transactions and entries in integer fen (CNY minor units).

Invariants (see docs/ledger.md):

- every transaction has two or more entries summing to zero (a deferred constraint trigger on
  PostgreSQL; ``services.transaction_post`` everywhere);
- entries and transactions are never updated or deleted (triggers on PostgreSQL, the model
  layer everywhere); a correction is a reversing transaction;
- ``Account.balance`` is the sum of the account's entries, changed only by
  ``services.transaction_post`` under row locks taken in primary-key order;
- accounts that may not go negative (wallets, holds, escrow, revenue) never do (a CHECK).
"""

from typing import Any, NoReturn

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from apps.core.states import Machine

CURRENCY = "CNY"


def format_fen(amount: int) -> str:
    """Integer fen as yuan with two decimals: ``-1234`` -> ``"-12.34"``."""
    sign = "-" if amount < 0 else ""
    whole, cents = divmod(abs(amount), 100)
    return f"{sign}{whole}.{cents:02d}"


class OwnerType(models.TextChoices):
    """Who an account belongs to; ``owner_id`` is that owner's primary key (0 for the platform).

    Generic on purpose: organisations (brands, MCN agencies) and cooperations (for escrow) own
    accounts by type and id, so new owners need no change to existing rows.
    """

    USER = "user", "User"
    ORGANISATION = "organisation", "Organisation"
    BRAND = "brand", "Brand"
    PLATFORM = "platform", "Platform"
    # A product's contract (a cooperation, a Fries order, an order's escrow): owner_id is the
    # integer reference the product chose; escrow accounts are owned this way.
    CONTRACT = "contract", "Contract"


class AccountKind(models.TextChoices):
    WALLET = "wallet", "Wallet (available)"
    HOLD = "hold", "Held funds (pending payouts)"
    ESCROW = "escrow", "Escrow"
    PLATFORM_REVENUE = "platform_revenue", "Platform revenue"
    PROVIDER_CLEARING = "provider_clearing", "Payment-provider clearing"
    PAYOUT_CLEARING = "payout_clearing", "Payout clearing"
    PENDING_COMMISSION = "pending_commission", "Commission pending (return window)"
    PROMOTION_SPEND = "promotion_spend", "Promotion spend (Fries budgets consumed)"


# Clearing accounts mirror money outside the platform; every other account must stay >= 0.
NEGATIVE_ALLOWED_KINDS = frozenset({AccountKind.PROVIDER_CLEARING, AccountKind.PAYOUT_CLEARING})
SYSTEM_KINDS = frozenset(
    {
        AccountKind.PLATFORM_REVENUE,
        AccountKind.PROVIDER_CLEARING,
        AccountKind.PAYOUT_CLEARING,
        AccountKind.PROMOTION_SPEND,
    }
)
# Every fee and every CPM charge credits these: they are sharded from their first use.
HOT_SYSTEM_KINDS = frozenset({AccountKind.PLATFORM_REVENUE, AccountKind.PROMOTION_SPEND})
DEFAULT_SHARDS = 16


class Account(models.Model):
    owner_type = models.CharField(max_length=16, choices=OwnerType.choices)
    owner_id = models.BigIntegerField()
    kind = models.CharField(max_length=24, choices=AccountKind.choices)
    allow_negative = models.BooleanField(default=False)
    # Cached sum of the account's entries, in fen; for a hot account, the part not in its shards.
    balance = models.BigIntegerField(default=0)
    # 0: an ordinary account (every posting locks this row). N > 0: a hot account whose credits
    # go to one of N ``AccountShard`` rows, so concurrent credits do not queue on this row.
    shards = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["owner_type", "owner_id", "kind"], name="ledger_account_unique_owner_kind"
            ),
            models.CheckConstraint(
                condition=Q(allow_negative=True) | Q(balance__gte=0),
                name="ledger_account_not_negative",
            ),
            # Only the clearing mirrors may ever be allowed below zero (escrow, pending
            # commission, wallets and revenue never), and they are never sharded.
            models.CheckConstraint(
                condition=Q(allow_negative=False)
                | (Q(kind__in=sorted(NEGATIVE_ALLOWED_KINDS)) & Q(shards=0)),
                name="ledger_account_negative_only_clearing",
            ),
        ]

    def __str__(self) -> str:
        if self.owner_type == OwnerType.PLATFORM:
            return f"#{self.pk} {self.get_kind_display()}"
        return f"#{self.pk} {self.kind} of {self.owner_type} {self.owner_id}"


class AccountShard(models.Model):
    """One of a hot account's N balance shards (credits only; folded back by a debit).

    The account's balance is ``Account.balance + SUM(AccountShard.balance)``. A credit adds to one
    shard under that shard's row lock only; a debit locks the account row and then all its shards
    in ``shard_no`` order, folds them into ``Account.balance`` and checks the total.
    """

    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="shard_rows")
    shard_no = models.PositiveSmallIntegerField()
    balance = models.BigIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["account", "shard_no"], name="ledger_shard_unique"),
            models.CheckConstraint(condition=Q(balance__gte=0), name="ledger_shard_not_negative"),
        ]

    def __str__(self) -> str:
        return f"account {self.account_id} shard {self.shard_no}"


class TransactionKind(models.TextChoices):
    TOPUP = "topup", "Top-up"
    TRANSFER = "transfer", "Transfer"
    PAYOUT_HOLD = "payout_hold", "Payout requested (funds held)"
    PAYOUT_RELEASE = "payout_release", "Payout rejected or failed (funds released)"
    PAYOUT_PAID = "payout_paid", "Payout paid"
    REVERSAL = "reversal", "Reversal"
    ESCROW_OPEN = "escrow_open", "Escrow opened"
    ESCROW_RELEASE = "escrow_release", "Escrow released"
    ESCROW_REFUND = "escrow_refund", "Escrow refunded"
    ESCROW_SPLIT = "escrow_split", "Escrow split (dispute decision)"
    SPEND = "spend", "Budget spent"
    COMMISSION_ACCRUE = "commission_accrue", "Commission accrued (pending)"
    COMMISSION_SETTLE = "commission_settle", "Commission settled"
    COMMISSION_REVERSE = "commission_reverse", "Commission reversed"
    GIFT = "gift", "Gift"
    REVENUE_SHARE = "revenue_share", "Revenue share"
    PLATFORM_CREDIT = "platform_credit", "Platform-funded credit (program benefits)"


# Payout transactions belong to the payout state machine; reversing them would desynchronise it.
REVERSIBLE_KINDS = frozenset({TransactionKind.TOPUP, TransactionKind.TRANSFER})


class AppendOnlyQuerySet(models.QuerySet):
    """Ledger rows are written once; bulk changes are refused in Python as well as in SQL."""

    def update(self, **kwargs: Any) -> NoReturn:
        raise TypeError(f"{self.model.__name__} rows are append-only.")

    def delete(self) -> NoReturn:
        raise TypeError(f"{self.model.__name__} rows are append-only.")


class AppendOnlyModel(models.Model):
    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise TypeError(f"{type(self).__name__} rows are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise TypeError(f"{type(self).__name__} rows are append-only.")


class Transaction(AppendOnlyModel):
    kind = models.CharField(max_length=24, choices=TransactionKind.choices)
    description = models.CharField(max_length=200, blank=True)
    # Internal idempotency: a service posting "the" transaction of something (a payment
    # intent's top-up, a payout's hold) names it, and posting it twice returns the first.
    key = models.CharField(max_length=120, unique=True, null=True, blank=True)
    reverses = models.OneToOneField(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="reversed_by"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["-created_at", "-id"], name="ledger_tx_created_idx")]
        permissions = [("reverse_transaction", "Can reverse ledger transactions")]

    def __str__(self) -> str:
        return f"#{self.pk} {self.kind}"


class Entry(AppendOnlyModel):
    transaction = models.ForeignKey(Transaction, on_delete=models.PROTECT, related_name="entries")
    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="entries")
    amount = models.BigIntegerField(help_text="Fen; positive credits the account.")
    balance_after = models.BigIntegerField(help_text="The account's balance after this entry.")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name_plural = "entries"
        constraints = [
            models.CheckConstraint(condition=~Q(amount=0), name="ledger_entry_amount_not_zero"),
            models.UniqueConstraint(
                fields=["transaction", "account"], name="ledger_entry_one_per_account"
            ),
        ]
        indexes = [
            models.Index(fields=["account", "-created_at", "-id"], name="ledger_entry_history_idx")
        ]

    def __str__(self) -> str:
        return f"{self.account_id}: {format_fen(self.amount)}"


# --- Payments (top-ups) -----------------------------------------------------------------------


class PaymentIntentStatus(models.TextChoices):
    CREATED = "created", "Created (awaiting payment)"
    SUCCEEDED = "succeeded", "Succeeded"
    FAILED = "failed", "Failed"
    EXPIRED = "expired", "Expired"


# Actions are the provider's events. The provider is the truth about captured money: a success
# reported after we gave up on the intent (expired) or after a failed attempt (the payer
# retried) still credits the wallet. Anything else arriving late is ignored by the webhook.
PAYMENT_INTENT_MACHINE = Machine(
    "payment_intent",
    transitions={
        (PaymentIntentStatus.CREATED, "succeed"): PaymentIntentStatus.SUCCEEDED,
        (PaymentIntentStatus.CREATED, "fail"): PaymentIntentStatus.FAILED,
        (PaymentIntentStatus.CREATED, "expire"): PaymentIntentStatus.EXPIRED,
        (PaymentIntentStatus.FAILED, "succeed"): PaymentIntentStatus.SUCCEEDED,
        (PaymentIntentStatus.EXPIRED, "succeed"): PaymentIntentStatus.SUCCEEDED,
    },
    states=tuple(PaymentIntentStatus.values),
)


class PaymentIntent(models.Model):
    """A top-up of an owner's wallet (a user's, an organisation's) paid at a provider.

    ``owner_type``/``owner_id`` name whose wallet (``account``) it credits; ``requested_by`` is
    the person who started it (the user themselves, or an organisation's finance member).
    """

    reference = models.CharField(max_length=40, unique=True)  # our out_trade_no at the provider
    owner_type = models.CharField(max_length=16, choices=OwnerType.choices)
    owner_id = models.BigIntegerField()
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="payment_intents"
    )
    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="+")
    provider = models.CharField(max_length=20)
    amount = models.BigIntegerField()
    currency = models.CharField(max_length=3, default=CURRENCY)
    status = models.CharField(
        max_length=12, choices=PaymentIntentStatus.choices, default=PaymentIntentStatus.CREATED
    )
    provider_payload = models.JSONField(default=dict, blank=True)
    failure_reason = models.CharField(max_length=200, blank=True)
    transaction = models.OneToOneField(
        Transaction, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    succeeded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="payment_intent_amount_positive")
        ]
        indexes = [
            models.Index(
                fields=["owner_type", "owner_id", "-created_at", "-id"],
                name="payment_intent_owner_idx",
            ),
            models.Index(fields=["status", "expires_at"], name="payment_intent_expiry_idx"),
        ]

    def __str__(self) -> str:
        return self.reference


class WebhookEvent(models.Model):
    """Every verified delivery, once: a provider's repeated event id changes nothing."""

    class Outcome(models.TextChoices):
        APPLIED = "applied", "Applied"
        IGNORED = "ignored", "Ignored (state already final)"

    provider = models.CharField(max_length=20)
    event_id = models.CharField(max_length=80)
    event_type = models.CharField(max_length=40)
    intent = models.ForeignKey(
        PaymentIntent, on_delete=models.PROTECT, related_name="webhook_events"
    )
    outcome = models.CharField(max_length=10, choices=Outcome.choices)
    payload = models.JSONField()
    occurred_at = models.DateTimeField()
    received_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["provider", "event_id"], name="webhook_event_unique")
        ]

    def __str__(self) -> str:
        return f"{self.provider}:{self.event_id}"


# --- Payouts ----------------------------------------------------------------------------------


class PayoutStatus(models.TextChoices):
    REQUESTED = "requested", "Requested (funds held)"
    APPROVED = "approved", "Approved (being paid)"
    REJECTED = "rejected", "Rejected (funds returned)"
    PAID = "paid", "Paid"
    FAILED = "failed", "Failed (funds returned)"


PAYOUT_MACHINE = Machine(
    "payout",
    transitions={
        (PayoutStatus.REQUESTED, "approve"): PayoutStatus.APPROVED,
        (PayoutStatus.REQUESTED, "reject"): PayoutStatus.REJECTED,
        (PayoutStatus.APPROVED, "mark_paid"): PayoutStatus.PAID,
        (PayoutStatus.APPROVED, "mark_failed"): PayoutStatus.FAILED,
    },
    states=tuple(PayoutStatus.values),
)


class PayoutMethod(models.TextChoices):
    ALIPAY = "alipay", "Alipay"
    WECHAT = "wechat", "WeChat Pay"
    BANK_CARD = "bank_card", "Bank card"


class Payout(models.Model):
    """A withdrawal from an owner's wallet; ``requested_by`` is who asked (never who decides)."""

    owner_type = models.CharField(max_length=16, choices=OwnerType.choices)
    owner_id = models.BigIntegerField()
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="payouts"
    )
    amount = models.BigIntegerField()
    method = models.CharField(max_length=12, choices=PayoutMethod.choices)
    account_name = models.CharField(max_length=60)
    account_number = models.CharField(max_length=40)
    status = models.CharField(
        max_length=12, choices=PayoutStatus.choices, default=PayoutStatus.REQUESTED
    )
    note = models.CharField(max_length=200, blank=True, help_text="Operator's reason or reference.")
    hold_transaction = models.OneToOneField(
        Transaction, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    settle_transaction = models.OneToOneField(
        Transaction, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="payout_amount_positive")
        ]
        indexes = [
            models.Index(
                fields=["owner_type", "owner_id", "-created_at", "-id"], name="payout_owner_idx"
            ),
            models.Index(fields=["status", "created_at"], name="payout_status_idx"),
        ]

    def __str__(self) -> str:
        return f"Payout #{self.pk} {format_fen(self.amount)} ({self.status})"

    @property
    def account_number_masked(self) -> str:
        tail = self.account_number[-4:]
        return "*" * max(len(self.account_number) - 4, 0) + tail


class PayoutEvent(models.Model):
    """The payout's audit trail: one row per status change."""

    payout = models.ForeignKey(Payout, on_delete=models.CASCADE, related_name="events")
    from_status = models.CharField(max_length=12, choices=PayoutStatus.choices, blank=True)
    to_status = models.CharField(max_length=12, choices=PayoutStatus.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    note = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ("created_at", "id")

    def __str__(self) -> str:
        return f"{self.from_status or '-'} -> {self.to_status}"


# --- Reconciliation ---------------------------------------------------------------------------


class ReconciliationReport(models.Model):
    started_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    accounts_checked = models.PositiveIntegerField(default=0)
    transactions_checked = models.PositiveBigIntegerField(default=0)
    ledger_total = models.BigIntegerField(default=0, help_text="Sum of all balances; must be 0.")
    entries_total = models.BigIntegerField(default=0, help_text="Sum of all entries; must be 0.")
    difference_count = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ("-started_at", "-id")

    def __str__(self) -> str:
        return f"Reconciliation {self.started_at:%Y-%m-%d %H:%M} ({self.difference_count} diffs)"

    @property
    def is_clean(self) -> bool:
        return self.difference_count == 0


class ReconciliationDifference(models.Model):
    class Kind(models.TextChoices):
        BALANCE_MISMATCH = "balance_mismatch", "Cached balance differs from its entries"
        UNBALANCED_TRANSACTION = "unbalanced_transaction", "Transaction does not sum to zero"
        LEDGER_NOT_ZERO = "ledger_not_zero", "Accounts do not sum to zero"
        NEGATIVE_BALANCE = "negative_balance", "Account below zero"

    report = models.ForeignKey(
        ReconciliationReport, on_delete=models.CASCADE, related_name="differences"
    )
    kind = models.CharField(max_length=24, choices=Kind.choices)
    account = models.ForeignKey(
        Account, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    transaction = models.ForeignKey(
        Transaction, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    expected = models.BigIntegerField(help_text="What the entries say (fen).")
    actual = models.BigIntegerField(help_text="What is recorded (fen).")

    def __str__(self) -> str:
        return f"{self.kind}: expected {self.expected}, actual {self.actual}"
