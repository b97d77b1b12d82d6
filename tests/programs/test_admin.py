"""Operators' screens: pages render, decisions go through the services, videos are checked."""

import pytest
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile

from apps.programs import services
from apps.programs.academy_admin import LessonForm
from apps.programs.models import Course, ProgramApplication
from tests.factories import UserFactory
from tests.programs.factories import (
    agency,
    contract_signed,
    growth_program,
    program_operator,
    public_class,
    registration,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def operator_client(client):
    operator = program_operator()
    operator.is_superuser = True
    operator.save()
    client.force_login(operator)
    client.operator = operator
    return client


def test_every_programs_page_renders(operator_client) -> None:
    contract_signed(agency())
    registration(public_class())
    services.program_apply(program_id=growth_program().pk, user=UserFactory())
    for model in (
        "agencycontract",
        "growthprogram",
        "programapplication",
        "course",
        "publicclass",
        "classregistration",
        "listeningsession",
        "listeningtopic",
    ):
        response = operator_client.get(f"/admin/programs/{model}/")
        assert response.status_code == 200, model
        response = operator_client.get(f"/admin/programs/{model}/add/")
        assert response.status_code in (200, 403), model


def test_reject_action_needs_a_reason_and_approve_goes_through_the_service(
    operator_client,
) -> None:
    program = growth_program()
    first = services.program_apply(program_id=program.pk, user=UserFactory())
    second = services.program_apply(program_id=program.pk, user=UserFactory())
    url = "/admin/programs/programapplication/"
    operator_client.post(
        url, {"action": "reject", "_selected_action": [first.pk], "reason": ""}, follow=True
    )
    assert ProgramApplication.objects.get(pk=first.pk).status == "applied"
    operator_client.post(
        url, {"action": "reject", "_selected_action": [first.pk], "reason": "不符合"}, follow=True
    )
    operator_client.post(url, {"action": "approve", "_selected_action": [second.pk]}, follow=True)
    statuses = dict(ProgramApplication.objects.values_list("pk", "status"))
    assert statuses == {first.pk: "rejected", second.pk: "approved"}
    assert ProgramApplication.objects.get(pk=second.pk).decided_by_id == operator_client.operator.pk


def test_staff_without_the_permission_cannot_decide(client) -> None:
    staff = UserFactory(is_staff=True)
    staff.user_permissions.add(Permission.objects.get(codename="view_programapplication"))
    application = services.program_apply(program_id=growth_program().pk, user=UserFactory())
    with pytest.raises(Exception) as refused:
        services.application_approve(application_id=application.pk, operator=staff)
    assert refused.value.code == "program.not_operator"


def test_a_video_lesson_needs_a_video_that_passes_the_notes_media_check() -> None:
    course = Course.objects.create(title="视频课")
    data = {"position": 0, "title": "剪辑", "kind": "video", "body": ""}
    form = LessonForm(data=data, instance=None)
    form.instance.course = course
    assert not form.is_valid()
    assert "video" in form.errors
    fake = SimpleUploadedFile("clip.mp4", b"not a video at all", content_type="video/mp4")
    form = LessonForm(data=data, files={"video": fake})
    form.instance.course = course
    assert not form.is_valid()
    assert "video" in form.errors
    text = LessonForm(data={**data, "kind": "text", "body": "正文"})
    text.instance.course = course
    assert text.is_valid(), text.errors
