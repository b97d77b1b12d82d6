"""Demo organisations for ``manage.py seed_demo`` (called from ``apps/ledger/demo.py``).

One verified brand owned by ``demo`` with a funded wallet (a sandbox top-up through the signed
webhook) and a finance member, and one MCN agency waiting for verification. Everything goes
through the services; re-running finds them by name and changes nothing.
"""

from django.contrib.auth import get_user_model

from apps.accounts import organisations as organisation_services
from apps.accounts.models import Organisation
from apps.core.seeding import DemoContext
from apps.ledger import services

BRAND = "青禾护肤 Demo Brand"
MCN = "星河文化 Demo MCN"


def _create(owner, *, kind: str, name: str, licence: str) -> Organisation:
    return organisation_services.organisation_create(
        user=owner,
        kind=kind,
        name=name,
        business_licence_number=licence,
        contact_name="Demo",
        contact_phone="13800000000",
        contact_email="demo@example.com",
    )


def seed(ctx: DemoContext) -> None:
    users = get_user_model().objects
    demo = users.get(pk=ctx.demo_user_id)
    operator = users.filter(username="admin").first()
    mine = Organisation.objects.filter(created_by=demo)
    if operator is not None and not mine.filter(name=BRAND).exists():
        brand = _create(demo, kind="brand", name=BRAND, licence="91310000MA1FL8DEMO")
        if len(ctx.user_ids) > 1:
            finance = users.get(pk=ctx.user_ids[-1])
            organisation_services.membership_invite(
                organisation_id=brand.pk, actor=demo, username=finance.username, role="finance"
            )
        organisation_services.organisation_verify(
            organisation_id=brand.pk, operator=operator, reason="demo: licence checked"
        )
        intent = services.organisation_topup_create(
            organisation_id=brand.pk, user=demo, amount=2_000_000, provider="sandbox"
        )
        services.sandbox_payment_complete(intent=intent, succeed=True)
    if not mine.filter(name=MCN).exists():
        _create(demo, kind="mcn", name=MCN, licence="91440300MA5FDEMO01")
