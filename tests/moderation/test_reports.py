"""Reports through the API: one case per item, distinct reporters, the hiding threshold."""

import pytest

from apps.accounts.models import Profile
from apps.moderation.models import AuditAction, AuditRecord, Case, CaseStatus, Report
from apps.moderation.targets import Visibility
from apps.notes.models import Comment, Note
from tests.factories import UserFactory
from tests.moderation.factories import make_operator, posted_comment, published_note
from tests.notes.factories import NoteFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/reports"


def _report(client, target: str, object_id: int, reason: str = "porn", **extra):
    return client.post(URL, {"target": target, "object_id": object_id, "reason": reason, **extra})


def test_reports_on_one_item_join_one_case(make_client) -> None:
    note = NoteFactory()
    first = _report(make_client(UserFactory()), "note", note.pk, detail="露骨图片")
    assert first.status_code == 201, first.content
    assert first.json()["outcome"] == "pending"
    _report(make_client(UserFactory()), "note", note.pk, reason="spam")
    case = Case.objects.get(target_key="note", object_id=note.pk)
    assert case.reporter_count == 2
    assert case.reports.count() == 2
    assert case.author_id == note.author_id
    assert case.excerpt == note.title


def test_the_same_user_reporting_again_counts_once(make_client, settings) -> None:
    settings.MODERATION_REPORT_HIDE_THRESHOLD = 2
    note = NoteFactory()
    reporter = make_client(UserFactory())
    first = _report(reporter, "note", note.pk)
    again = _report(reporter, "note", note.pk, reason="spam")
    assert again.status_code == 200
    assert again.json()["id"] == first.json()["id"]
    assert Case.objects.get().reporter_count == 1
    assert Note.objects.get(pk=note.pk).moderation == Visibility.VISIBLE


@pytest.mark.parametrize("threshold", [2, 3])
def test_an_item_reported_by_enough_distinct_users_is_hidden_until_reviewed(
    make_client, settings, threshold: int
) -> None:
    settings.MODERATION_REPORT_HIDE_THRESHOLD = threshold
    note = published_note()
    viewer = make_client(UserFactory())
    for count in range(1, threshold + 1):
        assert Note.objects.get(pk=note.pk).moderation == Visibility.VISIBLE
        assert viewer.get(f"/api/v1/notes/{note.pk}").status_code == 200
        _report(make_client(UserFactory()), "note", note.pk)
        assert Case.objects.get().reporter_count == count
    assert Note.objects.get(pk=note.pk).moderation == Visibility.HIDDEN
    assert viewer.get(f"/api/v1/notes/{note.pk}").status_code == 404
    record = AuditRecord.objects.get(action=AuditAction.ITEM_HIDDEN)
    assert record.actor is None
    assert f"threshold {threshold}" in record.reason


def test_comments_hide_at_the_threshold_too(make_client, settings) -> None:
    settings.MODERATION_REPORT_HIDE_THRESHOLD = 2
    comment = posted_comment()
    for _ in range(2):
        _report(make_client(UserFactory()), "comment", comment.pk, reason="abuse")
    assert Comment.objects.get(pk=comment.pk).moderation == Visibility.HIDDEN


def test_reports_never_hide_a_user_on_their_own(make_client, settings) -> None:
    settings.MODERATION_REPORT_HIDE_THRESHOLD = 2
    reported = UserFactory(profile={"bio": "可疑的简介"})
    for _ in range(3):
        assert _report(make_client(UserFactory()), "user", reported.pk).status_code == 201
    case = Case.objects.get(target_key="user")
    assert (case.reporter_count, case.held) == (3, False)
    assert Profile.objects.get(user=reported).bio == "可疑的简介"


def test_a_new_case_opens_after_approval_and_removed_items_answer_like_missing_ones(
    make_client,
) -> None:
    note = published_note()
    reporter = make_client(UserFactory())
    _report(reporter, "note", note.pk)
    from apps.moderation import services

    operator = make_operator()
    services.case_approve(case_id=Case.objects.get().pk, operator=operator, reason="Fine")
    _report(reporter, "note", note.pk)
    assert Case.objects.filter(target_key="note", object_id=note.pk).count() == 2
    open_case = Case.objects.get(status=CaseStatus.OPEN)
    services.case_reject(case_id=open_case.pk, operator=operator, reason="Porn")
    # A removed note is out of everyone's sight: reporting it answers like a missing id.
    refused = _report(make_client(UserFactory()), "note", note.pk)
    assert refused.status_code == 404
    assert refused.json()["error"]["code"] == "report.target_not_found"


@pytest.mark.parametrize(
    ("body", "status", "field"),
    [
        ({"target": "wallet", "object_id": 1, "reason": "spam"}, 400, "target"),
        ({"target": "note", "object_id": 0, "reason": "spam"}, 400, "object_id"),
        ({"target": "note", "object_id": 2**63, "reason": "spam"}, 400, "object_id"),
        ({"target": "note", "object_id": "x", "reason": "spam"}, 400, "object_id"),
        ({"target": "note", "object_id": 1, "reason": "boring"}, 400, "reason"),
        ({"target": "note", "object_id": 1, "reason": "spam", "detail": "x" * 501}, 400, "detail"),
        ({"target": "note", "reason": "spam"}, 400, "object_id"),
    ],
)
def test_bad_reports_are_clear_4xx_and_write_nothing(api, body, status, field) -> None:
    NoteFactory()
    response = api.post(URL, body)
    assert response.status_code == status
    assert field in response.json()["error"]["fields"]
    assert not Case.objects.exists() and not Report.objects.exists()


def test_missing_item_is_404_and_own_content_is_409(api, user) -> None:
    missing = _report(api, "note", 999999)
    assert missing.status_code == 404
    assert missing.json()["error"]["code"] == "report.target_not_found"
    own = _report(api, "note", NoteFactory(author=user).pk)
    assert own.status_code == 409
    assert own.json()["error"]["code"] == "report.own_content"
    assert _report(api, "user", user.pk).status_code == 409
    assert not Case.objects.exists()


def test_my_reports_list_shows_outcomes_in_constant_queries(
    api, user, count_queries, django_assert_max_num_queries
) -> None:
    def report_notes(n: int) -> None:
        for note in NoteFactory.create_batch(n):
            _report(api, "note", note.pk)

    report_notes(1)
    one = count_queries(lambda: api.get(URL))
    report_notes(49)
    with django_assert_max_num_queries(one):
        body = api.get(f"{URL}?page_size=100").json()
    assert len(body["results"]) == 50
    assert {row["outcome"] for row in body["results"]} == {"pending"}
    assert body["results"][0]["created_at"] >= body["results"][-1]["created_at"]
