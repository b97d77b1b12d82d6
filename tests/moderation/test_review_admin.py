"""The review queue and case screens in the admin."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from apps.core.errors import Forbidden
from apps.moderation import services
from apps.moderation.models import AuditAction, AuditRecord, Case, CaseStatus, Strike
from apps.moderation.targets import Visibility
from apps.notes.models import Note
from tests.factories import UserFactory
from tests.moderation.factories import make_operator, published_note

pytestmark = pytest.mark.django_db

QUEUE = "/admin/moderation/reviewqueuecase/"


@pytest.fixture
def operator():
    return make_operator()


@pytest.fixture
def admin_client(operator) -> Client:
    client = Client()
    client.force_login(operator)
    return client


def _case(reporters: int, age_hours: int) -> Case:
    note = published_note()
    for _ in range(reporters):
        services.report_create(
            reporter=UserFactory(), target_key="note", object_id=note.pk, reason="spam"
        )
    case = Case.objects.get(target_key="note", object_id=note.pk)
    Case.objects.filter(pk=case.pk).update(opened_at=timezone.now() - timedelta(hours=age_hours))
    return case


def test_queue_lists_open_cases_most_reported_then_oldest(admin_client, operator) -> None:
    newer_single = _case(reporters=1, age_hours=1)
    older_single = _case(reporters=1, age_hours=5)
    most_reported = _case(reporters=2, age_hours=0)
    decided = _case(reporters=2, age_hours=9)
    services.case_approve(case_id=decided.pk, operator=operator, reason="ok")

    response = admin_client.get(QUEUE)
    assert response.status_code == 200
    order = [case.pk for case in response.context["cl"].result_list]
    assert order == [most_reported.pk, older_single.pk, newer_single.pk]
    assert "Decide" in response.content.decode()
    # The full case list keeps decided cases too.
    assert decided.pk in [c.pk for c in admin_client.get("/admin/moderation/case/").context[
        "cl"
    ].result_list]  # fmt: skip


def test_decide_screen_shows_the_case_and_needs_a_reason(admin_client) -> None:
    case = _case(reporters=2, age_hours=1)
    page = admin_client.get(f"{QUEUE}{case.pk}/decide/")
    assert page.status_code == 200
    content = page.content.decode()
    assert case.excerpt in content and "Spam or advertising" in content

    response = admin_client.post(f"{QUEUE}{case.pk}/decide/", {"decision": "reject", "reason": ""})
    assert response.status_code == 200  # the form again, with its error
    assert Case.objects.get(pk=case.pk).status == CaseStatus.OPEN
    assert not Strike.objects.exists()


def test_approving_a_hidden_item_shows_it_again(admin_client, settings) -> None:
    settings.MODERATION_REPORT_HIDE_THRESHOLD = 2
    case = _case(reporters=2, age_hours=1)
    assert Note.objects.get(pk=case.object_id).moderation == Visibility.HIDDEN
    response = admin_client.post(
        f"{QUEUE}{case.pk}/decide/", {"decision": "approve", "reason": "Misreported"}
    )
    assert response.status_code == 302
    assert Note.objects.get(pk=case.object_id).moderation == Visibility.VISIBLE
    case.refresh_from_db()
    assert (case.status, case.decision_reason) == (CaseStatus.APPROVED, "Misreported")
    assert AuditRecord.objects.get(action=AuditAction.CASE_APPROVED).reason == "Misreported"
    assert not Strike.objects.exists()


def test_a_decided_case_cannot_be_decided_again(admin_client, operator) -> None:
    case = _case(reporters=1, age_hours=1)
    services.case_approve(case_id=case.pk, operator=operator, reason="ok")
    response = admin_client.post(
        f"{QUEUE}{case.pk}/decide/", {"decision": "reject", "reason": "changed my mind"}
    )
    assert response.status_code == 200
    assert "This case is approved; &#x27;reject&#x27; is not allowed" in response.content.decode()
    assert Case.objects.get(pk=case.pk).status == CaseStatus.APPROVED


def test_bulk_reject_with_one_reason(admin_client) -> None:
    cases = [_case(reporters=1, age_hours=i) for i in range(3)]
    ids = [str(case.pk) for case in cases]
    form = admin_client.post(QUEUE, {"action": "reject_selected", "_selected_action": ids})
    assert form.status_code == 200
    assert "Reject 3 cases" in form.content.decode()
    done = admin_client.post(
        QUEUE,
        {
            "action": "reject_selected",
            "_selected_action": ids,
            "apply": "1",
            "category": "ads",
            "reason": "Spam campaign",
        },
    )
    assert done.status_code == 302
    assert set(Case.objects.values_list("status", flat=True)) == {CaseStatus.REJECTED}
    assert Strike.objects.count() == 3
    assert set(Strike.objects.values_list("category", flat=True)) == {"ads"}


def test_staff_without_the_review_permission_cannot_decide(operator) -> None:
    case = _case(reporters=1, age_hours=1)
    viewer = make_operator(permissions=())
    client = Client()
    client.force_login(viewer)
    assert client.get(QUEUE).status_code == 200  # may look
    response = client.post(f"{QUEUE}{case.pk}/decide/", {"decision": "reject", "reason": "x"})
    assert response.status_code == 403
    assert Case.objects.get(pk=case.pk).status == CaseStatus.OPEN
    with pytest.raises(Forbidden):
        services.case_reject(case_id=case.pk, operator=viewer, reason="x")


def test_an_operator_cannot_decide_on_their_own_content(admin_client, operator) -> None:
    note = published_note(author=operator)
    services.report_create(
        reporter=UserFactory(), target_key="note", object_id=note.pk, reason="spam"
    )
    case = Case.objects.get(object_id=note.pk)
    response = admin_client.post(
        f"{QUEUE}{case.pk}/decide/", {"decision": "approve", "reason": "mine is fine"}
    )
    assert response.status_code == 200
    assert Case.objects.get(pk=case.pk).status == CaseStatus.OPEN


@pytest.mark.parametrize(
    "url",
    [
        "/admin/moderation/keywordrule/",
        "/admin/moderation/reviewqueuecase/",
        "/admin/moderation/case/",
        "/admin/moderation/appeal/",
        "/admin/moderation/strike/",
        "/admin/moderation/report/",
        "/admin/moderation/auditrecord/",
        "/admin/notifications/notification/",
    ],
)
def test_admin_changelists_render_with_search_and_filters(url: str, client) -> None:
    from tests.moderation.factories import strike_user

    superuser = UserFactory(is_staff=True, is_superuser=True)
    strike_user(user=UserFactory())
    client.force_login(superuser)
    assert client.get(url).status_code == 200
    assert client.get(url, {"q": "x"}).status_code == 200


def test_audit_records_cannot_be_changed_or_deleted_in_the_admin(client, operator) -> None:
    from tests.moderation.factories import strike_user

    strike_user(user=UserFactory(), operator=operator)
    record = AuditRecord.objects.first()
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    base = f"/admin/moderation/auditrecord/{record.pk}"
    assert client.post(f"{base}/delete/", {"post": "yes"}).status_code == 403
    assert client.post(f"{base}/change/", {"reason": "rewritten"}).status_code == 403
    assert AuditRecord.objects.get(pk=record.pk).reason == record.reason
