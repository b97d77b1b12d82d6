"""Media replacement, edits screened again, moderation targets, admin screens, demo seeding."""

import random

import pytest
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command

from apps.accounts.api.serializers import UserCardSerializer
from apps.accounts.models import Profile, User
from apps.moderation import matcher
from apps.moderation import services as moderation_services
from apps.moderation.targets import Visibility, get_target
from apps.notes import services
from apps.notes.api.serializers import (
    DiscoveryItemSerializer,
    NoteCardSerializer,
    OwnNoteCardSerializer,
)
from apps.notes.models import Collect, Comment, Note, NoteLike, NoteMedia, NoteStatus
from tests.factories import UserFactory
from tests.notes.factories import NoteFactory, image_upload, video_upload

pytestmark = pytest.mark.django_db


def _create(client, **fields) -> dict:
    data = {"title": "日常", "body": "分享", "category": "home", "images": [image_upload()]}
    response = client.post("/api/v1/notes", {**data, **fields}, format="multipart")
    assert response.status_code == 201, response.content
    return response.json()


def _received(user) -> tuple[int, int, int]:
    profile = Profile.objects.get(user=user)
    return profile.notes_count, profile.likes_received_count, profile.collects_received_count


# --- media replacement --------------------------------------------------------------------------


def test_replacing_media_deletes_the_old_files_once_committed(
    api, stored_files, short_video, django_capture_on_commit_callbacks
) -> None:
    note = _create(api, images=[image_upload("a.jpg"), image_upload("b.jpg")])
    before = set(stored_files())
    assert len(before) == 4
    with django_capture_on_commit_callbacks(execute=True):
        response = api.put(
            f"/api/v1/notes/{note['id']}/media",
            {"video": video_upload(short_video)},
            format="multipart",
        )
    assert response.status_code == 200, response.content
    assert response.json()["kind"] == "video"
    after = set(stored_files())
    assert not before & after  # every old file is gone
    assert len(after) == 2  # the video and its cover
    assert NoteMedia.objects.filter(note_id=note["id"]).count() == 1


def test_refused_replacement_changes_nothing_and_stores_nothing(api, stored_files) -> None:
    note = _create(api)
    before = stored_files()
    fake = SimpleUploadedFile("x.jpg", b"<html>not an image</html>", "image/jpeg")
    response = api.put(
        f"/api/v1/notes/{note['id']}/media",
        {"images": [image_upload("new.jpg"), fake]},
        format="multipart",
    )
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "note.invalid_image"
    assert stored_files() == before
    assert NoteMedia.objects.filter(note_id=note["id"]).count() == 1


def test_stored_files_are_discarded_when_the_write_fails(stored_files) -> None:
    """The clean-up path every create and replacement relies on, with the real storage."""
    from apps.notes.media import StoredFiles

    stored = StoredFiles()
    upload = image_upload()
    stored.save_upload(upload, "jpg")
    stored.save_bytes("notes/extra_thumb.jpg", b"thumb")
    assert len(stored_files()) == 2
    stored.discard()
    assert stored_files() == []


# --- edits are screened; moderation drives counts ---------------------------------------------


@pytest.fixture
def review_rule(settings, django_capture_on_commit_callbacks):
    settings.MODERATION_RULES_CHECK_SECONDS = 0
    matcher.reset()
    with django_capture_on_commit_callbacks(execute=True):
        moderation_services.keyword_rule_create(
            term="代购", category="ads", action="review", surfaces=["note", "comment"]
        )
    yield
    matcher.reset()


def test_editing_a_published_note_is_screened_again(make_client, review_rule) -> None:
    author, reader = UserFactory(), make_client(UserFactory())
    client = make_client(author)
    note = _create(client)
    assert _received(author) == (1, 0, 0)
    edited = client.patch(f"/api/v1/notes/{note['id']}", {"body": "找我代购"})
    assert edited.status_code == 200
    assert edited.json()["moderation"] == "review"
    assert _received(author) == (0, 0, 0)
    assert reader.get(f"/api/v1/notes/{note['id']}").status_code == 404
    # A clean edit does not lift the hold: only a moderation decision does.
    assert client.patch(f"/api/v1/notes/{note['id']}", {"body": "分享"}).json()["moderation"] == (
        "review"
    )


