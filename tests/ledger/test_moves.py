"""Named moves: their legs, their refusals (409, nothing written) and their keys."""

from decimal import Decimal

import pytest

from apps.core.errors import Conflict, InvalidInput, NotFound
from apps.ledger import selectors, services
from apps.ledger.models import AccountKind, AccountShard, Entry, OwnerType, Transaction
from apps.ledger.services import Owner
from tests.factories import UserFactory
from tests.ledger.factories import available, book_is_consistent, funded_user

pytestmark = pytest.mark.django_db

CONTRACT = Owner.contract(501)


def _legs(posted: Transaction) -> dict[tuple[str, int, str], int]:
    return {
        (e.account.owner_type, e.account.owner_id, e.account.kind): e.amount
        for e in posted.entries.select_related("account")
    }


def _revenue() -> int:
    return selectors.account_balance(
        owner_type=OwnerType.PLATFORM, owner_id=0, kind=AccountKind.PLATFORM_REVENUE
    )


def test_escrow_open_release_refund_and_spend_move_the_stated_legs() -> None:
    brand, creator = funded_user(100_000), UserFactory()
    opened = services.escrow_open(
        owner=CONTRACT, payer=Owner.user(brand.pk), amount=50_000, fee=1_000, key="c501"
    )
    assert _legs(opened) == {
        ("user", brand.pk, "wallet"): -51_000,
        ("contract", 501, "escrow"): 50_000,
        ("platform", 0, "platform_revenue"): 1_000,
    }
    released = services.escrow_release(
        escrow=CONTRACT, payee=Owner.user(creator.pk), amount=30_000, fee=3_000, key="r1"
    )
    assert _legs(released) == {
        ("contract", 501, "escrow"): -30_000,
        ("user", creator.pk, "wallet"): 27_000,
        ("platform", 0, "platform_revenue"): 3_000,
    }
    services.escrow_refund(escrow=CONTRACT, amount=5_000, key="f1")
    services.spend(escrow=CONTRACT, amount=4_000, key="s1")
    assert selectors.escrow_balance(contract=501) == 50_000 - 30_000 - 5_000 - 4_000
    assert available(brand) == 100_000 - 51_000 + 5_000
    assert available(creator) == 27_000
    assert _revenue() == 4_000
    assert (
        selectors.account_balance(
            owner_type=OwnerType.PLATFORM, owner_id=0, kind=AccountKind.PROMOTION_SPEND
        )
        == 4_000
    )
    book_is_consistent()
    assert services.reconciliation_run().is_clean


def test_a_release_beyond_the_escrow_is_refused_with_409_and_writes_nothing() -> None:
    brand = funded_user(10_000)
    services.escrow_open(owner=CONTRACT, payer=Owner.user(brand.pk), amount=3_000, key="o")
    before = Transaction.objects.count()
    with pytest.raises(services.InsufficientFunds) as refused:
        services.escrow_release(
            escrow=CONTRACT, payee=Owner.user(UserFactory().pk), amount=3_001, key="too-much"
        )
    assert refused.value.code == "escrow.insufficient_funds"
    assert refused.value.status == 409
    with pytest.raises(services.InsufficientFunds) as refused:
        services.spend(escrow=CONTRACT, amount=3_001, key="too-much")
    assert refused.value.code == "escrow.insufficient_funds"
    assert Transaction.objects.count() == before
    assert selectors.escrow_balance(contract=501) == 3_000


def test_a_repeated_key_returns_the_first_transaction_and_moves_nothing() -> None:
    brand, creator = funded_user(10_000), UserFactory()
    services.escrow_open(owner=CONTRACT, payer=Owner.user(brand.pk), amount=5_000, key="o")
    first = services.escrow_release(
        escrow=CONTRACT, payee=Owner.user(creator.pk), amount=1_000, key="once"
    )
    again = services.escrow_release(
        escrow=CONTRACT, payee=Owner.user(creator.pk), amount=1_000, key="once"
    )
    assert again.pk == first.pk
    assert available(creator) == 1_000
    assert selectors.escrow_balance(contract=501) == 4_000


