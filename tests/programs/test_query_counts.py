"""Programs endpoints make the same number of queries for 1 and for many rows."""

from collections.abc import Callable

import pytest
from rest_framework.test import APIClient

from apps.analytics.days import local_yesterday
from apps.analytics.models import CreatorDaily
from apps.ledger import services as ledger
from apps.ledger.services import Owner
from apps.programs import services
from apps.programs.models import Course, Lesson, ListeningSession
from tests.factories import UserFactory
from tests.ledger.factories import funded_user
from tests.programs.factories import (
    agency,
    contract_requested,
    contract_signed,
    growth_program,
    program_operator,
    public_class,
    registration,
)

pytestmark = pytest.mark.django_db


def _dashboard(viewer, n: int) -> str:
    organisation = agency(viewer)
    sender = funded_user(100 * n)
    for i in range(n):
        contract = contract_signed(organisation)
        CreatorDaily.objects.create(creator_id=contract.creator_id, day=local_yesterday(), views=9)
        ledger.gift(
            sender=Owner.user(sender.pk),
            recipient=Owner.user(contract.creator_id),
            amount=100,
            fee_rate="0",
            key=f"q{n}-{i}",
        )
    return f"/api/v1/organisations/{organisation.pk}/dashboard?days=30"


def _export(viewer, n: int) -> str:
    return _dashboard(viewer, n).replace("dashboard?", "dashboard/export?")


def _agency_contracts(viewer, n: int) -> str:
    organisation = agency(viewer)
    for _ in range(n):
        contract_requested(organisation)
    return f"/api/v1/organisations/{organisation.pk}/contracts?page_size=50"


def _my_contracts(viewer, n: int) -> str:
    for _ in range(n):
        contract_requested(agency(), viewer)
    return "/api/v1/contracts?page_size=50"


def _programs(viewer, n: int) -> str:
    for _ in range(n):
        growth_program()
    return "/api/v1/programs?page_size=50"


def _applications(viewer, n: int) -> str:
    for _ in range(n):
        services.program_apply(program_id=growth_program().pk, user=viewer)
    return "/api/v1/program-applications?page_size=50"


def _courses(viewer, n: int) -> str:
    for i in range(n):
        course = Course.objects.create(title=f"课程{i}", is_published=True)
        Lesson.objects.create(course=course, title="1", kind="text")
    return "/api/v1/academy/courses?page_size=50"


def _course(viewer, n: int) -> str:
    course = Course.objects.create(title="课程", is_published=True)
    for i in range(n):
        lesson = Lesson.objects.create(course=course, title=str(i), kind="text")
        services.lesson_complete(lesson_id=lesson.pk, user=viewer)
    return f"/api/v1/academy/courses/{course.pk}"


def _classes(viewer, n: int) -> str:
    for _ in range(n):
        registration(public_class(capacity=1))
    return "/api/v1/academy/classes?page_size=50"


def _registrations(viewer, n: int) -> str:
    for _ in range(n):
        registration(public_class(), viewer)
    return "/api/v1/academy/registrations?page_size=50"


def _topics(viewer, n: int) -> str:
    for i in range(n):
        services.topic_propose(user=UserFactory(), title=f"话题{i}")
    return "/api/v1/listening/topics?page_size=50"


def _sessions(viewer, n: int) -> str:
    operator = program_operator()
    for i in range(n):
        session = ListeningSession.objects.create(title=f"s{i}", held_on="2026-12-01")
        topic = services.topic_propose(user=UserFactory(), title=f"t{i}")
        services.topics_pick(session_id=session.pk, topic_ids=[topic.pk], operator=operator)
        services.topic_respond(topic_id=topic.pk, response="答", operator=operator)
        services.session_publish(session_id=session.pk, operator=operator)
    return "/api/v1/listening/sessions?page_size=50"


ENDPOINTS: dict[str, Callable] = {
    "dashboard": _dashboard,
    "dashboard-export": _export,
    "agency-contracts": _agency_contracts,
    "my-contracts": _my_contracts,
    "programs": _programs,
    "applications": _applications,
    "courses": _courses,
    "course": _course,
    "classes": _classes,
    "registrations": _registrations,
    "topics": _topics,
    "sessions": _sessions,
}


@pytest.mark.parametrize("name", sorted(ENDPOINTS))
def test_constant_queries_for_one_and_many(name: str, count_queries) -> None:
    counts = []
    for n in (1, 12):
        viewer = UserFactory()
        client = APIClient()
        client.force_authenticate(viewer)
        url = ENDPOINTS[name](viewer, n)

        def fetch(client=client, url=url) -> None:
            response = client.get(url)
            assert response.status_code == 200, response.content[:300]
            if hasattr(response, "streaming_content"):
                b"".join(response.streaming_content)

        counts.append(count_queries(fetch))
    assert counts[0] == counts[1], counts
    assert counts[0] <= 8, counts
