"""The one way an uploaded image is accepted: header first, then bounded, reduced decoding.

Pillow's ``Image.open`` reads only the header, so format and dimensions are checked before a
single pixel is decoded: a decompression bomb (a 500 kB PNG declaring 12000x12000) is refused in
milliseconds. What passes is decoded as small as it can be: JPEG through ``draft()`` (the decoder
scales by 1/2, 1/4 or 1/8 while decoding), everything through ``thumbnail()`` (``reduce()`` then a
resample), with the EXIF rotation applied to the reduced copy, never to a full-size one. Decoding
runs under a process-wide semaphore (``IMAGE_WORK_CONCURRENCY``), so memory is bounded by the
pixel limit times that number, whatever the number of concurrent uploads.

Formats without a draft mode cost a full-size decode, so their pixel limit is the smaller of
``IMAGE_MAX_PIXELS`` and ``IMAGE_DECODE_BUDGET_BYTES`` over their cost a pixel
(``DECODE_BYTES_PER_PIXEL``); ``bench/uploads.py`` measures the worst case of each.
"""

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from io import BytesIO
from typing import IO

from django.conf import settings
from PIL import ExifTags, Image, ImageOps, UnidentifiedImageError

from apps.core.errors import ServiceUnavailable

ACCEPTED_FORMATS = frozenset({"JPEG", "PNG", "WEBP"})
EXTENSIONS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp"}
# Peak bytes a pixel costs while decoding, per format (measured with bench/uploads.py): JPEG
# decodes through draft mode at 1/4 to 1/8 of its pixels; PNG fills one 4-byte-a-pixel buffer;
# Pillow's WebP decoder holds libwebp's buffers, a copy of them as bytes, and the image.
DECODE_BYTES_PER_PIXEL = {"JPEG": 1, "PNG": 4, "WEBP": 16}
# EXIF orientations 5 to 8 turn the picture by a quarter: width and height swap.
_QUARTER_TURNS = frozenset({5, 6, 7, 8})
_DECODE_ERRORS = (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError)


class ImageRefused(Exception):
    """Why an image was refused: ``reason`` is ``invalid``, ``format`` or ``pixels``.

    Callers turn it into their own stable error code (``note.invalid_image``,
    ``avatar.too_many_pixels``...), so the codes clients know stay as they are.
    """

    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(detail)
        self.reason = reason
        self.detail = detail


@dataclass(frozen=True, slots=True)
class ImageHeader:
    format: str  # JPEG, PNG or WEBP
    width: int  # as displayed: EXIF rotation applied when the header says so
    height: int


@dataclass(frozen=True, slots=True)
class Thumbnail:
    data: bytes  # JPEG
    width: int
    height: int


_semaphore_lock = threading.Lock()
_semaphores: dict[int, threading.BoundedSemaphore] = {}


def _work_semaphore() -> threading.BoundedSemaphore:
    """The process's semaphore for the configured concurrency (one per value, made once)."""
    size = max(1, settings.IMAGE_WORK_CONCURRENCY)
    with _semaphore_lock:
        if size not in _semaphores:
            _semaphores[size] = threading.BoundedSemaphore(size)
        return _semaphores[size]


@contextmanager
def image_work_slot() -> Iterator[None]:
    """Hold one of the process's image-decoding slots (503 when none frees up in time)."""
    semaphore = _work_semaphore()
    if not semaphore.acquire(timeout=settings.IMAGE_WORK_WAIT_SECONDS):
        raise ServiceUnavailable(
            "Too many images are being processed; try again shortly.", code="image.busy"
        )
    try:
        yield
    finally:
        semaphore.release()


def _open(source: IO[bytes]) -> Image.Image:
    source.seek(0)
    try:
        return Image.open(source)
    except Image.DecompressionBombError:
        raise ImageRefused("pixels", "The image declares far too many pixels.") from None
    except _DECODE_ERRORS:
        raise ImageRefused("invalid", "Upload a real JPEG, PNG or WebP image.") from None