def test_escrow_split_must_take_the_whole_balance() -> None:
    brand, creator = funded_user(10_000), UserFactory()
    services.escrow_open(owner=CONTRACT, payer=Owner.user(brand.pk), amount=6_000, key="o")
    shares = [(Owner.user(brand.pk), 2_000), (Owner.user(creator.pk), 3_000)]
    with pytest.raises(Conflict) as refused:
        services.escrow_split(escrow=CONTRACT, shares=shares, key="half")
    assert refused.value.code == "escrow.split_mismatch"
    assert selectors.escrow_balance(contract=501) == 6_000
    with pytest.raises(services.InsufficientFunds):
        services.escrow_split(
            escrow=CONTRACT, shares=[*shares, (Owner.user(UserFactory().pk), 1_001)], key="x"
        )
    split = services.escrow_split(
        escrow=CONTRACT,
        shares=[(Owner.user(brand.pk), 2_000), (Owner.user(creator.pk), 4_000)],
        key="decided",
    )
    assert split.kind == "escrow_split"
    assert selectors.escrow_balance(contract=501) == 0
    assert (available(brand), available(creator)) == (10_000 - 6_000 + 2_000, 4_000)
    book_is_consistent()


def test_commission_accrues_pending_then_settles_or_reverses_once() -> None:
    seller, creator = funded_user(20_000), UserFactory()
    payee = Owner.user(creator.pk)
    for order in (1, 2):
        services.commission_accrue(
            order=order, payee=payee, amount=1_500, source=Owner.user(seller.pk)
        )
    pending = selectors.account_balance(
        owner_type="user", owner_id=creator.pk, kind=AccountKind.PENDING_COMMISSION
    )
    assert pending == 3_000
    services.commission_settle(order=1, payee=payee)
    services.commission_reverse(order=2, payee=payee)
    assert available(creator) == 1_500
    assert available(seller) == 20_000 - 1_500
    with pytest.raises(Conflict) as refused:
        services.commission_reverse(order=1, payee=payee)
    assert refused.value.code == "commission.already_settled"
    assert services.commission_settle(order=1, payee=payee).kind == "commission_settle"
    with pytest.raises(NotFound):
        services.commission_settle(order=3, payee=payee)
    book_is_consistent()


def test_gift_fee_is_rounded_down_to_whole_fen() -> None:
    assert services.gift_fee(999, Decimal("0.3")) == 299
    assert services.gift_fee(1, "0.5") == 0
    with pytest.raises(InvalidInput):
        services.gift_fee(100, "1")
    sender, host = funded_user(5_000), UserFactory()
    posted = services.gift(
        sender=Owner.user(sender.pk),
        recipient=Owner.user(host.pk),
        amount=999,
        fee_rate="0.3",
        key="g1",
    )
    assert _legs(posted) == {
        ("user", sender.pk, "wallet"): -999,
        ("user", host.pk, "wallet"): 700,
        ("platform", 0, "platform_revenue"): 299,
    }
    with pytest.raises(Conflict):
        services.gift(
            sender=Owner.user(sender.pk),
            recipient=Owner.user(sender.pk),
            amount=1,
            fee_rate="0",
            key="self",
        )


