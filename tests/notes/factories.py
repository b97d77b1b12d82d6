"""Factories and real media for the notes tests (images by Pillow, videos by ffmpeg)."""

import subprocess
from io import BytesIO
from pathlib import Path

import factory
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from apps.accounts.models import Category
from apps.notes.models import Board, Comment, Note, NoteKind, NoteStatus
from apps.notes.ranking import note_rank
from tests.factories import UserFactory


def image_bytes(
    fmt: str = "JPEG", size: tuple[int, int] = (64, 48), color: str = "salmon"
) -> bytes:
    out = BytesIO()
    mode = "RGBA" if fmt == "PNG" else "RGB"
    Image.new(mode, size, color).save(out, fmt)
    return out.getvalue()


def image_upload(
    name: str = "photo.jpg",
    fmt: str = "JPEG",
    size: tuple[int, int] = (64, 48),
    color: str = "salmon",
) -> SimpleUploadedFile:
    content_type = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp"}.get(
        fmt, "application/octet-stream"
    )
    return SimpleUploadedFile(name, image_bytes(fmt, size, color), content_type=content_type)


def make_video(path: Path, *, seconds: float, container: str = "mp4", fps: int = 2) -> Path:
    """A real H.264 video at 32x32 and a low frame rate: long videos stay a few KB."""
    if not path.exists():
        subprocess.run(
            [
                "ffmpeg",
                "-v",
                "error",
                "-y",
                "-f",
                "lavfi",
                "-i",
                f"color=c=teal:s=32x24:r={fps}",
                "-t",
                str(seconds),
                "-c:v",
                "libx264",
                "-pix_fmt",
                "yuv420p",
                "-f",
                container,
                str(path),
            ],
            check=True,
            timeout=120,
        )
    return path


def video_upload(path: Path, name: str | None = None) -> SimpleUploadedFile:
    content_type = "video/quicktime" if path.suffix == ".mov" else "video/mp4"
    return SimpleUploadedFile(name or path.name, path.read_bytes(), content_type=content_type)


def category(slug: str = "beauty") -> Category:
    """A taxonomy row (re-created when a transactional test has flushed the seeded ones)."""
    return Category.objects.get_or_create(slug=slug, defaults={"name": slug, "name_zh": slug})[0]


class NoteFactory(factory.django.DjangoModelFactory):
    """A published public image note without files (feeds and lists need no media).

    Counters are not touched here: engagement goes through the services in tests of counts.
    """

    class Meta:
        model = Note

    author = factory.SubFactory(UserFactory)
    kind = NoteKind.IMAGE
    title = factory.Sequence(lambda n: f"笔记 {n}")
    body = "今天分享一个好物"
    category = factory.LazyFunction(category)
    status = NoteStatus.PUBLISHED
    published_at = factory.LazyFunction(timezone.now)
    search_text = factory.LazyAttribute(lambda note: f"{note.title}\n{note.body}".casefold())
    likes_count = 0
    collects_count = 0
    comments_count = 0
    shares_count = 0
    rank = factory.LazyAttribute(
        lambda note: note_rank(
            published_at=note.published_at,
            likes=note.likes_count,
            collects=note.collects_count,
            comments=note.comments_count,
            shares=note.shares_count,
        )
    )


class CommentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Comment

    note = factory.SubFactory(NoteFactory)
    author = factory.SubFactory(UserFactory)
    body = factory.Sequence(lambda n: f"评论 {n}")


class BoardFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Board

    owner = factory.SubFactory(UserFactory)
    name = factory.Sequence(lambda n: f"收藏夹 {n}")
