"""Creating notes: real media checks, text rules, drafts, and no file left behind on refusal."""

import os
from io import BytesIO

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from apps.accounts.models import Profile
from apps.notes.models import Note, NoteMedia, Topic
from tests.factories import UserFactory
from tests.notes.factories import image_bytes, image_upload, video_upload

pytestmark = pytest.mark.django_db

URL = "/api/v1/notes"


def _post(api, **fields):
    data = {"title": "春日穿搭", "body": "今天的 #OOTD 分享", "category": "fashion", **fields}
    return api.post(URL, data, format="multipart")


def _assert_refused(response, *, status: int, code: str, field: str, stored_files) -> None:
    assert response.status_code == status, response.content
    error = response.json()["error"]
    assert error["code"] == code
    assert field in error["fields"], error
    assert error["message"]
    assert Note.objects.count() == 0
    assert NoteMedia.objects.count() == 0
    assert stored_files() == []


# --- acceptance: each refused with a clear error, leaving no file -----------------------------


def test_text_file_renamed_jpg_is_refused_and_leaves_no_file(api, stored_files) -> None:
    fake = SimpleUploadedFile("photo.jpg", b"just some notes, not an image\n" * 40, "image/jpeg")
    response = _post(api, images=[image_upload("ok.jpg"), fake])
    _assert_refused(
        response, status=400, code="note.invalid_image", field="images", stored_files=stored_files
    )
    assert "Image 2" in response.json()["error"]["message"]


def test_oversized_image_is_refused_and_leaves_no_file(api, stored_files) -> None:
    # A real PNG of noise (incompressible) just over 20 MB.
    side = 2650
    noise = Image.frombytes("RGB", (side, side), os.urandom(side * side * 3))
    out = BytesIO()
    noise.save(out, "PNG", compress_level=0)
    assert out.tell() > 20 * 1024 * 1024
    big = SimpleUploadedFile("big.png", out.getvalue(), "image/png")
    response = _post(api, images=[big])
    _assert_refused(
        response, status=400, code="note.image_too_large", field="images", stored_files=stored_files
    )


def test_sixteen_minute_video_is_refused_and_leaves_no_file(
    api, stored_files, sixteen_minute_video
) -> None:
    response = _post(api, video=video_upload(sixteen_minute_video))
    _assert_refused(
        response, status=400, code="note.video_too_long", field="video", stored_files=stored_files
    )
    assert "15 minutes" in response.json()["error"]["message"]


def test_twenty_one_character_title_is_refused_and_leaves_no_file(api, stored_files) -> None:
    response = _post(api, title="一" * 21, images=[image_upload()])
    _assert_refused(response, status=400, code="invalid", field="title", stored_files=stored_files)
    assert "20" in response.json()["error"]["fields"]["title"][0]


# --- more refusals --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fields", "code", "field"),
    [
        ({}, "note.media_required", "images"),
        ({"body": "字" * 1001}, "invalid", "body"),
        ({"title": ""}, "note.title_required", "title"),
        ({"category": ""}, "note.category_required", "category"),
        ({"category": "astrology"}, "invalid", "category"),
        ({"visibility": "friends"}, "invalid", "visibility"),
        ({"latitude": "31.2"}, "invalid", "latitude"),
        ({"latitude": "91", "longitude": "10", "location_name": "X"}, "invalid", "latitude"),
    ],
)
def test_bad_fields_are_refused_before_any_file_is_stored(
    api, stored_files, fields, code, field
) -> None:
    response = _post(api, images=[image_upload()], **fields) if fields else _post(api)
    _assert_refused(response, status=400, code=code, field=field, stored_files=stored_files)


def test_gif_is_refused_as_unsupported(api, stored_files) -> None:
    gif = SimpleUploadedFile("anim.gif", image_bytes("GIF"), "image/gif")
    response = _post(api, images=[gif])
    _assert_refused(
        response,
        status=400,
        code="note.unsupported_image_format",
        field="images",
        stored_files=stored_files,
    )