# Credits land on shards only on PostgreSQL; the portable path folds them into the row.
@pytest.mark.postgres
def test_gifts_to_a_hot_host_land_on_shards_and_read_exactly() -> None:
    host = UserFactory()
    services.account_make_hot(account=services.user_wallet(host.pk), shards=4)
    senders = [funded_user(1_000) for _ in range(6)]
    for index, sender in enumerate(senders):
        services.gift(
            sender=Owner.user(sender.pk),
            recipient=Owner.user(host.pk),
            amount=100,
            fee_rate="0.2",
            key=f"g{index}",
        )
    wallet = services.user_wallet(host.pk)
    assert wallet.balance == 0  # every credit went to a shard
    assert sum(AccountShard.objects.filter(account=wallet).values_list("balance", flat=True)) == 480
    assert available(host) == 480
    assert _revenue() == 120
    # A debit of the hot wallet folds its shards back and is checked on the total.
    with pytest.raises(services.InsufficientFunds):
        services.gift(
            sender=Owner.user(host.pk),
            recipient=Owner.user(senders[0].pk),
            amount=481,
            fee_rate="0",
            key="too-much",
        )
    services.gift(
        sender=Owner.user(host.pk),
        recipient=Owner.user(senders[0].pk),
        amount=480,
        fee_rate="0",
        key="all",
    )
    assert available(host) == 0
    assert not AccountShard.objects.filter(account=wallet, balance__gt=0).exists()
    book_is_consistent()
    assert services.reconciliation_run().is_clean


def test_a_gift_batch_posts_each_gift_on_its_own() -> None:
    host, rich, poor = UserFactory(), funded_user(1_000), funded_user(100)
    services.account_make_hot(account=services.user_wallet(host.pk), shards=2)
    gifts = [
        services.Gift(Owner.user(rich.pk), Owner.user(host.pk), 300, "0.1", "b1"),
        services.Gift(Owner.user(poor.pk), Owner.user(host.pk), 101, "0.1", "b2"),
        services.Gift(Owner.user(rich.pk), Owner.user(host.pk), 300, "0.1", "b3"),
        services.Gift(Owner.user(rich.pk), Owner.user(host.pk), 300, "0.1", "b1"),
    ]
    results = services.gift_batch(gifts=gifts)
    assert isinstance(results[1], services.InsufficientFunds)
    assert results[3].pk == results[0].pk
    assert available(host) == 540
    assert (available(rich), available(poor)) == (400, 100)
    again = services.gift_batch(gifts=gifts[:1])
    assert again[0].pk == results[0].pk
    balances = sorted(
        Entry.objects.filter(account=services.user_wallet(host.pk)).values_list(
            "balance_after", flat=True
        )
    )
    assert len(balances) == 2 and all(b > 0 for b in balances)
    book_is_consistent()
    assert services.reconciliation_run().is_clean


def test_revenue_share_takes_the_agency_cut_once() -> None:
    creator, agency_owner = UserFactory(), UserFactory()
    income = services.gift(
        sender=Owner.user(funded_user(10_000).pk),
        recipient=Owner.user(creator.pk),
        amount=10_000,
        fee_rate="0.3",
        key="income",
    )
    with pytest.raises(InvalidInput):
        services.revenue_share(income_tx=income, shares=[(Owner.user(agency_owner.pk), 7_001)])
    shared = services.revenue_share(income_tx=income, shares=[(Owner.user(agency_owner.pk), 2_100)])
    assert (
        services.revenue_share(income_tx=income, shares=[(Owner.user(agency_owner.pk), 2_100)]).pk
        == shared.pk
    )
    assert (available(creator), available(agency_owner)) == (4_900, 2_100)
    book_is_consistent()


@pytest.mark.parametrize(
    "call",
    [
        lambda: services.escrow_open(owner=Owner.user(1), payer=Owner.user(1), amount=1, key="k"),
        lambda: services.escrow_open(owner=CONTRACT, payer=Owner.user(1), amount=0, key="k"),
        lambda: services.escrow_release(
            escrow=CONTRACT, payee=Owner.user(1), amount=10, fee=10, key="k"
        ),
        lambda: services.spend(escrow=CONTRACT, amount=10, key=""),
        lambda: services.gift(
            sender=Owner.user(1), recipient=Owner.user(2), amount=10, fee_rate="-0.1", key="k"
        ),
    ],
)
def test_bad_input_is_a_400_and_writes_nothing(call) -> None:
    with pytest.raises(InvalidInput) as refused:
        call()
    assert refused.value.status == 400
    assert not Transaction.objects.exists()
