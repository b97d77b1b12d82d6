"""Server memory for the worst allowed image upload, and the time to refuse a decompression bomb.

Starts the real server (uvicorn, embedded SQLite mode, a free port, its own temp folder), one
fresh process per case, and measures that process from /proc: the idle RSS after a warm-up
request, then the peak (VmHWM, reset after the warm-up) while it takes one upload. Each figure
is printed beside the idle RSS of the same server (the ratio), so a slower or larger machine
shifts both.

Cases: a note image and an avatar at their pixel limits in 8-bit RGBA PNG (no draft mode, four
bytes a pixel: the costliest format Pillow decodes), a JPEG note image at the pixel limit, and the
12000x12000 PNG bomb as a note image and as an avatar, timed against an upload of a 64x48 image
to the same server (the reference).

    .venv/bin/python bench/uploads.py [--pixels 50000000] [--max-peak-mb 300]

``--pixels`` lowers the note-image case for smoke runs (the server's own limit is unchanged).
Exits 1 when a peak reaches ``--max-peak-mb``.
"""

import argparse
import http.client
import json
import math
import os
import socket
import struct
import subprocess
import sys
import tempfile
import time
import uuid
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = str(ROOT / ".venv" / "bin" / "python") if (ROOT / ".venv").exists() else sys.executable
USERNAME = "bench_uploads"
PASSWORD = "bench-uploads-2026"
BOUNDARY = "----bench-uploads-boundary"


# --- images ------------------------------------------------------------------------------


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png_rgba(width: int, height: int, *, noise: bool = True) -> bytes:
    """An 8-bit RGBA PNG, compressed row by row (the raster is never held whole here).

    Rows carry a little noise so the file is not trivially small; the decoder's memory is the
    same whatever the content (a full-size buffer).
    """
    compressor = zlib.compressobj(6)
    parts = []
    zeros = b"\0" * (width * 4)
    noisy = os.urandom(width * 4) if noise else zeros
    for y in range(height):
        row = noisy if y % 64 == 0 else zeros
        parts.append(compressor.compress(b"\0" + row))
    parts.append(compressor.flush())
    header = struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", header)
        + _chunk(b"IDAT", b"".join(parts))
        + _chunk(b"IEND", b"")
    )


def jpeg(width: int, height: int) -> bytes:
    from PIL import Image

    out = BytesIO()
    Image.new("RGB", (width, height), (200, 120, 100)).save(out, "JPEG", quality=85)
    return out.getvalue()


def webp(width: int, height: int) -> bytes:
    from PIL import Image

    out = BytesIO()
    Image.new("RGBA", (width, height), (200, 120, 100, 128)).save(out, "WEBP", quality=80)
    return out.getvalue()


def side_for(pixels: int) -> int:
    return math.isqrt(pixels)


# --- the server --------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def proc_kb(pid: int, field: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise RuntimeError(f"{field} not in /proc/{pid}/status")


def reset_peak(pid: int) -> None:
    """Reset VmHWM to the current RSS (Linux: writing 5 to clear_refs)."""
    Path(f"/proc/{pid}/clear_refs").write_text("5")


@dataclass
class Server:
    process: subprocess.Popen
    port: int

    def request(
        self, method: str, path: str, body: bytes = b"", headers: dict | None = None
    ) -> tuple[int, bytes]:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=120)
        connection.request(method, path, body=body, headers=headers or {})
        response = connection.getresponse()
        data = response.read()
        connection.close()
        return response.status, data


def start_server(env: dict[str, str]) -> Server:
    port = free_port()
    process = subprocess.Popen(
        [
            *(PYTHON, "-m", "uvicorn", "config.asgi:application", "--host", "127.0.0.1"),
            *("--port", str(port), "--log-level", "warning"),
        ],
        cwd=ROOT,
        env=env,
    )
    server = Server(process, port)
    for _ in range(240):
        try:
            if server.request("GET", "/healthz")[0] == 200:
                return server
        except OSError:
            pass
        time.sleep(0.25)
    process.kill()
    raise RuntimeError("the server did not start")


def stop_server(server: Server) -> None:
    server.process.terminate()
    try:
        server.process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        server.process.kill()


def multipart(fields: dict[str, str], files: dict[str, tuple[str, bytes, str]]) -> bytes:
    parts = []
    for name, value in fields.items():
        head = f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'
        parts.append(head.encode() + value.encode() + b"\r\n")
    for name, (filename, data, content_type) in files.items():
        head = (
            f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{name}"; '
            f'filename="{filename}"\r\nContent-Type: {content_type}\r\n\r\n'
        )
        parts.append(head.encode() + data + b"\r\n")
    parts.append(f"--{BOUNDARY}--\r\n".encode())
    return b"".join(parts)


def token(server: Server) -> str:
    body = json.dumps({"username": USERNAME, "password": PASSWORD}).encode()
    status, data = server.request(
        "POST", "/api/v1/auth/login", body, {"Content-Type": "application/json"}
    )
    if status != 200:
        raise RuntimeError(f"login failed: {status} {data[:200]!r}")
    return json.loads(data)["access"]


