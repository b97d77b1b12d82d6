"""Programs test data: a verified agency with members, contracts in each state, funded books."""

from datetime import date, timedelta
from decimal import Decimal

from django.contrib.auth.models import Permission
from django.utils import timezone

from apps.accounts.models import Organisation, User
from apps.ledger import services as ledger
from apps.ledger.models import AccountKind, TransactionKind
from apps.programs import services
from apps.programs.models import (
    AgencyContract,
    ClassRegistration,
    GrowthProgram,
    PublicClass,
)
from tests.accounts.organisation_factories import add_member, make_organisation
from tests.factories import UserFactory


def agency(owner: User | None = None, *, verified: bool = True) -> Organisation:
    return make_organisation(owner or UserFactory(), kind="mcn", name="星河MCN", verified=verified)


def agency_with_roles() -> tuple[Organisation, dict[str, User]]:
    owner = UserFactory()
    organisation = agency(owner)
    members = {"owner": owner}
    for role in ("manager", "finance", "viewer"):
        members[role] = add_member(organisation, role)
    return organisation, members


def contract_requested(
    organisation: Organisation,
    creator: User | None = None,
    *,
    share: str = "0.2",
    data_sharing: bool = True,
    now=None,
) -> AgencyContract:
    owner = organisation.memberships.filter(role="owner").first().user
    return services.contract_request(
        agency_id=organisation.pk,
        actor=owner,
        creator_id=(creator or UserFactory()).pk,
        revenue_share=Decimal(share),
        starts_on=date(2026, 1, 1),
        term_months=12,
        data_sharing=data_sharing,
        note="长期合作",
        now=now,
    )


def contract_signed(
    organisation: Organisation, creator: User | None = None, **kwargs: object
) -> AgencyContract:
    now = kwargs.pop("now", None) or timezone.now()
    contract = contract_requested(organisation, creator, now=now, **kwargs)
    return services.contract_accept(contract_id=contract.pk, user=contract.creator, now=now)


def fund_platform_revenue(amount: int) -> None:
    """Money the platform has earned (what program credits are paid from)."""
    accounts = ledger.accounts_for(
        [(ledger.PLATFORM, AccountKind.PROVIDER_CLEARING), (ledger.PLATFORM, "platform_revenue")]
    )
    ledger.transaction_post(
        kind=TransactionKind.TOPUP,
        legs=[
            (accounts[(ledger.PLATFORM, AccountKind.PROVIDER_CLEARING)], -amount),
            (accounts[(ledger.PLATFORM, AccountKind.PLATFORM_REVENUE)], amount),
        ],
        description="test: platform revenue",
    )


def program_operator() -> User:
    operator = UserFactory(is_staff=True)
    operator.user_permissions.add(
        Permission.objects.get(codename="change_programapplication"),
        Permission.objects.get(codename="change_listeningsession"),
    )
    return User.objects.get(pk=operator.pk)


def growth_program(**fields: object) -> GrowthProgram:
    defaults = {
        "key": f"program-{GrowthProgram.objects.count() + 1}",
        "name": "快速成长计划",
        "min_fans": 0,
        "min_notes_30d": 0,
        "min_engagement_rate": Decimal(0),
        "no_active_strikes": True,
        "promotion_credit_fen": 0,
    }
    categories = fields.pop("categories", [])
    program = GrowthProgram.objects.create(**{**defaults, **fields})
    program.categories.set(categories)
    return program


def public_class(capacity: int = 10, **fields: object) -> PublicClass:
    starts = timezone.now() + timedelta(days=3)
    defaults = {
        "title": "爆款笔记公开课",
        "mode": "offline",
        "place": "上海市静安区",
        "capacity": capacity,
        "starts_at": starts,
        "ends_at": starts + timedelta(hours=2),
    }
    return PublicClass.objects.create(**{**defaults, **fields})


def registration(public_class: PublicClass, user: User | None = None) -> ClassRegistration:
    return services.class_register(class_id=public_class.pk, user=user or UserFactory())
