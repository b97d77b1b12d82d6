"""Reconciliation: every cached balance against its entries, and the book against zero.

A hot account's cached balance is its row's plus its shards' (``AccountShard``): the checks
compare that sum with the entries, count negative shards, and add the shards to the total.
"""

import logging

from django.db import connection, transaction
from django.db.models import Count, F, OuterRef, Q, Subquery, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone

from apps.ledger.models import (
    Account,
    AccountShard,
    Entry,
    ReconciliationDifference,
    ReconciliationReport,
    Transaction,
)

logger = logging.getLogger(__name__)


def _differences() -> tuple[list[ReconciliationDifference], dict[str, int]]:
    """Every check as one set-based query; run inside one snapshot."""
    kind = ReconciliationDifference.Kind
    found: list[ReconciliationDifference] = []
    # A hot account's balance is its row plus its shards; both together must equal its entries.
    shard_total = (
        AccountShard.objects.filter(account=OuterRef("pk"))
        .order_by()
        .values("account")
        .annotate(total=Sum("balance"))
        .values("total")
    )
    mismatched = (
        Account.objects.annotate(
            computed=Coalesce(Sum("entries__amount"), 0),
            cached=F("balance") + Coalesce(Subquery(shard_total), 0),
        )
        .exclude(cached=F("computed"))
        .values_list("pk", "cached", "computed")
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
    for account_id, balance in AccountShard.objects.filter(balance__lt=0).values_list(
        "account_id", "balance"
    ):
        found.append(
            ReconciliationDifference(
                kind=kind.NEGATIVE_BALANCE, account_id=account_id, expected=0, actual=balance
            )
        )
    shards_total = AccountShard.objects.aggregate(total=Coalesce(Sum("balance"), 0))["total"]
    totals = {
        "ledger_total": Account.objects.aggregate(total=Coalesce(Sum("balance"), 0))["total"]
        + shards_total,
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
