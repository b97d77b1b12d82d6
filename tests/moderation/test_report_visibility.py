"""Reports go through each target's own viewer check (issue 12, finding 2).

Content the reporter cannot see answers 404 exactly like a missing id, and writes nothing: no
case, no report, no audit record, no change to the item.
"""

import pytest

from apps.accounts.models import Block
from apps.moderation.models import AuditRecord, Case, Report
from apps.moderation.targets import Visibility
from apps.notes.models import Note, NoteStatus, NoteVisibility
from apps.notes.services import note_create, note_delete
from tests.factories import UserFactory
from tests.moderation.factories import posted_comment, published_note
from tests.notes.factories import category, image_upload

pytestmark = pytest.mark.django_db

URL = "/api/v1/reports"
MISSING_ID = 2_000_000_000


def _report(client, target: str, object_id: int):
    return client.post(URL, {"target": target, "object_id": object_id, "reason": "porn"})


def _draft(author):
    return note_create(
        author=author,
        title="还没发布",
        body="草稿",
        category=category("fashion"),
        images=[image_upload()],
        publish=False,
    )


def _nothing_written() -> bool:
    return (Case.objects.count(), Report.objects.count(), AuditRecord.objects.count()) == (0, 0, 0)


def _invisible_items() -> dict[str, tuple[str, int]]:
    author = UserFactory()
    private = published_note(author=author)
    Note.objects.filter(pk=private.pk).update(visibility=NoteVisibility.PRIVATE)
    deleted = published_note(author=author)
    note_delete(note_id=deleted.pk, actor=author)
    on_private = published_note(author=author)
    comment = posted_comment(note=on_private)
    Note.objects.filter(pk=on_private.pk).update(visibility=NoteVisibility.PRIVATE)
    return {
        "draft": ("note", _draft(author).pk),
        "private note": ("note", private.pk),
        "deleted note": ("note", deleted.pk),
        "comment on a private note": ("comment", comment.pk),
    }


def test_reporting_what_the_reporter_cannot_see_answers_like_a_missing_id(make_client) -> None:
    reporter = make_client(UserFactory())
    missing = _report(reporter, "note", MISSING_ID)
    assert missing.status_code == 404
    for label, (target, object_id) in _invisible_items().items():
        response = _report(reporter, target, object_id)
        assert (response.status_code, response.json()) == (404, missing.json()), label
    assert _nothing_written()


def test_a_comment_whose_author_blocked_the_reporter_cannot_be_reported(make_client) -> None:
    comment = posted_comment()
    reporter = UserFactory()
    Block.objects.create(blocker=comment.author, blocked=reporter)
    response = _report(make_client(reporter), "comment", comment.pk)
    assert response.status_code == 404
    assert _nothing_written()


def test_three_reports_on_a_draft_do_not_hide_it_once_published(make_client, settings) -> None:
    settings.MODERATION_REPORT_HIDE_THRESHOLD = 3
    author = UserFactory()
    draft = _draft(author)
    for _ in range(3):
        assert _report(make_client(UserFactory()), "note", draft.pk).status_code == 404
    assert _nothing_written()
    published = make_client(author).post(f"/api/v1/notes/{draft.pk}/publish")
    assert published.status_code == 200, published.content
    note = Note.objects.get(pk=draft.pk)
    assert (note.status, note.moderation) == (NoteStatus.PUBLISHED, Visibility.VISIBLE)
    assert make_client(UserFactory()).get(f"/api/v1/notes/{draft.pk}").status_code == 200


def test_what_the_reporter_can_see_is_still_reportable(make_client) -> None:
    note = published_note()
    comment = posted_comment(note=note)
    reporter = make_client(UserFactory())
    assert _report(reporter, "note", note.pk).status_code == 201
    assert _report(reporter, "comment", comment.pk).status_code == 201
    assert _report(reporter, "user", note.author_id).status_code == 201
