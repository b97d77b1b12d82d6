"""Real ingest: nginx with the RTMP module, ffmpeg publishing a test pattern, the hooks served
by this test's live server.

nginx runs as an ordinary child process on free ports with a generated config (prefix, pid,
logs and HLS in tmp_path, ``daemon off``); its ``on_publish``/``on_publish_done``/``on_update``
call the platform's hook URL with the shared secret. Checked: a good key puts the room live and
HLS segments appear under the host's public stream id (never the secret); a bad, missing or
rotated key is refused and the room stays as it was; stopping the encoder ends the room with
its duration; ending the room on the platform makes nginx drop the publisher at its next update.
"""

import shutil
import subprocess
import time
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from django.conf import settings

from apps.live import services
from apps.live.models import Publish, Report, Room, RoomStatus
from tests.factories import UserFactory
from tests.live.conftest import make_room
from tests.workers import free_port, stop

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
FFMPEG = shutil.which("ffmpeg") or "/usr/bin/ffmpeg"
RTMP_MODULE = Path("/usr/lib/nginx/modules/ngx_rtmp_module.so")
WAIT = 60.0  # seconds; generous, the machine is shared

CONFIG = """
load_module {module};
daemon off;
master_process off;
worker_processes 1;
pid {prefix}/nginx.pid;
error_log {prefix}/error.log info;
events {{ worker_connections 128; }}
rtmp {{
    server {{
        listen 127.0.0.1:{rtmp_port};
        chunk_size 4096;
        application live {{
            live on;
            record off;
            hls on;
            hls_path {prefix}/hls;
            hls_fragment 1s;
            hls_playlist_length 6s;
            notify_method post;
            on_publish {hooks}/publish?secret={secret};
            on_publish_done {hooks}/publish_done?secret={secret};
            on_update {hooks}/update?secret={secret};
            notify_update_timeout 2s;
        }}
    }}
}}
http {{
    access_log off;
    client_body_temp_path {prefix}/tmp/body;
    proxy_temp_path {prefix}/tmp/proxy;
    fastcgi_temp_path {prefix}/tmp/fastcgi;
    uwsgi_temp_path {prefix}/tmp/uwsgi;
    scgi_temp_path {prefix}/tmp/scgi;
    server {{
        listen 127.0.0.1:{http_port};
        location /hls/ {{
            types {{ application/vnd.apple.mpegurl m3u8; video/mp2t ts; }}
            root {prefix};
            add_header Cache-Control no-cache;
        }}
    }}
}}
"""


def wait_for(condition: Callable[[], bool], what: str) -> None:
    deadline = time.monotonic() + WAIT
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.25)


