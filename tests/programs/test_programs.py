"""Growth programs: eligibility at each rule's boundary, applications, benefits granted once."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from apps.accounts.models import Profile
from apps.analytics.days import local_today
from apps.analytics.models import CreatorDaily
from apps.core.errors import Conflict, Forbidden, InvalidInput
from apps.ledger.models import Transaction, TransactionKind
from apps.notifications.models import Notification
from apps.programs import selectors, services
from apps.programs.eligibility import eligible_creators
from apps.programs.models import ProgramApplication, ProgramBenefit
from tests.concurrency import run_concurrently
from tests.factories import UserFactory
from tests.ledger.factories import available
from tests.moderation.factories import strike_user
from tests.notes.factories import NoteFactory, category
from tests.programs.factories import (
    agency,
    contract_signed,
    fund_platform_revenue,
    growth_program,
    program_operator,
)

pytestmark = pytest.mark.django_db


def _eligible(program, *users) -> set[int]:
    ids = {user.pk for user in users}
    return set(eligible_creators(program).filter(user_id__in=ids).values_list("user_id", flat=True))


def _fans(user, count: int):
    Profile.objects.filter(user=user).update(fans_count=count)
    return user


def test_min_fans_boundary() -> None:
    program = growth_program(min_fans=1_000)
    at, below = _fans(UserFactory(), 1_000), _fans(UserFactory(), 999)
    assert _eligible(program, at, below) == {at.pk}


def test_min_notes_in_thirty_days_boundary_and_categories() -> None:
    beauty, food = category("beauty"), category("food")
    program = growth_program(min_notes_30d=2, categories=[beauty])
    now = timezone.now()
    enough, short, old, elsewhere = (UserFactory() for _ in range(4))
    NoteFactory.create_batch(
        2, author=enough, category=beauty, published_at=now - timedelta(days=29)
    )
    NoteFactory(author=short, category=beauty)
    NoteFactory(author=old, category=beauty)
    NoteFactory(author=old, category=beauty, published_at=now - timedelta(days=30, minutes=1))
    NoteFactory.create_batch(3, author=elsewhere, category=food)
    assert _eligible(program, enough, short, old, elsewhere) == {enough.pk}
    # Categories alone ask for at least one note there.
    any_note = growth_program(categories=[food])
    assert _eligible(any_note, enough, elsewhere) == {elsewhere.pk}


def test_engagement_rate_boundary() -> None:
    program = growth_program(min_engagement_rate=Decimal("0.05"))
    day = local_today() - timedelta(days=1)
    at, below, silent = UserFactory(), UserFactory(), UserFactory()
    CreatorDaily.objects.create(creator_id=at.pk, day=day, views=100, engagements=5)
    CreatorDaily.objects.create(creator_id=below.pk, day=day, views=1_000, engagements=49)
    CreatorDaily.objects.create(
        creator_id=below.pk, day=day - timedelta(days=30), views=1, engagements=1
    )  # outside the window
    assert _eligible(program, at, below, silent) == {at.pk}


def test_active_strikes_and_agency_requirements() -> None:
    struck, clean, signed = UserFactory(), UserFactory(), UserFactory()
    strike_user(user=struck)
    contract_signed(agency(), signed)
    assert _eligible(growth_program(), struck, clean, signed) == {clean.pk, signed.pk}
    assert _eligible(growth_program(no_active_strikes=False), struck, clean) == {
        struck.pk,
        clean.pk,
    }
    assert _eligible(growth_program(agency_requirement="signed"), clean, signed) == {signed.pk}
    assert _eligible(growth_program(agency_requirement="unsigned"), clean, signed) == {clean.pk}


def test_nightly_invitations_are_inserted_once_and_notified(
    django_capture_on_commit_callbacks,
) -> None:
    program = growth_program(min_fans=10)
    invited, other = _fans(UserFactory(), 10), UserFactory()
    with django_capture_on_commit_callbacks(execute=True):
        first = services.programs_invite_eligible()
    assert first[program.key] == 1
    assert services.programs_invite_eligible()[program.key] == 0
    application = ProgramApplication.objects.get(program=program)
    assert (application.creator_id, application.status) == (invited.pk, "invited")
    assert Notification.objects.filter(recipient=invited, kind="programs.invited").count() == 1
    assert not ProgramApplication.objects.filter(creator=other).exists()


def test_apply_from_invitation_or_directly_when_eligible() -> None:
    program = growth_program(min_fans=10)
    invited, eligible, not_eligible = (_fans(UserFactory(), n) for n in (10, 10, 9))
    services.programs_invite_eligible()
    assert services.program_apply(program_id=program.pk, user=invited).status == "applied"
    assert services.program_apply(program_id=program.pk, user=eligible).status == "applied"
    with pytest.raises(Conflict) as refused:
        services.program_apply(program_id=program.pk, user=not_eligible)
    assert refused.value.code == "program.not_eligible"
    with pytest.raises(Conflict) as refused:
        services.program_apply(program_id=program.pk, user=invited)
    assert refused.value.code == "program_application.illegal_transition"


def _applied(program, user=None) -> ProgramApplication:
    return services.program_apply(program_id=program.pk, user=user or UserFactory())


def test_operators_decide_with_reasons_and_benefits_follow_approval() -> None:
    fund_platform_revenue(5_000)
    program = growth_program(
        promotion_credit_fen=2_000, badge="成长之星", boost_weight=Decimal("1.5")
    )
    operator, application = program_operator(), _applied(program)
    with pytest.raises(Forbidden):
        services.application_approve(application_id=application.pk, operator=UserFactory())
    with pytest.raises(Forbidden):
        services.application_approve(application_id=application.pk, operator=application.creator)
    services.application_approve(application_id=application.pk, operator=operator)
    assert available(application.creator) == 2_000
    assert selectors.creator_badges(user_ids=[application.creator_id])[application.creator_id] == [
        {"program_key": program.key, "badge": "成长之星", "boost_weight": Decimal("1.50")}
    ]
    rejected = _applied(program)
    with pytest.raises(InvalidInput):
        services.application_reject(application_id=rejected.pk, operator=operator, reason=" ")
    services.application_reject(application_id=rejected.pk, operator=operator, reason="内容不垂直")
    rejected.refresh_from_db()
    assert (rejected.status, rejected.reason) == ("rejected", "内容不垂直")
    assert not ProgramBenefit.objects.filter(application=rejected).exists()
    # Leaving revokes badge and boost; the credits stay given.
    services.application_leave(application_id=application.pk, user=application.creator)
    assert selectors.creator_badges(user_ids=[application.creator_id]) == {}
    assert available(application.creator) == 2_000


def test_removal_revokes_and_approval_waits_for_platform_money() -> None:
    program = growth_program(promotion_credit_fen=1_000, badge="IP")
    operator, application = program_operator(), _applied(program)
    services.application_approve(application_id=application.pk, operator=operator)
    assert not ProgramBenefit.objects.exists()  # the platform has not earned 10.00 yet
    assert services.benefits_grant_due() == 0
    fund_platform_revenue(1_000)
    assert services.benefits_grant_due() == 1
    assert services.benefits_grant_due() == 0
    services.application_remove(application_id=application.pk, operator=operator, reason="违规")
    assert ProgramBenefit.objects.get().revoked_at is not None
    assert Transaction.objects.filter(kind=TransactionKind.PLATFORM_CREDIT).count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_benefits_granted_exactly_once_when_the_job_runs_concurrently() -> None:
    fund_platform_revenue(100_000)
    program = growth_program(promotion_credit_fen=700, badge="明日之星")
    applications = [_applied(program) for _ in range(5)]
    ProgramApplication.objects.filter(pk__in=[a.pk for a in applications]).update(status="approved")
    results = run_concurrently([services.benefits_grant_due for _ in range(6)])
    assert not [result for result in results if isinstance(result, Exception)], results
    assert sum(results) == 5
    assert services.benefits_grant_due() == 0
    assert ProgramBenefit.objects.count() == 5
    assert Transaction.objects.filter(kind=TransactionKind.PLATFORM_CREDIT).count() == 5
    assert [available(a.creator) for a in applications] == [700] * 5
