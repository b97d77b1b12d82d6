"""Agency contracts: requests, acceptance, one running agency, termination, the machine."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from apps.core.errors import Conflict, Forbidden, InvalidInput, NotFound
from apps.core.states import IllegalTransition
from apps.notifications.models import Notification
from apps.programs import services
from apps.programs.models import CONTRACT_MACHINE, AgencyContract, ContractEvent, ContractStatus
from tests.accounts.organisation_factories import add_member, make_organisation
from tests.factories import UserFactory
from tests.programs.factories import agency, contract_requested, contract_signed

pytestmark = pytest.mark.django_db


def test_request_notifies_the_creator_and_expires_in_seven_days(
    django_capture_on_commit_callbacks,
) -> None:
    organisation, now = agency(), timezone.now()
    with django_capture_on_commit_callbacks(execute=True):
        contract = contract_requested(organisation, now=now)
    assert contract.status == ContractStatus.REQUESTED
    assert contract.expires_at == now + timedelta(days=7)
    notification = Notification.objects.get(recipient=contract.creator)
    assert notification.kind == "contract.requested"
    assert notification.payload["contract_id"] == contract.pk
    assert list(contract.events.values_list("action", flat=True)) == ["request"]


@pytest.mark.parametrize("share", ["-0.0001", "0.5001", "1"])
def test_share_outside_zero_to_half_is_refused(share: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        contract_requested(agency(), share=share)
    assert refused.value.code == "contract.share_out_of_range"
    assert not AgencyContract.objects.exists()


@pytest.mark.parametrize("share", ["0", "0.5"])
def test_share_bounds_are_accepted(share: str) -> None:
    assert contract_requested(agency(), share=share).revenue_share == Decimal(share)


def test_only_verified_mcn_agencies_by_owner_or_manager_request() -> None:
    brand = make_organisation(UserFactory(), kind="brand", verified=True)
    with pytest.raises(Conflict) as refused:
        contract_requested(brand)
    assert refused.value.code == "contract.not_agency"
    with pytest.raises(Conflict) as refused:
        contract_requested(agency(verified=False))
    assert refused.value.code == "organisation.not_verified"
    organisation = agency()
    viewer = add_member(organisation, "viewer")
    with pytest.raises(Forbidden):
        services.contract_request(
            agency_id=organisation.pk,
            actor=viewer,
            creator_id=UserFactory().pk,
            revenue_share=Decimal("0.1"),
            starts_on=timezone.now().date(),
            term_months=6,
            data_sharing=False,
        )
    assert not AgencyContract.objects.exists()


def test_a_second_pending_request_to_the_same_creator_is_refused() -> None:
    organisation, creator = agency(), UserFactory()
    contract_requested(organisation, creator)
    with pytest.raises(Conflict) as refused:
        contract_requested(organisation, creator)
    assert refused.value.code == "contract.already_requested"


def test_accept_sets_the_running_window_and_tells_the_agency(
    django_capture_on_commit_callbacks,
) -> None:
    organisation, now = agency(), timezone.now()
    with django_capture_on_commit_callbacks(execute=True):
        contract = contract_signed(organisation, now=now)
    assert contract.status == ContractStatus.ACTIVE
    assert contract.active_from == now  # the start date is in the past
    assert contract.active_until.year == now.year + 1
    owner = organisation.memberships.get(role="owner").user
    assert Notification.objects.filter(recipient=owner, kind="contract.accepted").exists()


def test_one_running_agency_per_creator() -> None:
    creator = UserFactory()
    first, second = agency(), agency()
    pending = contract_requested(second, creator)
    contract_signed(first, creator)
    with pytest.raises(Conflict) as refused:
        services.contract_accept(contract_id=pending.pk, user=creator)
    assert refused.value.code == "contract.creator_signed"
    pending.refresh_from_db()
    assert pending.status == ContractStatus.REQUESTED
    with pytest.raises(Conflict) as refused:
        contract_requested(agency(), creator)
    assert refused.value.code == "contract.creator_signed"


def test_an_expired_request_cannot_be_accepted() -> None:
    now = timezone.now()
    contract = contract_requested(agency(), now=now - timedelta(days=8))
    with pytest.raises(Conflict) as refused:
        services.contract_accept(contract_id=contract.pk, user=contract.creator, now=now)
    assert refused.value.code == "contract.expired"


def test_another_users_contract_is_not_found() -> None:
    contract = contract_requested(agency())
    with pytest.raises(NotFound):
        services.contract_accept(contract_id=contract.pk, user=UserFactory())


def test_termination_accepted_by_the_other_side_ends_at_once() -> None:
    organisation = agency()
    contract = contract_signed(organisation)
    owner = organisation.memberships.get(role="owner").user
    contract = services.contract_terminate_by_creator(
        contract_id=contract.pk, user=contract.creator
    )
    assert contract.status == ContractStatus.TERMINATING
    assert contract.termination_requested_by == "creator"
    with pytest.raises(Conflict) as refused:
        services.contract_terminate_by_creator(contract_id=contract.pk, user=contract.creator)
    assert refused.value.code == "contract.termination_pending"
    contract = services.contract_terminate_by_agency(
        agency_id=organisation.pk, contract_id=contract.pk, actor=owner
    )
    assert contract.status == ContractStatus.ENDED
    assert contract.ended_at is not None
    assert list(contract.events.values_list("action", flat=True)) == [
        "request",
        "accept",
        "request_termination",
        "accept_termination",
    ]


def test_deadlines_expire_terminate_and_complete() -> None:
    now = timezone.now()
    expiring = contract_requested(agency(), now=now - timedelta(days=7, seconds=1))
    fresh = contract_requested(agency(), now=now - timedelta(days=6, hours=23))
    terminating = contract_signed(agency(), now=now - timedelta(days=30))
    services.contract_terminate_by_creator(
        contract_id=terminating.pk, user=terminating.creator, now=now - timedelta(days=7)
    )
    assert services.contracts_expire_due(now=now) == 1
    assert services.contracts_terminate_due(now=now) == 1
    assert services.contracts_complete_due(now=now) == 0
    assert services.contracts_complete_due(now=now + timedelta(days=400)) == 0  # already ended
    statuses = dict(AgencyContract.objects.values_list("pk", "status"))
    assert statuses[expiring.pk] == ContractStatus.EXPIRED
    assert statuses[fresh.pk] == ContractStatus.REQUESTED
    assert statuses[terminating.pk] == ContractStatus.ENDED
    running = contract_signed(agency(), now=now)
    assert services.contracts_complete_due(now=running.active_until) == 1
    running.refresh_from_db()
    assert running.status == ContractStatus.ENDED
    assert ContractEvent.objects.filter(contract=running, action="complete_term").exists()


@pytest.mark.parametrize(("state", "action"), list(CONTRACT_MACHINE.pairs()))
def test_every_pair_of_the_machine(state: str, action: str) -> None:
    contract = AgencyContract(status=state)
    if CONTRACT_MACHINE.allows(state, action):
        CONTRACT_MACHINE.move(contract, action)
        assert contract.status == CONTRACT_MACHINE.transitions[(state, action)]
    else:
        with pytest.raises(IllegalTransition) as refused:
            CONTRACT_MACHINE.move(contract, action)
        assert refused.value.code == "agency_contract.illegal_transition"
        assert contract.status == state


def test_declining_a_declined_contract_is_409_and_writes_nothing(api) -> None:
    contract = contract_requested(agency())
    services.contract_decline(contract_id=contract.pk, user=contract.creator)
    events = ContractEvent.objects.count()
    with pytest.raises(IllegalTransition):
        services.contract_decline(contract_id=contract.pk, user=contract.creator)
    assert ContractEvent.objects.count() == events