class MediaServer:
    def __init__(self, prefix: Path, rtmp_port: int, http_port: int) -> None:
        self.prefix = prefix
        self.rtmp = f"rtmp://127.0.0.1:{rtmp_port}/live"
        self.http = f"http://127.0.0.1:{http_port}"

    def publish(self, key: str) -> subprocess.Popen:
        """ffmpeg sending a test pattern with sound, in real time, to the key."""
        return subprocess.Popen(
            [
                FFMPEG,
                "-hide_banner",
                "-loglevel",
                "error",
                "-re",
                "-f",
                "lavfi",
                "-i",
                "testsrc=size=320x240:rate=25",
                "-f",
                "lavfi",
                "-i",
                "sine=frequency=440:sample_rate=44100",
                "-c:v",
                "libx264",
                "-preset",
                "ultrafast",
                "-tune",
                "zerolatency",
                "-g",
                "25",
                "-c:a",
                "aac",
                "-b:a",
                "64k",
                "-f",
                "flv",
                f"{self.rtmp}/{key}",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )

    def playlist(self, name: str) -> str:
        try:
            with urllib.request.urlopen(f"{self.http}/hls/{name}.m3u8", timeout=5) as response:
                return response.read().decode()
        except OSError:
            return ""

    def log(self) -> str:
        path = self.prefix / "error.log"
        return path.read_text() if path.exists() else ""


@pytest.fixture
def media_server(live_server, tmp_path: Path) -> Iterator[MediaServer]:
    if not RTMP_MODULE.exists():
        pytest.fail("nginx's RTMP module is missing (apt-get install libnginx-mod-rtmp)")
    prefix = tmp_path / "nginx"
    for sub in ("hls", "tmp", "logs"):
        (prefix / sub).mkdir(parents=True)
    rtmp_port, http_port = free_port(), free_port()
    (prefix / "nginx.conf").write_text(
        CONFIG.format(
            module=RTMP_MODULE,
            prefix=prefix,
            rtmp_port=rtmp_port,
            http_port=http_port,
            hooks=f"{live_server.url}/hooks/live/rtmp",
            secret=settings.LIVE_HOOK_SECRET,
        )
    )
    process = subprocess.Popen(
        [NGINX, "-p", f"{prefix}/", "-c", f"{prefix}/nginx.conf", "-e", f"{prefix}/error.log"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    server = MediaServer(prefix, rtmp_port, http_port)
    try:
        wait_for(lambda: process.poll() is not None or _listening(http_port), "nginx to listen")
        assert process.poll() is None, process.stderr.read().decode() + server.log()
        yield server
    finally:
        stop(process, timeout=10)


def _listening(port: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/hls/none.m3u8", timeout=2):
            return True
    except urllib.error.HTTPError:
        return True  # 404: nginx answers
    except OSError:
        return False


def _status(room: Room) -> str:
    room.refresh_from_db()
    return room.status


def test_publish_goes_live_writes_hls_and_stopping_ends_the_room(media_server) -> None:
    host = UserFactory()
    _, key = services.stream_key_rotate(host=host)
    room = make_room(host, live=False)

    encoder = media_server.publish(key)
    try:
        wait_for(lambda: _status(room) == RoomStatus.LIVE, "the room to go live")
        assert room.started_at is not None
        # HLS is written under the host's public stream id, never under the secret.
        stream_id, secret = key.split("?key=")
        assert room.stream_name == stream_id
        wait_for(
            lambda: media_server.playlist(stream_id).count("#EXTINF") >= 2,
            "an HLS playlist with segments",
        )
        playlist = media_server.playlist(stream_id)
        segments = [line for line in playlist.splitlines() if line.endswith(".ts")]
        assert segments and all(secret not in segment for segment in segments)
        files = [path.name for path in (media_server.prefix / "hls").iterdir()]
        assert f"{stream_id}.m3u8" in files
        assert not any(secret in name for name in files)
        assert encoder.poll() is None
    finally:
        stop(encoder, timeout=10)

    wait_for(lambda: _status(room) == RoomStatus.ENDED, "the room to end")
    assert room.ended_by == "stream"
    assert room.duration_seconds >= 1
    assert Publish.objects.get(room=room).ended_at is not None
    # The report is computed once the end commits (a task queued on commit): wait for it too.
    wait_for(lambda: Report.objects.filter(room=room).exists(), "the post-live report")
    assert Report.objects.get(room=room).duration_seconds == room.duration_seconds


def test_bad_and_rotated_keys_are_refused(media_server) -> None:
    host = UserFactory()
    _, old_key = services.stream_key_rotate(host=host)
    _, new_key = services.stream_key_rotate(host=host)
    room = make_room(host, live=False)
    assert old_key != new_key

    stream_id = new_key.split("?")[0]
    for key in (f"{stream_id}?key=lk_not-a-key", old_key, stream_id):
        encoder = media_server.publish(key)
        try:
            assert encoder.wait(timeout=WAIT) != 0  # nginx dropped it after the hook's 403
        finally:
            stop(encoder, timeout=10)
        assert _status(room) == RoomStatus.SCHEDULED
    assert not Publish.objects.filter(room=room).exists()


def test_ending_the_room_on_the_platform_drops_the_stream(media_server) -> None:
    host = UserFactory()
    _, key = services.stream_key_rotate(host=host)
    room = make_room(host, live=False)
    encoder = media_server.publish(key)
    try:
        wait_for(lambda: _status(room) == RoomStatus.LIVE, "the room to go live")
        services.room_end(room_id=room.pk, by="operator")
        # nginx's next on_update gets 403 and drops the publisher: ffmpeg ends by itself.
        encoder.wait(timeout=WAIT)
    finally:
        stop(encoder, timeout=10)
    assert _status(room) == RoomStatus.ENDED
    assert room.ended_by == "operator"
