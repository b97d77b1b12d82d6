"""Route checks for the creator's side of programs and the academy (collected by tests/core).

Every object route answers 404 (or, for hosts' routes, 403) to another user and changes
nothing of the victim's; public lists show nothing unpublished, revoked or unanswered.
"""

from apps.programs import services
from apps.programs.models import (
    AgencyContract,
    ClassRegistration,
    Course,
    GrowthProgram,
    Lesson,
    LessonProgress,
    ListeningSession,
    ListeningTopic,
    ProgramApplication,
    TopicVote,
)
from tests.programs.factories import (
    agency,
    contract_requested,
    contract_signed,
    growth_program,
    program_operator,
    public_class,
    registration,
)


def _my_contracts(client, victim) -> None:
    contract_requested(agency(), victim)
    assert client.get("/api/v1/contracts").json()["results"] == []


def _contract_action(action: str, signed: bool):
    def check(client, victim) -> None:
        contract = (
            contract_signed(agency(), victim) if signed else contract_requested(agency(), victim)
        )
        response = client.post(f"/api/v1/contracts/{contract.pk}/{action}")
        assert response.status_code == 404
        assert response.json()["error"]["code"] == "contract.not_found"
        assert AgencyContract.objects.get(pk=contract.pk).status == contract.status

    return check


def _victim_application(victim) -> ProgramApplication:
    program = growth_program()
    return services.program_apply(program_id=program.pk, user=victim)


def _program_list(client, victim) -> None:
    growth_program(is_active=False, key="closed")
    shown = growth_program(key="open")
    keys = [row["key"] for row in client.get("/api/v1/programs").json()["results"]]
    assert keys == [shown.key]


def _program_apply(client, victim) -> None:
    application = _victim_application(victim)
    response = client.post(f"/api/v1/programs/{application.program_id}/apply")
    assert response.status_code == 201
    assert response.json()["id"] != application.pk
    assert ProgramApplication.objects.get(pk=application.pk).status == "applied"
    hidden = growth_program(is_active=False, key="hidden")
    assert client.post(f"/api/v1/programs/{hidden.pk}/apply").status_code == 404


def _my_applications(client, victim) -> None:
    _victim_application(victim)
    assert client.get("/api/v1/program-applications").json()["results"] == []


def _application_leave(client, victim) -> None:
    application = _victim_application(victim)
    response = client.post(f"/api/v1/program-applications/{application.pk}/leave")
    assert response.status_code == 404
    assert ProgramApplication.objects.get(pk=application.pk).status == "applied"


def _user_badges(client, victim) -> None:
    application = _victim_application(victim)
    services.application_approve(application_id=application.pk, operator=program_operator())
    GrowthProgram.objects.filter(pk=application.program_id).update(badge="x")
    services.application_leave(application_id=application.pk, user=victim)
    assert client.get(f"/api/v1/users/{victim.pk}/program-badges").json() == []


def _courses() -> tuple[Course, Course, Lesson]:
    shown = Course.objects.create(title="公开课程", is_published=True)
    hidden = Course.objects.create(title="未发布", is_published=False)
    lesson = Lesson.objects.create(course=shown, title="第一课", kind="text", body="...")
    return shown, hidden, lesson


def _course_list(client, victim) -> None:
    shown, _hidden, _ = _courses()
    ids = [row["id"] for row in client.get("/api/v1/academy/courses").json()["results"]]
    assert ids == [shown.pk]


def _course_detail(client, victim) -> None:
    shown, hidden, lesson = _courses()
    services.lesson_complete(lesson_id=lesson.pk, user=victim)
    assert client.get(f"/api/v1/academy/courses/{hidden.pk}").status_code == 404
    lessons = client.get(f"/api/v1/academy/courses/{shown.pk}").json()["lessons"]
    assert [row["completed"] for row in lessons] == [False]


def _lesson_complete(client, victim) -> None:
    _shown, hidden, lesson = _courses()
    draft = Lesson.objects.create(course=hidden, title="x", kind="text")
    services.lesson_complete(lesson_id=lesson.pk, user=victim)
    first = LessonProgress.objects.get(user=victim).completed_at
    assert client.post(f"/api/v1/academy/lessons/{draft.pk}/complete").status_code == 404
    assert client.post(f"/api/v1/academy/lessons/{lesson.pk}/complete").status_code == 200
    assert LessonProgress.objects.get(user=victim).completed_at == first