def test_truncated_jpeg_is_refused(api, stored_files) -> None:
    data = image_bytes("JPEG", (400, 300))
    broken = SimpleUploadedFile("cut.jpg", data[: len(data) // 2], "image/jpeg")
    response = _post(api, images=[broken])
    _assert_refused(
        response, status=400, code="note.invalid_image", field="images", stored_files=stored_files
    )


def test_nineteen_images_are_refused(api, stored_files) -> None:
    response = _post(api, images=[image_upload(f"{i}.jpg") for i in range(19)])
    _assert_refused(response, status=400, code="invalid", field="images", stored_files=stored_files)


def test_images_and_video_together_are_refused(api, stored_files, short_video) -> None:
    response = _post(api, images=[image_upload()], video=video_upload(short_video))
    _assert_refused(
        response, status=400, code="note.mixed_media", field="images", stored_files=stored_files
    )


def test_image_renamed_mp4_is_refused_as_video(api, stored_files) -> None:
    fake = SimpleUploadedFile("clip.mp4", image_bytes(), "video/mp4")
    response = _post(api, video=fake)
    _assert_refused(
        response, status=400, code="note.invalid_video", field="video", stored_files=stored_files
    )


def test_a_server_without_ffprobe_answers_503_not_500(api, stored_files, settings) -> None:
    settings.NOTES_FFPROBE_BINARY = "/nonexistent/ffprobe"
    fake = SimpleUploadedFile("clip.mp4", image_bytes(), "video/mp4")
    response = _post(api, video=fake)
    assert response.status_code == 503, response.content
    error = response.json()["error"]
    assert error["code"] == "note.video_unavailable" and error["message"]
    assert Note.objects.count() == 0
    assert NoteMedia.objects.count() == 0
    assert stored_files() == []


def test_cover_without_video_is_refused(api, stored_files) -> None:
    response = _post(api, images=[image_upload()], cover=image_upload("c.jpg"))
    _assert_refused(
        response,
        status=400,
        code="note.cover_without_video",
        field="cover",
        stored_files=stored_files,
    )


# --- successful creation ----------------------------------------------------------------------


def test_image_note_is_stored_with_thumbnails_topics_and_counts(
    api, user, stored_files, make_client
) -> None:
    friend = UserFactory(username="lily_w")
    response = _post(
        api,
        body="去了 #上海美食 和 #OOTD#，和 @Lily_W 一起",
        images=[
            image_upload("a.jpg", size=(1600, 1200)),
            image_upload("b.png", "PNG", (30, 90)),
            image_upload("c.webp", "WEBP", (800, 800)),
        ],
        location_name="上海·武康路",
        latitude="31.2047",
        longitude="121.4372",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["kind"] == "image"
    assert body["status"] == "published"
    assert body["author"]["id"] == user.pk
    assert body["category"]["slug"] == "fashion"
    assert [t["name"] for t in body["topics"]] == ["上海美食", "OOTD"]
    assert [m["id"] for m in body["mentions"]] == [friend.pk]
    assert body["location"] == {"name": "上海·武康路", "latitude": 31.2047, "longitude": 121.4372}
    assert [m["format"] for m in body["media"]] == ["JPEG", "PNG", "WEBP"]
    first = body["media"][0]
    assert (first["width"], first["height"]) == (1600, 1200)
    assert first["url"].startswith("http://testserver/media/notes/")
    assert body["cover"] == {"url": first["thumbnail_url"], "width": 540, "height": 405}
    assert len(stored_files()) == 6  # three originals, three thumbnails
    thumbnail_name = first["thumbnail_url"].removeprefix("http://testserver/media/")
    with default_storage.open(thumbnail_name) as handle, Image.open(handle) as thumb:
        assert thumb.format == "JPEG"
        assert thumb.size == (540, 405)

    profile = Profile.objects.get(user=user)
    assert profile.notes_count == 1
    assert Topic.objects.filter(key="ootd").exists()
    note = Note.objects.get()
    assert "上海美食" in note.search_text
    assert note.rank > 0


def test_video_notes_mp4_and_mov_get_a_cover_frame(api, stored_files, short_video, short_mov):
    mp4 = _post(api, video=video_upload(short_video))
    assert mp4.status_code == 201, mp4.content
    media = mp4.json()["media"]
    assert [(m["kind"], m["format"]) for m in media] == [("video", "MP4")]
    assert media[0]["duration_seconds"] == pytest.approx(3.0, abs=0.1)
    assert (media[0]["width"], media[0]["height"]) == (32, 24)
    assert mp4.json()["cover"]["url"] == media[0]["thumbnail_url"]

    mov = _post(api, video=video_upload(short_mov), cover=image_upload("cover.jpg", size=(90, 160)))
    assert mov.status_code == 201, mov.content
    assert mov.json()["media"][0]["format"] == "MOV"
    assert (mov.json()["cover"]["width"], mov.json()["cover"]["height"]) == (90, 160)
    assert len(stored_files()) == 4  # two videos, two covers


def test_draft_then_publish(api, user) -> None:
    draft = _post(api, title="", category="", publish="false", images=[image_upload()])
    assert draft.status_code == 201, draft.content
    body = draft.json()
    assert (body["status"], body["published_at"], body["topics"]) == ("draft", None, [])
    assert Profile.objects.get(user=user).notes_count == 0

    url = f"{URL}/{body['id']}"
    refused = api.post(f"{url}/publish")
    assert refused.status_code == 400
    assert refused.json()["error"]["code"] == "note.title_required"

    assert api.patch(url, {"title": "草稿", "category": "food"}).status_code == 200
    published = api.post(f"{url}/publish")
    assert published.status_code == 200
    assert published.json()["status"] == "published"
    assert [t["name"] for t in published.json()["topics"]] == ["OOTD"]
    assert api.post(f"{url}/publish").json()["published_at"] == published.json()["published_at"]
    assert Profile.objects.get(user=user).notes_count == 1


def test_a_retried_note_with_its_idempotency_key_is_created_once(api, user, stored_files) -> None:
    headers = {"Idempotency-Key": "note-2026-11-26-001"}
    data = {"title": "春日穿搭", "category": "fashion"}
    first = api.post(URL, {**data, "images": [image_upload()]}, format="multipart", headers=headers)
    again = api.post(URL, {**data, "images": [image_upload()]}, format="multipart", headers=headers)
    assert first.status_code == again.status_code == 201
    assert again.json()["id"] == first.json()["id"]
    assert Note.objects.count() == 1
    assert len(stored_files()) == 2  # the retry stored nothing
    assert Profile.objects.get(user=user).notes_count == 1
