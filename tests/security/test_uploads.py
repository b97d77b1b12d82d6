"""Findings 6 and 9: images are checked from their header before decoding, and decoded reduced.

What Pillow decodes is observed by wrapping ``ImageFile.load`` (Pillow's, not ours): each call
records the size of the buffer it fills, so a test can say "nothing was decoded" or "decoded at a
quarter of the size" without timing anything.
"""

import struct
import zlib
from io import BytesIO

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image, ImageFile

from apps.core.images import image_work_slot
from apps.notes.models import Note, NoteMedia
from tests.notes.factories import image_upload, make_video, video_upload

pytestmark = pytest.mark.django_db
NOTES_URL = "/api/v1/notes"
AVATAR_URL = "/api/v1/me/avatar"


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png_of_zeros(width: int, height: int, color_type: int = 6) -> bytes:
    """A valid PNG of black pixels, compressed a row at a time (never the whole raster in RAM).

    Colour type 6 is 8-bit RGBA, the most memory a PNG can ask of Pillow per pixel.
    """
    channels = {0: 1, 2: 3, 6: 4}[color_type]
    row = b"\0" * (1 + width * channels)  # filter byte 0, then the pixels
    compressor = zlib.compressobj(9)
    parts = [compressor.compress(row) for _ in range(height)]
    parts.append(compressor.flush())
    header = struct.pack(">IIBBBBB", width, height, 8, color_type, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", header)
        + _chunk(b"IDAT", b"".join(parts))
        + _chunk(b"IEND", b"")
    )


@pytest.fixture
def decoded(monkeypatch) -> list[tuple[int, int]]:
    """Sizes of every buffer Pillow decodes during the test."""
    sizes: list[tuple[int, int]] = []
    original = ImageFile.ImageFile.load

    def load(self):
        if self.tile:  # something left to decode
            sizes.append(self.size)
        return original(self)

    monkeypatch.setattr(ImageFile.ImageFile, "load", load)
    return sizes


def _post_note(api, upload):
    data = {"title": "大图", "body": "测试", "category": "fashion", "images": [upload]}
    return api.post(NOTES_URL, data, format="multipart")


def _refused(response, code: str) -> None:
    assert response.status_code == 400, response.content
    assert response.json()["error"]["code"] == code


BOMB = png_of_zeros(12_000, 12_000)  # 144 MP declared in about 560 kB


def test_the_bomb_is_small_on_the_wire() -> None:
    assert len(BOMB) < 1024 * 1024
    with Image.open(BytesIO(BOMB)) as header:
        assert header.size == (12_000, 12_000)


def test_a_decompression_bomb_note_image_is_refused_before_any_decoding(api, decoded) -> None:
    response = _post_note(api, SimpleUploadedFile("bomb.png", BOMB, content_type="image/png"))
    _refused(response, "note.image_too_many_pixels")
    assert decoded == []
    assert not Note.objects.exists()


def test_a_decompression_bomb_cover_is_refused_before_it_is_decoded(api, decoded, tmp_path) -> None:
    """Only the video's own 32x32 frame is decoded; the bomb cover never is."""
    video = make_video(tmp_path / "clip.mp4", seconds=2)
    data = {
        "title": "封面",
        "body": "测试",
        "category": "fashion",
        "video": video_upload(video),
        "cover": SimpleUploadedFile("bomb.png", BOMB, content_type="image/png"),
    }
    response = api.post(NOTES_URL, data, format="multipart")
    _refused(response, "note.image_too_many_pixels")
    assert "cover" in response.json()["error"]["fields"]
    assert all(width * height <= 32 * 32 for width, height in decoded), decoded


def test_a_decompression_bomb_avatar_is_refused_before_any_decoding(api, decoded) -> None:
    upload = SimpleUploadedFile("bomb.png", BOMB, content_type="image/png")
    response = api.put(AVATAR_URL, {"avatar": upload}, format="multipart")
    _refused(response, "avatar.too_many_pixels")
    assert decoded == []


