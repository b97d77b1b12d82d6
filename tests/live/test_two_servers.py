"""Chat across two server processes: uvicorn twice on the Redis layer, real WebSocket clients.

What one process cannot show: a message sent to one process reaches a client on the other,
a ban lands on every process (the banned socket closes wherever it is, and a reconnect to the
other process is refused), and presence counts the sockets of both processes until one dies,
when its sockets expire from the count after the presence TTL.
"""

import copy
import json
import os
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import ClientConnection, connect

from apps.live import services
from apps.live.consumers import BANNED
from apps.live.models import ChatMessage, SanctionKind
from tests.factories import UserFactory
from tests.live.conftest import make_room
from tests.live.sockets import token_for
from tests.workers import database_url, free_port, stop

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(not settings.REDIS_URL, reason="needs Redis (REDIS_URL)"),
    pytest.mark.django_db(transaction=True),
]
ROOT = Path(__file__).resolve().parents[2]
TIMEOUT = 20  # seconds; the machine is shared


@pytest.fixture
def servers(settings, tmp_path: Path) -> Iterator[list[tuple[str, subprocess.Popen]]]:
    """Two uvicorn processes of ``config.asgi`` on this worker's test database."""
    # This process publishes (bans, deletions) on the servers' layer prefix.
    layers = copy.deepcopy(settings.CHANNEL_LAYERS)
    layers["live"]["CONFIG"]["prefix"] = f"{settings.CACHE_KEY_PREFIX}:live"
    settings.CHANNEL_LAYERS = layers
    env = {
        **os.environ,
        "DATABASE_URL": database_url(connection.settings_dict),
        "REDIS_URL": settings.REDIS_URL,
        "CACHE_KEY_PREFIX": settings.CACHE_KEY_PREFIX,
        "LIVE_PRESENCE_HEARTBEAT_SECONDS": "0.5",
        "LIVE_PRESENCE_TTL_SECONDS": "2",
        "LIVE_TICK_SECONDS": "0.3",
        "PYTHONPATH": str(ROOT),
    }
    started = []
    for n in range(2):
        port = free_port()
        log = (tmp_path / f"server{n}.log").open("wb")
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "uvicorn",
                "config.asgi:application",
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
                "--log-level",
                "warning",
            ],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        started.append((port, process))
    try:
        for n, (port, process) in enumerate(started):
            deadline = time.monotonic() + 90
            while True:
                assert process.poll() is None, (tmp_path / f"server{n}.log").read_text()
                try:
                    with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2):
                        break
                except OSError:
                    assert time.monotonic() < deadline, "a server never answered /healthz"
                    time.sleep(0.25)
        yield [(f"ws://127.0.0.1:{port}", process) for port, process in started]
    finally:
        for _, process in started:
            if process.poll() is None:
                stop(process)


def _open(stack: ExitStack, server: str, room_id: int, user) -> ClientConnection:
    socket = _connect(stack, server, room_id, user)
    assert json.loads(socket.recv(timeout=TIMEOUT))["type"] == "welcome"
    return socket


def _connect(stack: ExitStack, server: str, room_id: int, user) -> ClientConnection:
    return stack.enter_context(
        connect(
            f"{server}/ws/live/rooms/{room_id}/",
            subprotocols=["bearer", token_for(user)],
            origin="http://127.0.0.1",
            open_timeout=TIMEOUT,
        )
    )


def _until(socket: ClientConnection, predicate: Callable[[dict], bool]) -> dict:
    while True:
        frame = json.loads(socket.recv(timeout=TIMEOUT))
        if predicate(frame):
            return frame


def test_chat_bans_and_presence_cross_server_processes(servers, host) -> None:
    (first, _), (second, second_process) = servers
    room = make_room(host)
    alice, bob = UserFactory(), UserFactory()

    stack = ExitStack()
    a = _open(stack, first, room.pk, alice)
    b = _open(stack, second, room.pk, bob)
    # Presence counts both processes' sockets.
    _until(a, lambda f: f["type"] == "viewers" and f["count"] == 2)

    a.send(json.dumps({"type": "chat", "text": "hello from process one"}))
    frame = _until(b, lambda f: f["type"] == "chat")
    assert (frame["text"], frame["user"]["id"]) == ("hello from process one", alice.pk)
    b.send(json.dumps({"type": "chat", "text": "and back from two"}))
    frame = _until(a, lambda f: f["type"] == "chat" and f["user"]["id"] == bob.pk)
    assert frame["text"] == "and back from two"

    # A ban from this (third) process closes bob's socket on process two...
    services.sanction_add(room=room, by=host, user_id=bob.pk, kind=SanctionKind.BAN)
    with pytest.raises(ConnectionClosed) as closed:
        _until(b, lambda f: False)
    assert closed.value.rcvd.code == BANNED
    # ...and process one refuses him too.
    again = _connect(stack, first, room.pk, bob)
    with pytest.raises(ConnectionClosed) as refused:
        again.recv(timeout=TIMEOUT)
    assert refused.value.rcvd.code == BANNED

    # A process that dies: its sockets leave the count once their heartbeats expire.
    _open(stack, second, room.pk, UserFactory())
    _until(a, lambda f: f["type"] == "viewers" and f["count"] == 2)
    second_process.send_signal(signal.SIGKILL)
    second_process.wait(timeout=TIMEOUT)
    frame = _until(a, lambda f: f["type"] == "viewers" and f["count"] == 1)
    assert frame["peak"] >= 2
    stack.close()
    assert ChatMessage.objects.count() == 2


def test_a_timeout_and_a_mode_reach_the_speakers_kept_by_each_process(servers, host) -> None:
    """Each process keeps its writers' contexts; a change made in a third process reaches the
    next message on both (the room's chat version in Redis), with no socket closed."""
    (first, _), (second, _) = servers
    room = make_room(host)
    alice, bob = UserFactory(), UserFactory()

    with ExitStack() as stack:
        a = _open(stack, first, room.pk, alice)
        b = _open(stack, second, room.pk, bob)
        for socket, user, text in ((a, alice, "one"), (b, bob, "two")):
            socket.send(json.dumps({"type": "chat", "text": text}))
            _until(socket, lambda f, u=user: f["type"] == "chat" and f["user"]["id"] == u.pk)

        services.sanction_add(
            room=room, by=host, user_id=alice.pk, kind=SanctionKind.TIMEOUT, seconds=600
        )
        a.send(json.dumps({"type": "chat", "text": "during the timeout"}))
        assert _until(a, lambda f: f["type"] == "error")["code"] == "chat.timed_out"

        services.chat_settings_update(room=room, allow_list_only=True)
        b.send(json.dumps({"type": "chat", "text": "after the mode"}))
        assert _until(b, lambda f: f["type"] == "error")["code"] == "chat.allow_list_only"
    assert sorted(ChatMessage.objects.values_list("text", flat=True)) == ["one", "two"]
