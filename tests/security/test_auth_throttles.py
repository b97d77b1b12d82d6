"""Finding 1 against the real server: a uvicorn process in production mode on the test database.

The attacker sends wrong passwords with a different spoofed ``X-Forwarded-For`` each time: the
per-address auth throttle still answers 429, because with ``TRUSTED_PROXY_COUNT=0`` no forwarding
header is believed. The per-username lockout is then shown from several real source addresses
(127.0.0.x are all this machine's loopback): it holds across addresses, and an unknown username
gets exactly the same answers as an existing one.
"""

import http.client
import json
import os
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest
from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django.db import connection

from apps.accounts.models import User

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]
ROOT = Path(__file__).resolve().parents[2]
LOGIN = "/api/v1/auth/login"
REGISTER = "/api/v1/auth/register"
AUTH_RATE = 4  # per minute and address, for this server
FAILURE_LIMIT = 3
PASSWORD = "Right-password-2026"


def _database_url() -> str:
    db = connection.settings_dict
    credentials = quote(db["USER"] or "", safe="")
    if db["PASSWORD"]:
        credentials += ":" + quote(db["PASSWORD"], safe="")
    return f"postgres://{credentials}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _request(
    port: int,
    method: str,
    path: str,
    body: dict | None = None,
    *,
    source: str = "127.0.0.1",
    headers: dict[str, str] | None = None,
) -> tuple[int, dict | None, http.client.HTTPMessage]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60, source_address=(source, 0))
    try:
        conn.request(
            method,
            path,
            body=json.dumps(body) if body is not None else None,
            headers={"Content-Type": "application/json", **(headers or {})},
        )
        response = conn.getresponse()
        raw = response.read()
        return response.status, json.loads(raw) if raw else None, response.headers
    finally:
        conn.close()


@pytest.fixture
def server() -> Iterator[int]:
    """uvicorn on a free port, production settings, uvicorn's own proxy handling off."""
    port = _free_port()
    env = {
        **os.environ,
        "DJANGO_DEBUG": "0",
        "SECRET_KEY": "throttle-test-" + uuid.uuid4().hex * 2,
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "0",
        "DATABASE_URL": _database_url(),
        "CACHE_KEY_PREFIX": f"cp-test-throttle-{uuid.uuid4().hex}",
        "THROTTLE_AUTH": f"{AUTH_RATE}/min",
        "LOGIN_FAILURE_LIMIT": str(FAILURE_LIMIT),
        "LOGIN_LOCKOUT_MINUTES": "15",
        "TRUSTED_PROXY_COUNT": "0",
        "LOG_LEVEL": "WARNING",
    }
    env.pop("THROTTLE_EXEMPT_USERNAMES", None)
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
            "--no-proxy-headers",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if _request(port, "GET", "/healthz")[0] == 200:
                    break
            except OSError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                raise AssertionError(f"server did not start: {process.stderr.read().decode()}")
            time.sleep(0.3)
        yield port
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()


@pytest.fixture
def victim() -> User:
    # The server hashes with the production hashers, not the tests' fast one.
    user = User.objects.create_user(username="victim", password=None)
    hasher = PBKDF2PasswordHasher()
    User.objects.filter(pk=user.pk).update(password=hasher.encode(PASSWORD, hasher.salt()))
    return user


def test_spoofed_forwarded_for_does_not_escape_the_address_throttle(server, victim) -> None:
    statuses = []
    for attempt in range(AUTH_RATE + 3):
        status, body, headers = _request(
            server,
            "POST",
            LOGIN,
            # Another username each time: this is the address throttle, not the lockout.
            {"username": f"victim{attempt}", "password": f"guess-{attempt}"},
            headers={"X-Forwarded-For": f"203.0.113.{attempt + 1}"},
        )
        statuses.append(status)
    assert statuses == [401] * AUTH_RATE + [429] * 3
    assert body["error"]["code"] == "throttled"
    assert int(headers["Retry-After"]) > 0

    # Nor with the right password, nor for sign-ups, from yet another "address".
    right = {"username": "victim", "password": PASSWORD}
    spoof = {"X-Forwarded-For": "198.51.100.77", "X-Real-IP": "198.51.100.78"}
    status, body, _ = _request(server, "POST", LOGIN, right, headers=spoof)
    assert (status, body["error"]["code"]) == (429, "throttled")
    signup = {"username": "spoofer", "password": "Sunny-garden-77"}
    assert _request(server, "POST", REGISTER, signup, headers=spoof)[0] == 429
    assert not User.objects.filter(username="spoofer").exists()


def test_lockout_holds_across_addresses_and_hides_whether_the_account_exists(
    server, victim
) -> None:
    answers = {}
    for username in ("victim", "nobody-here"):
        seen = []
        # Each guess from another real source address: the address throttle never trips.
        for attempt in range(FAILURE_LIMIT):
            source = f"127.0.{1 if username == 'victim' else 2}.{attempt + 10}"
            status, body, _ = _request(
                server,
                "POST",
                LOGIN,
                {"username": username, "password": "wrong-guess-1"},
                source=source,
            )
            seen.append((status, body["error"]["code"], body["error"]["message"]))
        # Now locked, whichever address asks and whatever the password.
        status, body, headers = _request(
            server,
            "POST",
            LOGIN,
            {"username": username, "password": PASSWORD},
            source=f"127.0.{3 if username == 'victim' else 4}.99",
        )
        seen.append((status, body["error"]["code"], body["error"]["message"]))
        assert 0 < int(headers["Retry-After"]) <= 15 * 60
        answers[username] = seen

    assert answers["victim"] == answers["nobody-here"]
    assert [status for status, _, _ in answers["victim"]] == [401] * FAILURE_LIMIT + [429]
    assert answers["victim"][-1][1] == "auth.locked"
    # A differently-cased spelling is the same username for the lockout.
    status, _, _ = _request(
        server, "POST", LOGIN, {"username": "VICTIM", "password": PASSWORD}, source="127.0.5.1"
    )
    assert status == 429