def test_the_pixel_limit_is_what_phones_produce() -> None:
    """48-50 MP full-resolution phone photos pass; the old 64 MP limit does not stay."""
    assert 48_000_000 <= settings.NOTES_IMAGE_MAX_PIXELS <= 50_000_000
    assert settings.IMAGE_MAX_PIXELS <= 50_000_000


def test_formats_decoded_at_full_size_get_fewer_pixels(api, decoded, settings) -> None:
    """A PNG has no draft mode: its limit is the decode budget over 4 bytes a pixel."""
    settings.IMAGE_DECODE_BUDGET_BYTES = 4 * 1_000_000
    too_many = png_of_zeros(1001, 1000, color_type=2)
    response = _post_note(api, SimpleUploadedFile("big.png", too_many, content_type="image/png"))
    _refused(response, "note.image_too_many_pixels")
    assert "1,000,000" in response.json()["error"]["fields"]["images"][0]
    assert decoded == []
    out = BytesIO()
    Image.new("RGB", (1200, 1000), "salmon").save(out, "JPEG")
    jpeg = SimpleUploadedFile("ok.jpg", out.getvalue(), content_type="image/jpeg")
    assert _post_note(api, jpeg).status_code == 201  # JPEG decodes reduced: 50 MP cap applies


def test_a_png_just_over_the_limit_is_refused_undecoded(api, decoded, settings) -> None:
    settings.NOTES_IMAGE_MAX_PIXELS = 1_000_000
    response = _post_note(
        api, SimpleUploadedFile("big.png", png_of_zeros(1001, 1000), content_type="image/png")
    )
    _refused(response, "note.image_too_many_pixels")
    assert decoded == []


def test_a_jpeg_is_decoded_reduced_not_at_full_size(api, decoded) -> None:
    """A 12 MP phone photo is decoded through draft mode: at most a quarter of its pixels."""
    out = BytesIO()
    Image.new("RGB", (4032, 3024), "salmon").save(out, "JPEG", quality=80)
    response = _post_note(
        api, SimpleUploadedFile("phone.jpg", out.getvalue(), content_type="image/jpeg")
    )
    assert response.status_code == 201, response.content
    media = NoteMedia.objects.get()
    assert (media.width, media.height) == (4032, 3024)
    assert decoded, "the image was never decoded"
    assert max(w * h for w, h in decoded) <= 4032 * 3024 // 4


def test_exif_rotation_is_applied_to_the_reduced_copy(api, decoded) -> None:
    """A portrait photo stored landscape with EXIF orientation 6 comes out portrait."""
    image = Image.new("RGB", (6000, 3000), "salmon")
    exif = image.getexif()
    exif[0x0112] = 6  # rotate 90 degrees clockwise to display
    out = BytesIO()
    image.save(out, "JPEG", exif=exif.tobytes())
    response = _post_note(
        api, SimpleUploadedFile("turned.jpg", out.getvalue(), content_type="image/jpeg")
    )
    assert response.status_code == 201, response.content
    media = NoteMedia.objects.get()
    assert (media.width, media.height) == (3000, 6000)
    with Image.open(media.thumbnail.path) as thumbnail:
        assert thumbnail.height > thumbnail.width
    assert max(w * h for w, h in decoded) <= 6000 * 3000 // 4


def test_a_truncated_png_is_still_refused(api) -> None:
    whole = png_of_zeros(300, 300, color_type=2)
    response = _post_note(api, SimpleUploadedFile("cut.png", whole[:-40], content_type="image/png"))
    _refused(response, "note.invalid_image")


def test_image_work_is_bounded_by_a_process_wide_semaphore(api, settings) -> None:
    """With every decoding slot taken, an upload waits, then answers 503 image.busy."""
    settings.IMAGE_WORK_CONCURRENCY = 1
    settings.IMAGE_WORK_WAIT_SECONDS = 0.05
    with image_work_slot():
        response = _post_note(api, image_upload())
    assert response.status_code == 503, response.content
    assert response.json()["error"]["code"] == "image.busy"
    assert not Note.objects.exists()
    assert _post_note(api, image_upload()).status_code == 201