def note_upload(access: str, image: bytes, name: str, content_type: str) -> tuple[str, bytes, dict]:
    fields = {"title": "bench", "body": "bench upload", "category": "fashion"}
    body = multipart(fields, {"images": (name, image, content_type)})
    return "/api/v1/notes", body, _headers(access)


def avatar_upload(
    access: str, image: bytes, name: str, content_type: str
) -> tuple[str, bytes, dict]:
    body = multipart({}, {"avatar": (name, image, content_type)})
    return "/api/v1/me/avatar", body, _headers(access)


def _headers(access: str) -> dict:
    return {
        "Authorization": f"Bearer {access}",
        "Content-Type": f"multipart/form-data; boundary={BOUNDARY}",
        "Idempotency-Key": uuid.uuid4().hex,
    }


Upload = Callable[[str, bytes, str, str], tuple[str, bytes, dict]]


def _send(server: Server, method: str, prepared: tuple[str, bytes, dict]) -> int:
    path, body, headers = prepared
    return server.request(method, path, body, headers)[0]


# --- cases -------------------------------------------------------------------------------


def measure_peak(
    env: dict[str, str],
    label: str,
    method: str,
    upload: Upload,
    image: bytes,
    name: str,
    content_type: str,
    expect: int,
) -> dict:
    """A fresh server: warm it up, reset the peak, take one upload, read the peak."""
    from PIL import Image

    server = start_server(env)
    try:
        access = token(server)
        small = BytesIO()
        Image.new("RGB", (64, 48), (10, 20, 30)).save(small, "PNG")
        warm = _send(server, method, upload(access, small.getvalue(), "warm.png", "image/png"))
        assert warm in (200, 201), f"warm-up upload answered {warm}"
        idle_kb = proc_kb(server.process.pid, "VmRSS")
        reset_peak(server.process.pid)
        started = time.perf_counter()
        status = _send(server, method, upload(access, image, name, content_type))
        seconds = time.perf_counter() - started
        peak_kb = proc_kb(server.process.pid, "VmHWM")
    finally:
        stop_server(server)
    if status != expect:
        raise RuntimeError(f"{label}: expected {expect}, got {status}")
    return {
        "case": label,
        "status": status,
        "idle_mb": idle_kb / 1024,
        "peak_mb": peak_kb / 1024,
        "seconds": seconds,
    }