def test_drafts_are_screened_when_published(make_client, review_rule) -> None:
    client = make_client(UserFactory())
    draft = _create(client, body="代购清单", publish="false")
    assert draft["moderation"] == "visible"  # not screened yet: nobody else sees a draft
    published = client.post(f"/api/v1/notes/{draft['id']}/publish").json()
    assert published["moderation"] == "review"


def test_moderation_targets_are_registered_and_move_counters(make_client) -> None:
    author, fan = UserFactory(), UserFactory()
    note_id = _create(make_client(author))["id"]
    make_client(fan).post(f"/api/v1/notes/{note_id}/like")
    comment_id = make_client(fan).post(f"/api/v1/notes/{note_id}/comments", {"body": "好"}).json()
    comment_id = comment_id["id"]

    note_target, comment_target = get_target("note"), get_target("comment")
    note = Note.objects.get(pk=note_id)
    comment = Comment.objects.get(pk=comment_id)
    assert note_target.author_id_of(note) == author.pk
    assert comment_target.author_id_of(comment) == fan.pk
    assert note_target.excerpt_of(note) == "日常"

    note_target.set_visibility(note, Visibility.HIDDEN)
    assert _received(author) == (0, 0, 0)
    note_target.set_visibility(note, Visibility.VISIBLE)
    assert _received(author) == (1, 1, 0)
    comment_target.set_visibility(comment, Visibility.HIDDEN)
    assert Note.objects.get(pk=note_id).comments_count == 0


# --- counters rebuilt from rows agree with the services ----------------------------------------


def test_counters_kept_by_the_services_equal_a_rebuild_from_rows(make_client) -> None:
    rng = random.Random(7)
    authors = [UserFactory() for _ in range(3)]
    fans = [UserFactory() for _ in range(6)]
    notes = [_create(make_client(a))["id"] for a in authors for _ in range(2)]
    for _ in range(120):
        client = make_client(rng.choice(fans))
        note = rng.choice(notes)
        action = rng.choice(["like", "unlike", "collect", "uncollect", "comment", "share"])
        if action == "like":
            client.post(f"/api/v1/notes/{note}/like")
        elif action == "unlike":
            client.delete(f"/api/v1/notes/{note}/like")
        elif action == "collect":
            client.post(f"/api/v1/notes/{note}/collect")
        elif action == "uncollect":
            client.delete(f"/api/v1/notes/{note}/collect")
        elif action == "comment":
            client.post(f"/api/v1/notes/{note}/comments", {"body": "嗯"})
        else:
            client.post(f"/api/v1/notes/{note}/share", {"channel": "qq"})
    make_client(authors[0]).patch(f"/api/v1/notes/{notes[0]}", {"visibility": "private"})
    services.note_moderation_set(note=Note.objects.get(pk=notes[2]), visibility="hidden")

    def snapshot() -> tuple:
        return (
            sorted(
                Note.objects.values_list(
                    "id", "likes_count", "collects_count", "comments_count", "shares_count", "rank"
                )
            ),
            sorted(
                Profile.objects.values_list(
                    "user_id", "notes_count", "likes_received_count", "collects_received_count"
                )
            ),
            sorted(Comment.objects.values_list("id", "likes_count", "replies_count")),
        )

    kept = snapshot()
    assert NoteLike.objects.exists() and Collect.objects.exists()
    assert services.note_counters_rebuild() == 0
    assert snapshot() == kept


# --- serializers: the hand-built cards keep the documented shape -------------------------------


def test_cards_have_exactly_the_declared_fields_and_the_accounts_author_card(rf) -> None:
    note = NoteFactory(cover="notes/x_thumb.jpg", cover_width=540, cover_height=720)
    note.viewer_liked = True
    note.promoted = False
    request = rf.get("/")
    context = {"request": request}
    for serializer_class in (NoteCardSerializer, OwnNoteCardSerializer, DiscoveryItemSerializer):
        data = serializer_class(note, context=context).data
        assert set(data) == set(serializer_class().fields), serializer_class
    data = NoteCardSerializer(note, context=context).data
    assert data["author"] == UserCardSerializer(note.author.profile, context=context).data
    assert data["cover"] == {
        "url": "http://testserver/media/notes/x_thumb.jpg",
        "width": 540,
        "height": 720,
    }


