"""Ledger test helpers: money enters a wallet only the way it does in production."""

from django.conf import settings

from apps.accounts.models import User
from apps.ledger import services
from apps.ledger.models import Account, AccountShard, Entry, PaymentIntent, Payout
from apps.ledger.selectors import user_wallet_balance
from tests.factories import UserFactory


def top_up(user: User, amount: int) -> PaymentIntent:
    """A sandbox top-up paid by the user, credited through the signed webhook."""
    intent = services.payment_intent_create(user=user, amount=amount, provider="sandbox")
    return services.sandbox_payment_complete(intent=intent, succeed=True).intent


def funded_user(amount: int, **kwargs: object) -> User:
    user = UserFactory(**kwargs)
    top_up(user, amount)
    return user


def requested_payout(user: User, amount: int | None = None) -> Payout:
    amount = amount or settings.LEDGER_PAYOUT_MIN_FEN
    return services.payout_request(
        user=user,
        amount=amount,
        method="alipay",
        account_name="Lin Hai",
        account_number="linhai@example.com",
    )


def available(user: User) -> int:
    return user_wallet_balance(user=user).available


def held(user: User) -> int:
    return user_wallet_balance(user=user).held


def cached_balances() -> dict[int, int]:
    """Account id -> its row's balance plus its shards', straight from the tables."""
    from django.db.models import Sum

    balances = dict(Account.objects.values_list("pk", "balance"))
    for account_id, total in (
        AccountShard.objects.order_by()
        .values("account")
        .annotate(s=Sum("balance"))
        .values_list("account", "s")
    ):
        balances[account_id] += total
    return balances


def book_is_consistent() -> None:
    """Independent of the reconciliation service: the invariants, straight from the tables."""
    from django.db.models import Sum

    balances = cached_balances()
    assert sum(balances.values()) == 0
    sums = dict(
        Entry.objects.order_by()
        .values("account")
        .annotate(s=Sum("amount"))
        .values_list("account", "s")
    )
    for account_id, balance in balances.items():
        assert balance == sums.get(account_id, 0), account_id
    assert not Account.objects.filter(allow_negative=False, balance__lt=0).exists()
    assert not AccountShard.objects.filter(balance__lt=0).exists()
    unbalanced = (
        Entry.objects.order_by().values("transaction").annotate(s=Sum("amount")).exclude(s=0)
    )
    assert not unbalanced.exists()


def payout_operator(**kwargs: object) -> User:
    """Staff holding ``ledger.change_payout``: who may decide on payouts."""
    from django.contrib.auth.models import Permission

    operator = UserFactory(is_staff=True, **kwargs)
    operator.user_permissions.add(
        Permission.objects.get(content_type__app_label="ledger", codename="change_payout")
    )
    return User.objects.get(pk=operator.pk)  # fresh: no stale permission cache