def _class_list(client, victim) -> None:
    public_class(is_published=False)
    shown = public_class()
    registration(shown, victim)
    rows = client.get("/api/v1/academy/classes").json()["results"]
    assert [(row["id"], row["seats_taken"]) for row in rows] == [(shown.pk, 1)]


def _class_register(client, victim) -> None:
    seats = public_class(capacity=1)
    mine = registration(seats, victim)
    response = client.post(f"/api/v1/academy/classes/{seats.pk}/register")
    assert response.json()["status"] == "waitlisted"
    assert ClassRegistration.objects.get(pk=mine.pk).status == "registered"
    hidden = public_class(is_published=False)
    assert client.post(f"/api/v1/academy/classes/{hidden.pk}/register").status_code == 404


def _class_check_in(client, victim) -> None:
    seats = public_class()
    mine = registration(seats, victim)
    response = client.post(
        f"/api/v1/academy/classes/{seats.pk}/check-in", {"code": mine.checkin_code}, format="json"
    )
    assert response.status_code == 403
    assert ClassRegistration.objects.get(pk=mine.pk).checked_in_at is None


def _my_registrations(client, victim) -> None:
    registration(public_class(), victim)
    assert client.get("/api/v1/academy/registrations").json()["results"] == []


def _registration_cancel(client, victim) -> None:
    mine = registration(public_class(), victim)
    response = client.post(f"/api/v1/academy/registrations/{mine.pk}/cancel")
    assert response.status_code == 404
    assert ClassRegistration.objects.get(pk=mine.pk).status == "registered"


def _topic(victim) -> ListeningTopic:
    topic = services.topic_propose(user=victim, title="如何写标题")
    session = ListeningSession.objects.create(title="倾听会", held_on="2026-12-20")
    operator = program_operator()
    services.topics_pick(session_id=session.pk, topic_ids=[topic.pk], operator=operator)
    services.topic_respond(topic_id=topic.pk, response="未公布的回答", operator=operator)
    return topic


def _listening_sessions(client, victim) -> None:
    _topic(victim)
    rows = client.get("/api/v1/listening/sessions").json()["results"]
    assert [row["topics"] for row in rows] == [[]]  # responses not published yet


def _listening_topics(client, victim) -> None:
    _topic(victim)
    rows = client.get("/api/v1/listening/topics").json()["results"]
    assert [row["response"] for row in rows] == [""]
    response = client.post("/api/v1/listening/topics", {"title": "新话题"}, format="json")
    assert response.status_code == 201
    assert response.json()["author_id"] == client.attacker.pk


def _topic_upvote(client, victim) -> None:
    topic = _topic(victim)
    services.topic_upvote(topic_id=topic.pk, user=victim)
    assert client.post(f"/api/v1/listening/topics/{topic.pk}/upvote").json()["votes"] == 2
    assert client.post(f"/api/v1/listening/topics/{topic.pk}/upvote").status_code == 409
    assert TopicVote.objects.filter(user=victim).count() == 1


ROUTE_CHECKS = {
    "programs-my-contracts": _my_contracts,
    "programs-contract-accept": _contract_action("accept", signed=False),
    "programs-contract-decline": _contract_action("decline", signed=False),
    "programs-contract-terminate": _contract_action("terminate", signed=True),
    "programs-program-list": _program_list,
    "programs-program-apply": _program_apply,
    "programs-my-applications": _my_applications,
    "programs-application-leave": _application_leave,
    "programs-user-badges": _user_badges,
    "programs-course-list": _course_list,
    "programs-course-detail": _course_detail,
    "programs-lesson-complete": _lesson_complete,
    "programs-class-list": _class_list,
    "programs-class-register": _class_register,
    "programs-class-check-in": _class_check_in,
    "programs-my-registrations": _my_registrations,
    "programs-registration-cancel": _registration_cancel,
    "programs-listening-sessions": _listening_sessions,
    "programs-listening-topics": _listening_topics,
    "programs-listening-topic-upvote": _topic_upvote,
}
