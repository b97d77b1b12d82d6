"""The NOTE and COMMENT surfaces end to end through the notes API."""

import pytest

from apps.moderation.models import Case, CaseOrigin, CaseStatus
from apps.moderation.targets import Visibility
from apps.notes.models import Comment, Note
from apps.notifications.models import Notification, NotificationKind
from tests.factories import UserFactory
from tests.moderation.factories import make_operator
from tests.notes.factories import NoteFactory, image_upload

pytestmark = pytest.mark.django_db


def _post_note(api, **fields):
    data = {"title": "春日穿搭", "body": "今天的分享", "category": "fashion", **fields}
    return api.post("/api/v1/notes", {**data, "images": [image_upload()]}, format="multipart")


@pytest.fixture
def rules(make_rule):
    make_rule("赌博", category="gambling", action="block", surfaces=["note", "comment"])
    make_rule("微信", category="contact", action="mask", surfaces=["note", "comment"])
    make_rule("代购", category="ads", action="review", surfaces=["note", "comment"])


def test_blocked_note_is_refused_naming_the_category_and_nothing_is_stored(api, rules) -> None:
    for fields in ({"title": "一起赌 博"}, {"body": "周末来赌\u200b博"}):
        response = _post_note(api, **fields)
        assert response.status_code == 400, response.content
        error = response.json()["error"]
        assert error["code"] == "moderation.blocked"
        assert "gambling" in error["message"]
    assert not Note.objects.exists()


def test_masked_note_is_stored_with_asterisks(api, rules) -> None:
    response = _post_note(api, title="加微 信领福利", body="联系 138 0013 8000 或ＷＸ: lily_2024")
    assert response.status_code == 201, response.content
    note = Note.objects.get()
    assert note.title == "加* *领福利"
    assert "138" not in note.body and "lily" not in note.body
    assert note.moderation == Visibility.VISIBLE


def test_note_held_for_review_is_seen_by_its_author_only_until_approved(
    api, user, make_client, rules, client, django_capture_on_commit_callbacks
) -> None:
    response = _post_note(api, body="日本代购，正品保证")
    assert response.status_code == 201, response.content
    note_id = response.json()["id"]
    stranger = make_client(UserFactory())
    assert api.get(f"/api/v1/notes/{note_id}").status_code == 200
    assert stranger.get(f"/api/v1/notes/{note_id}").status_code == 404
    case = Case.objects.get(target_key="note", object_id=note_id)
    assert (case.origin, case.status, case.held) == (CaseOrigin.SCREENING, CaseStatus.OPEN, True)
    assert case.screening_hits == [
        {"rule_id": case.screening_hits[0]["rule_id"], "term": "代购", "category": "ads",
         "action": "review"}
    ]  # fmt: skip

    client.force_login(make_operator())
    with django_capture_on_commit_callbacks(execute=True):
        decided = client.post(
            f"/admin/moderation/reviewqueuecase/{case.pk}/decide/",
            {"decision": "approve", "reason": "Personal resale, allowed"},
        )
    assert decided.status_code == 302
    assert stranger.get(f"/api/v1/notes/{note_id}").status_code == 200
    notification = Notification.objects.get(recipient=user)
    assert notification.kind == NotificationKind.CONTENT_APPROVED
    assert notification.payload["object_id"] == note_id


def test_comments_block_mask_and_review(api, user, make_client, rules) -> None:
    note = NoteFactory()
    url = f"/api/v1/notes/{note.pk}/comments"

    blocked = api.post(url, {"body": "来赌.博"})
    assert blocked.status_code == 400
    assert blocked.json()["error"]["code"] == "moderation.blocked"
    assert not Comment.objects.exists()

    masked = api.post(url, {"body": "私聊加微信 13800138000"})
    assert masked.status_code == 201
    assert masked.json()["body"] == "私聊加** ***********"

    held = api.post(url, {"body": "可以代购吗"})
    assert held.status_code == 201
    comment_id = held.json()["id"]
    assert Comment.objects.get(pk=comment_id).moderation == Visibility.REVIEW
    assert Case.objects.filter(target_key="comment", object_id=comment_id).exists()
    stranger_ids = [c["id"] for c in make_client(UserFactory()).get(url).json()["results"]]
    author_ids = [c["id"] for c in api.get(url).json()["results"]]
    assert comment_id in author_ids
    assert comment_id not in stranger_ids