def pixel_limit(image_format: str, max_pixels: int) -> int:
    """The most pixels accepted in ``image_format``: ``max_pixels``, or less where decoding
    one pixel costs more than the decode budget allows (PNG, WebP)."""
    per_pixel = DECODE_BYTES_PER_PIXEL.get(image_format, 4)
    return min(max_pixels, settings.IMAGE_DECODE_BUDGET_BYTES // per_pixel)


def _check_header(
    image: Image.Image, *, max_pixels: int, max_side: int | None
) -> tuple[str, int, int]:
    image_format = image.format or ""
    if image_format not in ACCEPTED_FORMATS:
        raise ImageRefused("format", f"{image_format or 'This format'} is not accepted.")
    width, height = image.size
    if width < 1 or height < 1:
        raise ImageRefused("invalid", "The image has no pixels.")
    limit = pixel_limit(image_format, max_pixels)
    if width * height > limit:
        raise ImageRefused("pixels", f"At most {limit:,} pixels for {image_format}.")
    if max_side is not None and (width > max_side or height > max_side):
        raise ImageRefused("pixels", f"At most {max_side}x{max_side} pixels.")
    return image_format, width, height


def read_header(
    source: IO[bytes], *, max_pixels: int | None = None, max_side: int | None = None
) -> ImageHeader:
    """Format and size from the header alone: nothing is decoded (safe before any limit)."""
    limit = max_pixels if max_pixels is not None else settings.IMAGE_MAX_PIXELS
    with _open(source) as image:
        image_format, width, height = _check_header(image, max_pixels=limit, max_side=max_side)
    return ImageHeader(image_format, width, height)


def _orientation(image: Image.Image) -> int:
    try:
        value = image.getexif().get(ExifTags.Base.Orientation, 1)
    except _DECODE_ERRORS:
        return 1
    return value if isinstance(value, int) and 1 <= value <= 8 else 1


def _flatten_to_rgb(image: Image.Image) -> Image.Image:
    """RGB for JPEG: transparent pixels become white (on the reduced copy only)."""
    if image.mode in ("RGB", "L"):
        return image.convert("RGB") if image.mode == "L" else image
    rgba = image.convert("RGBA")
    background = Image.new("RGB", rgba.size, (255, 255, 255))
    background.paste(rgba, mask=rgba.getchannel("A"))
    return background


def _reduce(image: Image.Image, factor: int) -> Image.Image:
    """``image.reduce(factor)`` without a second full-size buffer.

    Pillow reduces RGBA and LA through a premultiplied full-size copy; a strip at a time keeps
    that copy to a few rows (box averaging is local, so the result is the same).
    """
    if factor <= 1:
        return image
    if image.mode not in ("RGBA", "LA"):
        return image.reduce(factor)
    width, height = image.size
    out = Image.new(image.mode, (-(-width // factor), -(-height // factor)))
    rows = factor * 32
    for top in range(0, height, rows):
        strip = image.crop((0, top, width, min(height, top + rows)))
        out.paste(strip.reduce(factor), (0, top // factor))
    return out


def encode_thumbnail(image: Image.Image, box: tuple[int, int], quality: int) -> Thumbnail:
    """Shrink a (lazily opened) image into ``box`` and encode it as JPEG, reducing as it loads.

    JPEG is asked for a draft at twice the fitted size, so the decoder itself scales down; the
    decoded image is then reduced by an integer factor (in strips) and resampled. Orientation
    from EXIF is applied to the small copy.
    """
    orientation = _orientation(image)  # JPEG/WebP: from the header; PNG may load here
    target = (box[1], box[0]) if orientation in _QUARTER_TURNS else box
    width, height = image.size
    scale = min(target[0] / width, target[1] / height, 1.0)
    # Pillow's own draft request is the box, not the fitted size, so a landscape photo in a
    # portrait box would decode at full size: ask for twice the fitted size instead.
    image.draft(None, (max(1, round(width * scale * 2)), max(1, round(height * scale * 2))))
    image.load()
    width, height = image.size
    fitted = (max(1, round(width * scale)), max(1, round(height * scale)))
    factor = max(1, min(width // (fitted[0] * 2), height // (fitted[1] * 2)))
    small = _reduce(image, factor)
    small.thumbnail(target)
    small.info = image.info
    small = _flatten_to_rgb(ImageOps.exif_transpose(small))
    out = BytesIO()
    small.save(out, "JPEG", quality=quality, optimize=True)
    return Thumbnail(out.getvalue(), small.width, small.height)


def accept_image(
    source: IO[bytes],
    *,
    max_pixels: int | None = None,
    max_side: int | None = None,
    thumbnail_box: tuple[int, int] | None = None,
    thumbnail_quality: int = 82,
) -> tuple[ImageHeader, Thumbnail | None]:
    """Check an upload (header first), then decode it reduced to prove it is a whole image.

    Returns the header (dimensions as displayed) and, when ``thumbnail_box`` is given, a JPEG
    thumbnail. Raises ``ImageRefused`` for anything not accepted, ``ServiceUnavailable`` when
    no decoding slot frees up.
    """
    limit = max_pixels if max_pixels is not None else settings.IMAGE_MAX_PIXELS
    with _open(source) as image:
        image_format, width, height = _check_header(image, max_pixels=limit, max_side=max_side)
        with image_work_slot():
            try:
                if thumbnail_box is not None:
                    orientation = _orientation(image)
                    thumbnail = encode_thumbnail(image, thumbnail_box, thumbnail_quality)
                else:
                    # A whole decode proves the file is not truncated; JPEG decodes at 1/8.
                    image.draft(None, (max(1, width // 8), max(1, height // 8)))
                    image.load()
                    orientation = _orientation(image)
                    thumbnail = None
            except Image.DecompressionBombError:
                raise ImageRefused("pixels", f"At most {limit:,} pixels.") from None
            except _DECODE_ERRORS:
                raise ImageRefused("invalid", "Upload a real JPEG, PNG or WebP image.") from None
    if orientation in _QUARTER_TURNS:
        width, height = height, width
    source.seek(0)
    return ImageHeader(image_format, width, height), thumbnail
