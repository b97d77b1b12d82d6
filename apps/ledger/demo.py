"""Demo wallets with history for ``manage.py seed_demo``: top-ups, tips, payouts, a report.

Everything goes through the ledger's own services (sandbox top-ups with signed webhooks,
transfers, payout requests and operator decisions), so the demo book reconciles like a real one.
Idempotent: a user who already has a top-up is left alone.
"""

from django.conf import settings
from django.contrib.auth import get_user_model

from apps.core.errors import DomainError
from apps.core.seeding import DemoContext
from apps.ledger import demo_organisations, services
from apps.ledger.models import OwnerType, PaymentIntent, ReconciliationReport

CREATORS_WITH_WALLETS = 12
TIPPING_FANS = 10


def _top_up(user, amount: int) -> None:
    intent = services.payment_intent_create(user=user, amount=amount, provider="sandbox")
    services.sandbox_payment_complete(intent=intent, succeed=True)


def seed(ctx: DemoContext) -> None:
    if not settings.LEDGER_SANDBOX_ENABLED:
        ctx.stdout.write("ledger demo skipped: the sandbox payment provider is disabled")
        return
    users = get_user_model().objects.in_bulk([*ctx.user_ids, ctx.demo_user_id])
    already = set(
        PaymentIntent.objects.filter(owner_type=OwnerType.USER, owner_id__in=users).values_list(
            "owner_id", flat=True
        )
    )
    operator = get_user_model().objects.filter(username="admin").first()
    rng = ctx.rng
    demo = users[ctx.demo_user_id]
    creators = [users[i] for i in ctx.creator_ids[:CREATORS_WITH_WALLETS]]
    fans = [users[i] for i in ctx.user_ids[len(ctx.creator_ids) :]][:TIPPING_FANS]

    for fan in fans:
        if fan.pk not in already:
            _top_up(fan, rng.choice([20_000, 50_000, 100_000]))
    for creator in [demo, *creators]:
        if creator.pk in already:
            continue
        for _ in range(rng.randint(1, 3)):
            _top_up(creator, rng.choice([10_000, 30_000, 88_800]))
        for fan in rng.sample(fans, min(len(fans), rng.randint(2, 5))):
            try:
                services.wallet_transfer(
                    sender=fan, recipient_id=creator.pk, amount=rng.choice([500, 1_000, 6_600])
                )
            except DomainError:  # a block between the two, or a fan out of money
                continue
        paid = services.payout_request(
            user=creator,
            amount=5_000,
            method="alipay",
            account_name=creator.username,
            account_number=f"demo{creator.pk:08d}@example.com",
        )
        if operator is not None:  # decisions need an operator (never the requester)
            services.payout_approve(payout_id=paid.pk, operator=operator, note="demo")
            services.payout_mark_paid(payout_id=paid.pk, operator=operator, note="demo batch")
        services.payout_request(
            user=creator,
            amount=rng.choice([1_000, 2_000, 3_000]),
            method=rng.choice(["alipay", "wechat", "bank_card"]),
            account_name=creator.username,
            account_number=f"6222{creator.pk:012d}",
        )
    if creators and creators[0].pk not in already:
        services.wallet_transfer(sender=creators[0], recipient_id=demo.pk, amount=1_200)
    demo_organisations.seed(ctx)
    if not ReconciliationReport.objects.exists():
        services.reconciliation_run()  # operators find a first report in the admin
