"""Checking and storing note media: images through Pillow, videos through ffprobe and ffmpeg.

Everything is checked before anything is stored: ``inspect_image`` / ``inspect_video`` read an
upload and return what will be stored (the thumbnail or cover already rendered in memory), and
``StoredFiles`` saves them through Django's storage API, deleting every saved file again if the
write that follows fails. So a rejected note never leaves a file behind.
"""

import json
import logging
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from io import BytesIO

from django.conf import settings
from django.core.files.base import ContentFile, File
from django.core.files.storage import Storage, default_storage
from django.core.files.uploadedfile import UploadedFile
from django.utils import timezone

from apps.core.errors import InvalidInput, ServiceUnavailable
from apps.core.images import EXTENSIONS, ImageRefused, accept_image

logger = logging.getLogger(__name__)

IMAGE_FORMATS = EXTENSIONS
THUMBNAIL_BOX = (540, 1080)  # card width on a phone at 2x; tall images keep their shape
THUMBNAIL_QUALITY = 82
PROBE_TIMEOUT_SECONDS = 30


@dataclass
class ImageUpload:
    upload: UploadedFile
    format: str  # JPEG, PNG or WEBP
    width: int
    height: int
    thumbnail: bytes
    thumbnail_width: int
    thumbnail_height: int


@dataclass
class VideoUpload:
    upload: UploadedFile
    format: str  # MP4 or MOV
    width: int
    height: int
    duration_seconds: float
    cover: bytes
    cover_width: int
    cover_height: int


def _refuse(field: str, code: str, message: str, detail: str) -> InvalidInput:
    return InvalidInput(message, code=code, fields={field: [detail]})


def _image_refusal(refused: ImageRefused, *, field: str, label: str) -> InvalidInput:
    """The notes' stable codes for the shared validator's reasons."""
    if refused.reason == "format":
        return _refuse(
            field,
            "note.unsupported_image_format",
            f"{label} must be JPEG, PNG or WebP.",
            f"{refused.detail} Use JPEG, PNG or WebP.",
        )
    if refused.reason == "pixels":
        return _refuse(
            field,
            "note.image_too_many_pixels",
            f"{label} has too many pixels.",
            refused.detail,
        )
    return _refuse(
        field,
        "note.invalid_image",
        f"{label} is not a valid image.",
        "Upload a real JPEG, PNG or WebP image.",
    )


def inspect_image(upload: UploadedFile, *, field: str, label: str = "The image") -> ImageUpload:
    """Check one image upload (size, real format, pixels from the header) and render its
    thumbnail from a reduced decode (``apps.core.images``)."""
    limit = settings.NOTES_IMAGE_MAX_BYTES
    if upload.size is None or upload.size > limit:
        raise _refuse(
            field,
            "note.image_too_large",
            f"{label} is larger than {limit // (1024 * 1024)} MB.",
            f"At most {limit // (1024 * 1024)} MB.",
        )
    try:
        header, thumbnail = accept_image(
            upload,
            max_pixels=settings.NOTES_IMAGE_MAX_PIXELS,
            thumbnail_box=THUMBNAIL_BOX,
            thumbnail_quality=THUMBNAIL_QUALITY,
        )
    except ImageRefused as refused:
        raise _image_refusal(refused, field=field, label=label) from None
    assert thumbnail is not None
    return ImageUpload(
        upload=upload,
        format=header.format,
        width=header.width,
        height=header.height,
        thumbnail=thumbnail.data,
        thumbnail_width=thumbnail.width,
        thumbnail_height=thumbnail.height,
    )


@contextmanager
def _local_path(upload: UploadedFile) -> Iterator[str]:
    """A filesystem path holding the upload (Django spools large uploads to disk already)."""
    if hasattr(upload, "temporary_file_path"):
        yield upload.temporary_file_path()
        return
    with tempfile.NamedTemporaryFile(suffix=".upload") as handle:
        upload.seek(0)
        for chunk in upload.chunks():
            handle.write(chunk)
        handle.flush()
        upload.seek(0)
        yield handle.name


def _ffprobe(path: str) -> dict:
    command = [
        settings.NOTES_FFPROBE_BINARY,
        "-v",
        "error",
        "-print_format",
        "json",
        "-show_format",
        "-show_streams",
        path,
    ]
    try:
        completed = subprocess.run(
            command, capture_output=True, timeout=PROBE_TIMEOUT_SECONDS, check=False
        )
    except subprocess.TimeoutExpired:
        return {}
    except OSError:  # no ffprobe on this server: say so instead of calling the file invalid
        logger.error("ffprobe not runnable: %s", settings.NOTES_FFPROBE_BINARY)
        raise ServiceUnavailable(
            "Video uploads are unavailable right now; try again later or post images.",
            code="note.video_unavailable",
        ) from None
    if completed.returncode != 0:
        return {}
    try:
        return json.loads(completed.stdout or b"{}")
    except ValueError:
        return {}


