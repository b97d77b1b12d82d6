"""Contract deadlines and the nightly program job on a real Celery worker, with a moved clock."""

from datetime import timedelta

import pytest
from django.utils import timezone

from apps.core.errors import Conflict
from apps.programs import services
from apps.programs.models import AgencyContract, ContractStatus, ProgramApplication, ProgramBenefit
from apps.programs.tasks import contracts_deadlines, programs_nightly
from tests.factories import UserFactory
from tests.programs.factories import (
    agency,
    contract_requested,
    contract_signed,
    fund_platform_revenue,
    growth_program,
)

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _run(task, queue: str, moment) -> dict:
    return task.apply_async(kwargs={"now": moment.isoformat()}, queue=queue).get(timeout=60)


def test_contract_deadlines_run_on_the_worker_as_the_clock_moves(worker_queue) -> None:
    now = timezone.now()
    request = contract_requested(agency(), now=now)
    creator = UserFactory()
    first = contract_signed(agency(), creator, now=now)
    services.contract_terminate_by_agency(
        agency_id=first.agency_id,
        contract_id=first.pk,
        actor=first.agency.memberships.get(role="owner").user,
        now=now,
    )
    # Six days later nothing is due: the request stands, the termination waits.
    assert _run(contracts_deadlines, worker_queue, now + timedelta(days=6)) == {
        "expired": 0,
        "terminated": 0,
        "completed": 0,
    }
    # The creator is still bound to the first agency: a second one cannot ask them to sign.
    other_agency = agency()
    with pytest.raises(Conflict) as refused:
        contract_requested(other_agency, creator, now=now + timedelta(days=6))
    assert refused.value.code == "contract.creator_signed"
    # Seven days after: the request expires, the termination is approved automatically.
    result = _run(contracts_deadlines, worker_queue, now + timedelta(days=7, seconds=1))
    assert result == {"expired": 1, "terminated": 1, "completed": 0}
    statuses = dict(AgencyContract.objects.values_list("pk", "status"))
    assert statuses[request.pk] == ContractStatus.EXPIRED
    assert statuses[first.pk] == ContractStatus.ENDED
    # Now the creator is free: the other agency's request can be sent and accepted.
    second = contract_requested(other_agency, creator, now=now + timedelta(days=7, seconds=2))
    accepted = services.contract_accept(
        contract_id=second.pk, user=creator, now=now + timedelta(days=7, seconds=2)
    )
    assert accepted.status == ContractStatus.ACTIVE
    # Running it again moves nothing.
    assert _run(contracts_deadlines, worker_queue, now + timedelta(days=8)) == {
        "expired": 0,
        "terminated": 0,
        "completed": 0,
    }
    # The term's end completes the contract.
    result = _run(contracts_deadlines, worker_queue, accepted.active_until)
    assert result["completed"] == 1


def test_nightly_programs_job_invites_and_grants_once_on_the_worker(worker_queue) -> None:
    fund_platform_revenue(10_000)
    program = growth_program(min_fans=0, promotion_credit_fen=500, badge="新星")
    creators = [UserFactory() for _ in range(3)]
    now = timezone.now()
    first = _run(programs_nightly, worker_queue, now)
    assert first["invited"][program.key] >= 3
    application = ProgramApplication.objects.get(program=program, creator=creators[0])
    assert application.status == "invited"
    assert _run(programs_nightly, worker_queue, now)["invited"][program.key] == 0
    application.status = "approved"
    application.save()
    assert _run(programs_nightly, worker_queue, now)["granted"] == 1
    assert _run(programs_nightly, worker_queue, now)["granted"] == 0
    assert ProgramBenefit.objects.filter(application=application).count() == 1
