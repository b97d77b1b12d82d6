"""End to end through the API and the admin: reports, rejection, strikes, posting restriction,
an appeal decided by a second operator, and the audit trail of every decision."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from apps.moderation.models import (
    Appeal,
    AppealStatus,
    AuditAction,
    AuditRecord,
    Case,
    CaseStatus,
    Strike,
    StrikeStatus,
)
from apps.moderation.targets import Visibility
from apps.notes.models import Note
from apps.notifications.models import Notification, NotificationKind
from tests.factories import UserFactory
from tests.moderation.factories import make_operator, published_note
from tests.notes.factories import image_upload

pytestmark = pytest.mark.django_db


def _admin(operator) -> Client:
    client = Client()
    client.force_login(operator)
    return client


def _report_until_hidden(make_client, note_id: int, reporters: int = 3) -> Case:
    for _ in range(reporters):
        response = make_client(UserFactory()).post(
            "/api/v1/reports", {"target": "note", "object_id": note_id, "reason": "porn"}
        )
        assert response.status_code == 201, response.content
    return Case.objects.get(target_key="note", object_id=note_id, status=CaseStatus.OPEN)


def _reject(admin: Client, case: Case, on_commit) -> None:
    with on_commit(execute=True):
        response = admin.post(
            f"/admin/moderation/reviewqueuecase/{case.pk}/decide/",
            {"decision": "reject", "category": "porn", "reason": "Explicit images"},
        )
    assert response.status_code == 302, response.content.decode()[:2000]


def _post_note(client):
    data = {"title": "新笔记", "body": "今天", "category": "food", "images": [image_upload()]}
    return client.post("/api/v1/notes", data, format="multipart")


def test_reports_rejections_strikes_restriction_appeal_and_audit(
    make_client, settings, django_capture_on_commit_callbacks
) -> None:
    settings.MODERATION_REPORT_HIDE_THRESHOLD = 3
    author = UserFactory()
    author_api = make_client(author)
    viewer = make_client(UserFactory())
    first_operator, second_operator = make_operator(), make_operator()
    first_admin = _admin(first_operator)

    # Three notes, each reported by three users: hidden, then rejected by the first operator.
    notes = [published_note(author=author, title=f"笔记{i}") for i in range(3)]
    for index, note in enumerate(notes):
        case = _report_until_hidden(make_client, note.pk)
        assert viewer.get(f"/api/v1/notes/{note.pk}").status_code == 404  # hidden by reports
        queue = first_admin.get("/admin/moderation/reviewqueuecase/")
        assert queue.status_code == 200
        assert [c.pk for c in queue.context["cl"].result_list] == [case.pk]
        _reject(first_admin, case, django_capture_on_commit_callbacks)
        assert Note.objects.get(pk=note.pk).moderation == Visibility.HIDDEN
        assert Strike.objects.filter(user=author).count() == index + 1
        if index < 2:
            assert _post_note(author_api).status_code == 201  # not restricted yet

    # The author was told each time, and the third strike restricts posting for 7 days.
    kinds = list(Notification.objects.filter(recipient=author).values_list("kind", flat=True))
    assert kinds.count(NotificationKind.CONTENT_REMOVED) == 3
    assert kinds.count(NotificationKind.STRIKE) == 3
    last_strike = Notification.objects.filter(recipient=author, kind=NotificationKind.STRIKE)
    assert last_strike.latest("id").payload["restricted_until"] is not None

    refused = _post_note(author_api)
    assert refused.status_code == 403
    assert refused.json()["error"]["code"] == "account.posting_restricted"
    comment = author_api.post(f"/api/v1/notes/{published_note().pk}/comments", {"body": "hi"})
    assert comment.status_code == 403

    health = author_api.get("/api/v1/creator/health").json()
    assert health["status"] == "restricted"
    assert health["can_post"] is False
    assert health["active_strikes"] == 3
    third = Strike.objects.filter(user=author).latest("created_at")
    expected_end = third.created_at + timedelta(days=7)
    assert health["restricted_until"] == expected_end.isoformat().replace("+00:00", "Z")
    assert [s["appeal"] for s in health["strikes"]] == [None, None, None]
    assert all(s["can_appeal"] for s in health["strikes"])

    # The author appeals the third strike, once.
    url = f"/api/v1/moderation/strikes/{third.pk}/appeal"
    appeal = author_api.post(url, {"reason": "It was a painting, not a photo."})
    assert appeal.status_code == 201
    assert appeal.json()["status"] == AppealStatus.PENDING
    again = author_api.post(url, {"reason": "Please."})
    assert again.status_code == 409
    assert again.json()["error"]["code"] == "appeal.already_filed"
    appeal_id = appeal.json()["id"]

    # The operator who rejected cannot decide the appeal...
    decide_url = f"/admin/moderation/appeal/{appeal_id}/decide/"
    page = first_admin.get(decide_url)
    assert "another operator must decide" in page.content.decode()
    refused = first_admin.post(decide_url, {"decision": "accept", "reason": "Looks fine"})
    assert refused.status_code == 200
    assert "different operator" in refused.content.decode()
    assert Appeal.objects.get(pk=appeal_id).status == AppealStatus.PENDING

    # ...a second operator can: the strike goes, the note comes back, posting resumes.
    with django_capture_on_commit_callbacks(execute=True):
        accepted = _admin(second_operator).post(
            decide_url, {"decision": "accept", "reason": "Artwork, not a photo"}
        )
    assert accepted.status_code == 302
    assert Strike.objects.get(pk=third.pk).status == StrikeStatus.REVOKED
    assert Case.objects.get(pk=third.case_id).status == CaseStatus.OVERTURNED
    assert viewer.get(f"/api/v1/notes/{notes[2].pk}").status_code == 200
    assert _post_note(author_api).status_code == 201
    outcome = Notification.objects.get(recipient=author, kind=NotificationKind.APPEAL_DECIDED)
    assert outcome.payload["status"] == AppealStatus.ACCEPTED

    health = author_api.get("/api/v1/creator/health").json()
    assert (health["status"], health["active_strikes"], health["can_post"]) == (
        "warning",
        2,
        True,
    )
    by_id = {s["id"]: s for s in health["strikes"]}
    assert by_id[third.pk]["status"] == StrikeStatus.REVOKED
    assert by_id[third.pk]["appeal"]["status"] == AppealStatus.ACCEPTED
    assert by_id[third.pk]["appeal"]["decision_reason"] == "Artwork, not a photo"

    # Every decision left who, what, when and why.
    trail = list(AuditRecord.objects.order_by("id"))
    actions = [record.action for record in trail]
    assert actions.count(AuditAction.ITEM_HIDDEN) == 3
    assert actions.count(AuditAction.CASE_REJECTED) == 3
    assert actions.count(AuditAction.STRIKE_ISSUED) == 3
    assert actions[-3:] == [
        AuditAction.APPEAL_FILED,
        AuditAction.APPEAL_ACCEPTED,
        AuditAction.STRIKE_REVOKED,
    ]
    for record in trail:
        assert record.created_at <= timezone.now()
        if record.action == AuditAction.ITEM_HIDDEN:
            assert record.actor is None and "distinct users" in record.reason
        elif record.action in (AuditAction.CASE_REJECTED, AuditAction.STRIKE_ISSUED):
            assert record.actor == first_operator
            assert record.actor_username == first_operator.username
            assert record.reason == "Explicit images"
        elif record.action == AuditAction.APPEAL_FILED:
            assert record.actor == author
        else:
            assert record.actor == second_operator
            assert record.reason == "Artwork, not a photo"
    audit_page = first_admin.get("/admin/moderation/auditrecord/", {"action": "appeal_accepted"})
    assert second_operator.username in audit_page.content.decode()


def test_denied_appeal_keeps_the_strike(make_client, django_capture_on_commit_callbacks) -> None:
    author = UserFactory()
    note = published_note(author=author)
    case = _report_until_hidden(make_client, note.pk, reporters=1)
    _reject(_admin(make_operator()), case, django_capture_on_commit_callbacks)
    strike = Strike.objects.get(user=author)
    appeal = make_client(author).post(
        f"/api/v1/moderation/strikes/{strike.pk}/appeal", {"reason": "Not fair"}
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = _admin(make_operator()).post(
            f"/admin/moderation/appeal/{appeal.json()['id']}/decide/",
            {"decision": "deny", "reason": "Clearly explicit"},
        )
    assert response.status_code == 302
    assert Strike.objects.get(pk=strike.pk).status == StrikeStatus.ACTIVE
    assert Note.objects.get(pk=note.pk).moderation == Visibility.HIDDEN
    outcome = Notification.objects.get(recipient=author, kind=NotificationKind.APPEAL_DECIDED)
    assert outcome.payload["status"] == AppealStatus.DENIED
    record = AuditRecord.objects.get(action=AuditAction.APPEAL_DENIED)
    assert record.reason == "Clearly explicit"