def test_cards_read_stored_file_names_without_wrapping_them(rf) -> None:
    """A card's cover and avatar URLs come from the stored names: no FieldFile (which points
    back at its instance, a cycle only the garbage collector frees) is made per card."""
    made = NoteFactory(cover="notes/c.jpg", cover_width=3, cover_height=4)
    made.author.profile.avatar = "avatars/a.jpg"
    made.author.profile.save(update_fields=["avatar"])
    note = Note.objects.select_related("author__profile").get(pk=made.pk)
    note.viewer_liked = False
    context = {"request": rf.get("/")}
    data = NoteCardSerializer(note, context=context).data
    assert data["cover"]["url"] == "http://testserver/media/notes/c.jpg"
    assert data["author"]["avatar"] == "http://testserver/media/avatars/a.jpg"
    assert type(note.__dict__["cover"]) is str
    assert type(note.author.profile.__dict__["avatar"]) is str
    # Already wrapped (read elsewhere first), deferred, or empty: the same answers.
    assert note.cover.url == "/media/notes/c.jpg"
    assert NoteCardSerializer(note, context=context).data == data
    deferred = Note.objects.select_related("author__profile").defer("cover").get(pk=made.pk)
    deferred.viewer_liked = False
    assert NoteCardSerializer(deferred, context=context).data == data
    note.cover = ""
    assert NoteCardSerializer(note, context=context).data["cover"] is None


# --- admin ----------------------------------------------------------------------------------


def test_admin_screens_list_search_filter_and_hide(client, make_client) -> None:
    admin = User.objects.create_superuser("ops", "ops@example.com", "ops-pass-2026")
    client.force_login(admin)
    author = UserFactory()
    note_id = _create(make_client(author), title="口红试色")["id"]
    make_client(UserFactory()).post(f"/api/v1/notes/{note_id}/comments", {"body": "好看"})

    assert client.get("/admin/notes/note/?q=口红").status_code == 200
    assert (
        client.get("/admin/notes/note/?status__exact=published&kind__exact=image").status_code
        == 200
    )
    assert client.get(f"/admin/notes/note/{note_id}/change/").status_code == 200
    assert client.get("/admin/notes/comment/?q=好看").status_code == 200
    assert client.get("/admin/notes/topic/").status_code == 200
    assert client.get("/admin/notes/board/").status_code == 200

    response = client.post(
        "/admin/notes/note/", {"action": "hide_notes", "_selected_action": [note_id]}
    )
    assert response.status_code == 302
    assert Note.objects.get(pk=note_id).moderation == Visibility.HIDDEN
    assert _received(author) == (0, 0, 0)


# --- demo data ------------------------------------------------------------------------------


def test_seed_demo_adds_notes_idempotently_with_exact_counters() -> None:
    call_command("seed_demo", users=60, notes=90, events=0, quiet=True)

    def snapshot() -> tuple:
        return (
            Note.objects.count(),
            NoteLike.objects.count(),
            Comment.objects.count(),
            sorted(Note.objects.values_list("id", "likes_count", "comments_count", "rank")),
            sorted(Profile.objects.values_list("user_id", "notes_count", "likes_received_count")),
        )

    first = snapshot()
    demo = User.objects.get(username="demo")
    # 90 for the creators, 6 for the demo user, and the drafts brands' demo cooperations submitted
    cooperation_notes = apps.get_model("brands", "Cooperation").objects.exclude(note=None).count()
    assert first[0] == 96 + cooperation_notes
    assert Note.objects.filter(author=demo, status=NoteStatus.DRAFT).count() >= 1
    assert Note.objects.filter(author=demo, status=NoteStatus.PUBLISHED).exists()
    assert first[1] > 100 and first[2] > 10
    assert Comment.objects.filter(parent__isnull=False, reply_to_user__isnull=False).exists()
    assert NoteMedia.objects.filter(note__author=demo).exists()
    assert services.note_counters_rebuild() == 0

    call_command("seed_demo", users=60, notes=90, events=0, quiet=True)
    assert snapshot() == first
