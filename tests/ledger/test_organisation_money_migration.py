"""Migration 0003 keeps every existing top-up and payout: rows written before it (with a user
foreign key) belong to that user afterwards, as owner and as requester."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from apps.ledger.models import PaymentIntent, Payout

BEFORE = [("ledger", "0002_database_guards")]


@pytest.mark.django_db(transaction=True)
def test_rows_written_before_the_migration_belong_to_their_user_after_it() -> None:
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old = executor.loader.project_state(BEFORE).apps
    user_model = old.get_model("accounts", "User")
    account_model = old.get_model("ledger", "Account")
    now = timezone.now()
    alice = user_model.objects.create(username="alice-before", password="!")
    bob = user_model.objects.create(username="bob-before", password="!")
    created = {}
    for user, amount in ((alice, 1_000), (bob, 2_500)):
        wallet = account_model.objects.create(owner_type="user", owner_id=user.pk, kind="wallet")
        intent = old.get_model("ledger", "PaymentIntent").objects.create(
            reference=f"pi_before_{user.pk}",
            user_id=user.pk,
            account=wallet,
            provider="sandbox",
            amount=amount,
            expires_at=now,
        )
        payout = old.get_model("ledger", "Payout").objects.create(
            user_id=user.pk,
            amount=amount,
            method="alipay",
            account_name=user.username,
            account_number="acct0001",
        )
        created[user.pk] = (intent.pk, payout.pk, wallet.pk)

    executor = MigrationExecutor(connection)  # reload the graph: the old one is applied now
    executor.migrate(executor.loader.graph.leaf_nodes())  # 0003 and anything after it
    for user_id, (intent_id, payout_id, wallet_id) in created.items():
        intent = PaymentIntent.objects.get(pk=intent_id)
        payout = Payout.objects.get(pk=payout_id)
        assert (intent.owner_type, intent.owner_id, intent.requested_by_id) == (
            "user",
            user_id,
            user_id,
        )
        assert intent.account_id == wallet_id
        assert (payout.owner_type, payout.owner_id, payout.requested_by_id) == (
            "user",
            user_id,
            user_id,
        )
    # The generalised columns are NOT NULL and indexed by owner.
    with connection.cursor() as cursor:
        indexes = connection.introspection.get_constraints(cursor, "ledger_payout")
    assert "payout_owner_idx" in indexes
    assert "payout_user_idx" not in indexes