def _rotation(stream: dict) -> int:
    for side_data in stream.get("side_data_list", []) or []:
        if "rotation" in side_data:
            try:
                return int(float(side_data["rotation"])) % 360
            except (TypeError, ValueError):
                return 0
    try:
        return int(stream.get("tags", {}).get("rotate", 0)) % 360
    except (TypeError, ValueError):
        return 0


def _extract_cover(path: str, *, at_seconds: float) -> bytes:
    command = [
        settings.NOTES_FFMPEG_BINARY,
        "-v",
        "error",
        "-ss",
        f"{at_seconds:.3f}",
        "-i",
        path,
        "-frames:v",
        "1",
        "-f",
        "image2",
        "-c:v",
        "png",
        "pipe:1",
    ]
    try:
        completed = subprocess.run(
            command, capture_output=True, timeout=PROBE_TIMEOUT_SECONDS, check=False
        )
    except (subprocess.TimeoutExpired, OSError):
        return b""
    return completed.stdout if completed.returncode == 0 else b""


def inspect_video(upload: UploadedFile, *, field: str = "video") -> VideoUpload:
    """Check a video upload with ffprobe (MP4/MOV, a video stream, duration) and grab a cover."""
    limit = settings.NOTES_VIDEO_MAX_BYTES
    if upload.size is None or upload.size > limit:
        raise _refuse(
            field,
            "note.video_too_large",
            f"The video is larger than {limit // (1024 * 1024)} MB.",
            f"At most {limit // (1024 * 1024)} MB.",
        )
    invalid = _refuse(
        field,
        "note.invalid_video",
        "The video is not a valid MP4 or MOV file.",
        "Upload an MP4 or MOV video.",
    )
    with _local_path(upload) as path:
        probe = _ffprobe(path)
        format_info = probe.get("format") or {}
        format_names = set(str(format_info.get("format_name", "")).split(","))
        video_streams = [
            s
            for s in probe.get("streams") or []
            if s.get("codec_type") == "video"
            and not (s.get("disposition") or {}).get("attached_pic")
            and s.get("width")
            and s.get("height")
        ]
        if not {"mp4", "mov"} & format_names or not video_streams:
            raise invalid
        try:
            duration = float(format_info.get("duration") or video_streams[0].get("duration"))
        except (TypeError, ValueError):
            raise invalid from None
        if not duration > 0:
            raise invalid
        max_seconds = settings.NOTES_VIDEO_MAX_SECONDS
        if duration > max_seconds:
            raise _refuse(
                field,
                "note.video_too_long",
                f"The video is longer than {max_seconds // 60} minutes.",
                f"At most {max_seconds // 60} minutes; this one lasts {duration / 60:.1f}.",
            )
        brand = str((format_info.get("tags") or {}).get("major_brand", "")).strip()
        video_format = "MOV" if brand == "qt" else "MP4"
        stream = video_streams[0]
        width, height = int(stream["width"]), int(stream["height"])
        if _rotation(stream) in (90, 270):
            width, height = height, width
        frame = _extract_cover(path, at_seconds=min(1.0, duration / 2))
    if not frame:
        raise invalid
    try:
        _, thumbnail = accept_image(
            BytesIO(frame),
            max_pixels=settings.NOTES_IMAGE_MAX_PIXELS,
            thumbnail_box=THUMBNAIL_BOX,
            thumbnail_quality=THUMBNAIL_QUALITY,
        )
    except ImageRefused:
        raise invalid from None
    assert thumbnail is not None
    cover, cover_width, cover_height = thumbnail.data, thumbnail.width, thumbnail.height
    return VideoUpload(
        upload=upload,
        format=video_format,
        width=width,
        height=height,
        duration_seconds=round(duration, 3),
        cover=cover,
        cover_width=cover_width,
        cover_height=cover_height,
    )


def _base_name() -> str:
    return f"notes/{timezone.now():%Y/%m}/{uuid.uuid4().hex}"


class StoredFiles:
    """Files saved for one write; ``discard()`` deletes them when the write does not commit."""

    def __init__(self, storage: Storage | None = None) -> None:
        self.storage = storage or default_storage
        self.names: list[str] = []

    def save_upload(self, upload: UploadedFile, extension: str) -> tuple[str, str]:
        """Save an upload; returns (file name, base name for its derivatives)."""
        base = _base_name()
        upload.seek(0)
        name = self.storage.save(f"{base}.{extension}", File(upload))
        self.names.append(name)
        return name, base

    def save_bytes(self, name: str, data: bytes) -> str:
        saved = self.storage.save(name, ContentFile(data))
        self.names.append(saved)
        return saved

    def discard(self) -> None:
        for name in self.names:
            self.storage.delete(name)
        self.names.clear()


def delete_files(names: list[str], storage: Storage | None = None) -> None:
    """Delete stored files (called on commit when media are replaced)."""
    storage = storage or default_storage
    for name in names:
        if name:
            storage.delete(name)
