"""WebSocket JWT authentication through a real server: uvicorn on a free port, a real client.

What the in-process tests cannot show: a real client sees the 4401 close code (the refusal
completes the handshake first), a browser-style client gets the ``bearer`` subprotocol it
offered, and ``config.asgi``'s origin check and stacks are the ones serving.
"""

import json
import os
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from rest_framework_simplejwt.tokens import RefreshToken
from websockets.exceptions import ConnectionClosed, InvalidStatus
from websockets.sync.client import connect

from apps.core.ws_auth import UNAUTHORIZED
from tests.factories import UserFactory
from tests.workers import database_url, free_port, stop

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]
ROOT = Path(__file__).resolve().parents[2]
TIMEOUT = 15  # seconds; the machine is shared
UVICORN = [sys.executable, "-m", "uvicorn", "tests.integration.ws_app:application"]


@pytest.fixture(scope="module")
def server(django_db_setup, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """One server for the module, on this xdist worker's test database (started ~20 s)."""
    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": database_url(connection.settings_dict),
        "REDIS_URL": settings.REDIS_URL,
        "CACHE_KEY_PREFIX": settings.CACHE_KEY_PREFIX,
        "PYTHONPATH": str(ROOT),
    }
    log_path = tmp_path_factory.mktemp("ws-server") / "server.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [*UVICORN, "--host", "127.0.0.1", "--port", str(port), "--log-level", "warning"],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + 60
        while True:
            assert process.poll() is None, log_path.read_text()  # it died: port taken, bad app
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2):
                    break
            except OSError:
                assert time.monotonic() < deadline, "the server never answered /healthz"
                time.sleep(0.25)
        yield f"ws://127.0.0.1:{port}"
    finally:
        stop(process)


def _open(url: str, **kwargs):
    return connect(url, origin="http://127.0.0.1", open_timeout=TIMEOUT, **kwargs)


def test_a_real_client_connects_with_a_token_in_either_transport(server: str) -> None:
    user = UserFactory()
    token = str(RefreshToken.for_user(user).access_token)
    with _open(f"{server}/ws/private/", subprotocols=["bearer", token]) as socket:
        assert socket.subprotocol == "bearer"
        assert json.loads(socket.recv(timeout=TIMEOUT)) == {"user_id": user.pk}
    with _open(f"{server}/ws/whoami/?token={token}") as socket:
        assert socket.subprotocol is None
        assert json.loads(socket.recv(timeout=TIMEOUT)) == {"user_id": user.pk}


def test_a_real_client_sees_4401(server: str) -> None:
    user = UserFactory()
    forged = str(RefreshToken.for_user(user).access_token)[:-4] + "AAAA"  # signature broken
    attempts = [
        ("/ws/whoami/", {"subprotocols": ["bearer", forged]}),
        (f"/ws/whoami/?token={forged}", {}),
        ("/ws/private/", {}),  # anonymous, on a consumer that needs a user
    ]
    for route, kwargs in attempts:
        with (
            _open(f"{server}{route}", **kwargs) as socket,
            pytest.raises(ConnectionClosed) as closed,
        ):
            socket.recv(timeout=TIMEOUT)
        assert closed.value.rcvd.code == UNAUTHORIZED, route
    with _open(f"{server}/ws/whoami/") as socket:
        assert json.loads(socket.recv(timeout=TIMEOUT)) == {"user_id": None}


def test_the_origin_check_still_guards_the_sockets(server: str) -> None:
    with pytest.raises(InvalidStatus) as refused:
        connect(f"{server}/ws/whoami/", origin="https://evil.example", open_timeout=TIMEOUT)
    assert refused.value.response.status_code == 403