def time_bomb(env: dict[str, str], bomb: bytes, repeats: int = 5) -> list[dict]:
    """Median time to refuse the bomb beside the median time to accept a 64x48 image."""
    from PIL import Image

    server = start_server(env)
    results = []
    try:
        access = token(server)
        small = BytesIO()
        Image.new("RGB", (64, 48), (10, 20, 30)).save(small, "PNG")
        for label, method, upload, code in (
            ("note image", "POST", note_upload, 400),
            ("avatar", "PUT", avatar_upload, 400),
        ):
            _send(server, method, upload(access, small.getvalue(), "warm.png", "image/png"))
            bomb_times, reference_times = [], []
            for _ in range(repeats):
                prepared = upload(access, bomb, "bomb.png", "image/png")
                started = time.perf_counter()
                status = _send(server, method, prepared)
                bomb_times.append(time.perf_counter() - started)
                if status != code:
                    raise RuntimeError(f"bomb as {label}: expected {code}, got {status}")
                prepared = upload(access, small.getvalue(), "small.png", "image/png")
                started = time.perf_counter()
                _send(server, method, prepared)
                reference_times.append(time.perf_counter() - started)
            bomb_times.sort()
            reference_times.sort()
            results.append(
                {
                    "case": label,
                    "bomb_ms": bomb_times[repeats // 2] * 1000,
                    "reference_ms": reference_times[repeats // 2] * 1000,
                }
            )
    finally:
        stop_server(server)
    return results


def time_validator(bomb: bytes, repeats: int = 5) -> tuple[float, float]:
    """In this process: the shared validator refusing the bomb (header only), beside a full
    decode of the same file (what the avatar code did before checking); medians in ms."""
    from PIL import Image

    from apps.core.images import ImageRefused, accept_image

    refusals, decodes = [], []
    for _ in range(repeats):
        started = time.perf_counter()
        try:
            accept_image(BytesIO(bomb))
        except ImageRefused as refused:
            assert refused.reason == "pixels", refused.reason
        else:
            raise RuntimeError("the validator accepted the bomb")
        refusals.append(time.perf_counter() - started)
    Image.MAX_IMAGE_PIXELS = None  # the reference decodes the bomb on purpose
    for _ in range(max(1, repeats // 2)):
        started = time.perf_counter()
        with Image.open(BytesIO(bomb)) as image:
            image.load()
        decodes.append(time.perf_counter() - started)
    return sorted(refusals)[len(refusals) // 2] * 1000, sorted(decodes)[len(decodes) // 2] * 1000


def prepare(workdir: Path) -> dict[str, str]:
    """Migrate a fresh SQLite database and create the bench user; returns the server's env."""
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
    env.update(
        SQLITE_PATH=str(workdir / "db.sqlite3"),
        MEDIA_ROOT=str(workdir / "media"),
        DJANGO_SETTINGS_MODULE="config.settings",
        THROTTLE_WRITE="100000/min",  # many uploads from one user in a few seconds
        THROTTLE_AUTH="100000/min",
    )
    subprocess.run(
        [PYTHON, "manage.py", "migrate", "--no-input", "-v0"], cwd=ROOT, env=env, check=True
    )
    script = (
        "from apps.accounts.models import User, Profile\n"
        f"u, _ = User.objects.get_or_create(username={USERNAME!r})\n"
        f"u.set_password({PASSWORD!r}); u.save()\n"
        "Profile.objects.get_or_create(user=u)\n"
    )
    subprocess.run([PYTHON, "manage.py", "shell", "-c", script], cwd=ROOT, env=env, check=True)
    return env


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--pixels",
        type=int,
        default=None,
        help="note-image pixels (default: the server's NOTES_IMAGE_MAX_PIXELS)",
    )
    parser.add_argument(
        "--avatar-side",
        type=int,
        default=None,
        help="avatar side (default: the server's limit, 4096)",
    )
    parser.add_argument("--max-peak-mb", type=float, default=300.0)
    parser.add_argument("--bomb-side", type=int, default=12_000)
    args = parser.parse_args()

    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.conf import settings

    from apps.accounts.services import AVATAR_MAX_PIXELS
    from apps.core.images import pixel_limit

    cap = args.pixels or settings.NOTES_IMAGE_MAX_PIXELS
    png_side = side_for(pixel_limit("PNG", cap))
    webp_side = side_for(pixel_limit("WEBP", cap))
    jpeg_pixels = pixel_limit("JPEG", cap)
    jpeg_size = (side_for(jpeg_pixels * 4 // 3), side_for(jpeg_pixels * 3 // 4))  # 4:3 photo
    avatar_side = args.avatar_side or AVATAR_MAX_PIXELS

    with tempfile.TemporaryDirectory(prefix="bench-uploads-") as tmp:
        env = prepare(Path(tmp))
        cases = [
            (
                "note image, PNG RGBA",
                "POST",
                note_upload,
                png_rgba(png_side, png_side),
                "worst.png",
                "image/png",
                f"{png_side}x{png_side}",
                201,
            ),
            (
                "note image, WebP",
                "POST",
                note_upload,
                webp(webp_side, webp_side),
                "worst.webp",
                "image/webp",
                f"{webp_side}x{webp_side}",
                201,
            ),
            (
                "note image, JPEG",
                "POST",
                note_upload,
                jpeg(*jpeg_size),
                "worst.jpg",
                "image/jpeg",
                f"{jpeg_size[0]}x{jpeg_size[1]}",
                201,
            ),
            (
                "avatar, PNG RGBA",
                "PUT",
                avatar_upload,
                png_rgba(avatar_side, avatar_side),
                "avatar.png",
                "image/png",
                f"{avatar_side}x{avatar_side}",
                200,
            ),
        ]
        print(
            f"Worst allowed uploads, one fresh server per case (note images: {cap:,} pixels, "
            f"less for PNG and WebP; avatars: {avatar_side}x{avatar_side})"
        )
        print(
            f"{'case':<24}{'size':>12}{'file':>10}{'idle RSS':>11}{'peak RSS':>11}"
            f"{'peak/idle':>11}{'upload':>9}"
        )
        over = False
        for label, method, upload, image, name, content_type, size, expect in cases:
            row = measure_peak(env, label, method, upload, image, name, content_type, expect)
            over |= row["peak_mb"] >= args.max_peak_mb
            print(
                f"{label:<24}{size:>12}{len(image) / 1024:>8.0f}kB{row['idle_mb']:>8.0f} MB"
                f"{row['peak_mb']:>8.0f} MB{row['peak_mb'] / row['idle_mb']:>10.2f}x"
                f"{row['seconds']:>8.2f}s"
            )
        bomb = png_rgba(args.bomb_side, args.bomb_side, noise=False)
        print(
            f"\nDecompression bomb: {args.bomb_side}x{args.bomb_side} PNG of "
            f"{len(bomb) / 1024:.0f} kB, median of 5, beside a 64x48 PNG upload (reference)"
        )
        print(f"{'as':<14}{'refused in':>12}{'reference':>12}{'ratio':>8}")
        for row in time_bomb(env, bomb):
            print(
                f"{row['case']:<14}{row['bomb_ms']:>9.1f} ms{row['reference_ms']:>9.1f} ms"
                f"{row['bomb_ms'] / row['reference_ms']:>7.2f}x"
            )
        refuse_ms, decode_ms = time_validator(bomb)
        print(
            f"validator alone: refused in {refuse_ms:.2f} ms, beside a full decode of the same "
            f"file in {decode_ms:.0f} ms ({decode_ms / refuse_ms:.0f}x)"
        )
        print(f"\nPeak limit {args.max_peak_mb:.0f} MB: {'EXCEEDED' if over else 'held'}")
    return 1 if over else 0


if __name__ == "__main__":
    raise SystemExit(main())
