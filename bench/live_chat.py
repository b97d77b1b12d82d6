"""Live chat fan-out: real WebSocket clients against uvicorn on the Redis layer, beside the limit.

One room, ``--sockets`` signed-in sockets (each its own user and JWT), ``--writers`` of them
sending chat at ``--rate`` messages per second in total for ``--duration`` seconds; every
socket receives every message. The same load then runs against a bare ``websockets``
broadcast server (no Django, no Channels, no Redis, no screening or storage): the limit of
this machine for the same number of sockets and frames.

Printed per run: sockets connected, messages sent and refused, deliveries expected and
received, delivery ratio, p50/p99 latency (send to receive, same clock), dropped deliveries
and the ``ChannelFull`` errors in the server logs; then the platform's figures as ratios of
the limit's, with the load average (the machine is shared). Goal: 1,000 sockets at 20 msg/s
for 60 s with >= 99.9 % delivered and p99 < 250 ms; ``--sockets 250,500,1000`` runs several
sizes to find the largest meeting both.

It works in a throwaway database (``<NAME>_bench_live``, created and dropped here); needs
PostgreSQL and Redis:

    DATABASE_URL=postgres://... REDIS_URL=redis://... .venv/bin/python bench/live_chat.py \
        [--sockets 1000] [--rate 20] [--duration 60] [--servers 1] [--client-processes 2]
"""

import argparse
import asyncio
import base64
import contextlib
import hashlib
import json
import multiprocessing
import os
import signal
import subprocess
import sys
import time
import urllib.request
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
GRACE = 5.0  # seconds to wait for the last deliveries after the last send


def _setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()


def _create_database() -> str:
    from django.db import connection

    connection.settings_dict.setdefault("TEST", {})
    connection.settings_dict["TEST"]["NAME"] = f"{connection.settings_dict['NAME']}_bench_live"
    return connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)


def _seed(count: int) -> tuple[int, list[str]]:
    """A live room and ``count`` viewers; returns the room id and one access token each."""
    from rest_framework_simplejwt.tokens import AccessToken

    from apps.accounts.models import User
    from apps.live import services

    host = User.objects.create_user(username=f"bench-host-{uuid.uuid4().hex[:6]}")
    User.objects.bulk_create(
        [User(username=f"bench-viewer-{n}", password="!") for n in range(count)],
        ignore_conflicts=True,
    )
    viewers = list(User.objects.filter(username__startswith="bench-viewer-").order_by("id"))
    room = services.room_create(host=host, title="Bench", category="chat", scheduled_at=None)
    services.room_start(room_id=room.pk)
    return room.pk, [str(AccessToken.for_user(user)) for user in viewers[:count]]


# --- servers -------------------------------------------------------------------------------


def _free_port() -> int:
    from tests.workers import free_port

    return free_port()


def _wait_http(port: int, process: subprocess.Popen) -> None:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit("a server died while starting")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2):
                return
        except urllib.error.HTTPError:
            return
        except OSError:
            time.sleep(0.25)
    raise SystemExit("a server never answered")


def _start_platform(
    count: int, database: str, prefix: str, logs: Path, profile: bool = False
) -> list:
    from django.conf import settings
    from django.db import connection

    from tests.workers import database_url

    settings_dict = dict(connection.settings_dict, NAME=database)
    env = {
        **os.environ,
        "DATABASE_URL": database_url(settings_dict),
        "REDIS_URL": settings.REDIS_URL,
        "CACHE_KEY_PREFIX": prefix,
        "LIVE_CHAT_RATE": "1000",  # the bench measures fan-out, not the per-user limit
        # As in production (DEBUG keeps every query in memory); this process's key (it signs
        # the sockets' tokens), plain HTTP on the loopback.
        "DJANGO_DEBUG": "false",
        "SECRET_KEY": settings.SECRET_KEY,
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SECURE_SSL_REDIRECT": "false",
        "PYTHONPATH": str(ROOT),
    }
    started = []
    for n in range(count):
        port = _free_port()
        log = (logs / f"server{n}.log").open("wb")
        profiler = ["-m", "cProfile", "-o", str(logs / "server0.prof")] if profile and not n else []
        process = subprocess.Popen(
            [
                sys.executable,
                *profiler,
                "-m",
                "uvicorn",
                "config.asgi:application",
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
                "--log-level",
                "warning",
                "--ws-max-queue",
                "4096",
                "--ws-per-message-deflate",  # as deployed (Dockerfile): frames are ~150 bytes
                "false",
            ],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        started.append((port, process))
    for port, process in started:
        _wait_http(port, process)
    return started


async def _reference_server(port: int) -> None:
    """The limit: every frame a client sends goes to every connected client, nothing else."""
    from websockets.asyncio.server import broadcast, serve

    clients: set = set()

    async def handler(socket) -> None:
        clients.add(socket)
        try:
            async for frame in socket:
                broadcast(clients, frame)
        finally:
            clients.discard(socket)

    # No permessage-deflate, as the platform is deployed: the same frames on the wire.
    async with serve(handler, "127.0.0.1", port, max_queue=4096, compression=None):
        await asyncio.Future()


def _start_reference(logs: Path) -> list:
    port = _free_port()
    log = (logs / "reference.log").open("wb")
    process = subprocess.Popen(
        [sys.executable, __file__, "--reference-server", str(port)],
        cwd=ROOT,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            import socket

            with socket.create_connection(("127.0.0.1", port), timeout=1):
                break
        except OSError:
            time.sleep(0.1)
    return [(port, process)]


# --- clients -------------------------------------------------------------------------------


_WS_GUID = b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11"


def _masked(opcode: int, payload: bytes) -> bytes:
    """One final client frame (clients mask every frame: RFC 6455, 5.3)."""
    mask = os.urandom(4)
    size = len(payload)
    head = bytes([0x80 | opcode])
    if size < 126:
        head += bytes([0x80 | size])
    else:
        head += bytes([0x80 | 126]) + size.to_bytes(2, "big")
    body = int.from_bytes(payload, "big") ^ int.from_bytes((mask * (size // 4 + 1))[:size], "big")
    return head + mask + body.to_bytes(size, "big")


class _Socket(asyncio.Protocol):
    """One client socket: a minimal RFC 6455 client on a bare transport.

    The opening handshake (with the accept key checked), masked text frames out, unmasked
    frames in (text, continuation, ping answered with pong, close). No per-message queue,
    future or task: the clients share the two cores with the server under test, so every
    microsecond they spend is taken from it (and from the limit's server alike).
    """

    def __init__(self, host: str, path: str, subprotocols: list[str], on_text, platform) -> None:
        self.key = base64.b64encode(os.urandom(16))
        extra = f"Sec-WebSocket-Protocol: {', '.join(subprotocols)}\r\n" if subprotocols else ""
        self.request = (
            f"GET {path} HTTP/1.1\r\nHost: {host}\r\nUpgrade: websocket\r\n"
            f"Connection: Upgrade\r\nSec-WebSocket-Key: {self.key.decode()}\r\n"
            f"Sec-WebSocket-Version: 13\r\nOrigin: http://127.0.0.1\r\n{extra}\r\n"
        ).encode()
        self.on_text = on_text
        self.platform = platform  # the platform greets first: ready on its welcome
        self.ready = asyncio.get_running_loop().create_future()
        self.transport = None
        self.buffer = b""
        self.open = False
        self.fragments: list[bytes] = []

    def connection_made(self, transport) -> None:
        self.transport = transport
        transport.write(self.request)

    def data_received(self, data: bytes) -> None:
        buffer = self.buffer + data
        if not self.open:
            end = buffer.find(b"\r\n\r\n")
            if end < 0:
                self.buffer = buffer
                return
            head, buffer = buffer[:end].decode("latin-1"), buffer[end + 4 :]
            accept = base64.b64encode(hashlib.sha1(self.key + _WS_GUID).digest()).decode()
            if not head.startswith("HTTP/1.1 101") or accept not in head:
                self._fail(ConnectionError(f"handshake refused: {head.splitlines()[0]}"))
                self.transport.close()
                return
            self.open = True
            if not self.platform:
                self.ready.set_result(self)
        offset, size = 0, len(buffer)
        while size - offset >= 2:
            first, second = buffer[offset], buffer[offset + 1] & 0x7F
            start = offset + 2
            if second == 126:
                if size - start < 2:
                    break
                second, start = int.from_bytes(buffer[start : start + 2], "big"), start + 2
            elif second == 127:
                if size - start < 8:
                    break
                second, start = int.from_bytes(buffer[start : start + 8], "big"), start + 8
            if size - start < second:
                break
            offset = start + second
            self._frame(first, buffer[start:offset])
        self.buffer = buffer[offset:]

    def _frame(self, first: int, payload: bytes) -> None:
        opcode = first & 0x0F
        if opcode == 0x9:
            self.transport.write(_masked(0xA, payload))
        elif opcode == 0x8:
            self.transport.close()
        elif opcode in (0x1, 0x0):
            self.fragments.append(payload)
            if first & 0x80:  # FIN
                text, self.fragments = b"".join(self.fragments), []
                if not self.ready.done():
                    self.ready.set_result(self)
                else:
                    self.on_text(self, text)

    def connection_lost(self, exc) -> None:
        self._fail(exc or ConnectionError("closed"))

    def _fail(self, exc: BaseException) -> None:
        if not self.ready.done():
            self.ready.set_exception(exc)

    def send_text(self, text: str) -> None:
        self.transport.write(_masked(0x1, text.encode()))

    def close(self) -> None:
        if self.transport is not None:
            self.transport.close()


async def _client(job: dict, ready, go, results) -> None:
    from urllib.parse import urlsplit

    urls, tokens, platform = job["urls"], job["tokens"], job["platform"]
    limit = asyncio.Semaphore(50)
    latencies: list[float] = []
    received = 0
    refused: dict[str, int] = {}
    loop = asyncio.get_running_loop()

    def on_text(socket: _Socket, data: bytes) -> None:
        nonlocal received
        now = time.time()
        found = data.find(b'"b:')  # a bench message: its send time ends its text
        if found >= 0:
            end = data.find(b'"', found + 1)
            received += 1
            latencies.append(now - float(data[data.rfind(b":", found, end) + 1 : end]))
            return
        if b'"error"' in data and socket in writers:
            frame = json.loads(data)
            if frame.get("type") == "error":
                refused[frame["code"]] = refused.get(frame["code"], 0) + 1

    async def open_one(n: int) -> _Socket:
        async with limit:
            url = f"{urls[n % len(urls)]}{job['path']}"
            parts = urlsplit(url)
            subprotocols = ["bearer", tokens[n]] if platform else []
            _, socket = await loop.create_connection(
                lambda: _Socket(parts.netloc, parts.path, subprotocols, on_text, platform),
                parts.hostname,
                parts.port,
            )
            return await asyncio.wait_for(socket.ready, 60)

    writers: set = set()
    sockets = await asyncio.gather(*(open_one(n) for n in range(len(tokens))))
    writers = set(sockets[: job["writers"]])
    writing = sockets[: job["writers"]]
    ready.put(len(sockets))
    await loop.run_in_executor(None, go.wait)
    start = time.time()
    sent = 0
    interval = 1.0 / job["rate"] if job["rate"] else 0
    total = int(job["rate"] * job["duration"])
    for n in range(total):
        delay = start + n * interval - time.time()
        if delay > 0:
            await asyncio.sleep(delay)
        text = f"b:{job['index']}:{n}:{time.time():.6f}"
        socket = writing[n % len(writing)]
        if socket.transport is None or socket.transport.is_closing():
            continue  # a socket the server closed: counted as not sent
        socket.send_text(json.dumps({"type": "chat", "text": text}))
        sent += 1
    await asyncio.sleep(GRACE)
    for socket in sockets:
        socket.close()
    results.put(
        {
            "sent": sent,
            "received": received,
            "latencies": latencies,
            "refused": refused,
            "connected": len(sockets),
        }
    )


def _event_loop_run(main) -> None:
    """uvloop when installed (as uvicorn runs the platform), else asyncio's loop."""
    try:
        import uvloop
    except ImportError:  # pragma: no cover
        asyncio.run(main)
    else:
        asyncio.run(main, loop_factory=uvloop.new_event_loop)


def _client_process(job: dict, ready, go, results) -> None:
    try:
        _event_loop_run(_client(job, ready, go, results))
    except BaseException as exc:  # reported at once, not after the parent's timeouts
        print(f"client process failed: {exc!r}", file=sys.stderr)
        ready.put(0)
        results.put({"sent": 0, "received": 0, "latencies": [], "refused": {}, "connected": 0})


def _run_load(urls: list[str], path: str, tokens: list[str], args, platform: bool) -> dict:
    processes = args.client_processes
    ready, results = multiprocessing.Queue(), multiprocessing.Queue()
    go = multiprocessing.Event()
    writers_each = max(1, args.writers // processes)
    jobs = [
        {
            "urls": urls,
            "path": path,
            "tokens": tokens[i::processes],
            "platform": platform,
            "writers": writers_each,
            "rate": args.rate / processes,
            "duration": args.duration,
            "index": i,
        }
        for i in range(processes)
    ]
    children = [
        multiprocessing.Process(target=_client_process, args=(job, ready, go, results))
        for job in jobs
    ]
    for child in children:
        child.start()
    connected = sum(ready.get(timeout=600) for _ in children)
    go.set()
    parts = [results.get(timeout=args.duration + 600) for _ in children]
    for child in children:
        child.join()
    latencies = sorted(x for part in parts for x in part["latencies"])
    refused: dict[str, int] = {}
    for part in parts:
        for code, n in part["refused"].items():
            refused[code] = refused.get(code, 0) + n
    sent = sum(part["sent"] for part in parts)
    accepted = sent - sum(refused.values())
    expected = accepted * connected
    received = sum(part["received"] for part in parts)
    return {
        "connected": connected,
        "sent": sent,
        "refused": refused,
        "expected": expected,
        "received": received,
        "ratio": received / expected if expected else 0.0,
        "p50": _percentile(latencies, 0.50),
        "p99": _percentile(latencies, 0.99),
        "dropped": max(expected - received, 0),
    }


def _percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    return values[min(len(values) - 1, int(q * len(values)))] * 1000


def _print(label: str, figures: dict, channel_full: int | None = None) -> None:
    print(
        f"  {label:<9} connected {figures['connected']:>5}  sent {figures['sent']:>6}"
        f"  refused {sum(figures['refused'].values()):>4}  expected {figures['expected']:>8}"
        f"  received {figures['received']:>8}  ratio {figures['ratio'] * 100:7.3f} %"
        f"  p50 {figures['p50']:7.1f} ms  p99 {figures['p99']:7.1f} ms"
        f"  dropped {figures['dropped']:>7}"
        + (f"  ChannelFull {channel_full}" if channel_full is not None else "")
    )


def _print_profile(path: Path) -> None:
    import pstats

    if not path.exists():
        print("  (no profile written)")
        return
    stats = pstats.Stats(str(path))
    stats.sort_stats("tottime").print_stats(25)


def _stop(started: list, profiled: bool = False) -> None:
    from tests.workers import stop

    for _, process in started:
        if profiled:  # SIGINT: uvicorn re-raises it and cProfile writes its file on the way out
            process.send_signal(signal.SIGINT)
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.wait(timeout=180)
        stop(process, timeout=20)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sockets", default="1000", help="one size or a list: 250,500,1000")
    parser.add_argument("--rate", type=float, default=20.0, help="messages per second, total")
    parser.add_argument("--duration", type=float, default=60.0, help="seconds of sending")
    parser.add_argument("--writers", type=int, default=50, help="sockets that send")
    parser.add_argument(
        "--servers",
        type=int,
        default=os.cpu_count() or 1,
        help="uvicorn processes, one per core by default (each is one container as deployed)",
    )
    parser.add_argument("--client-processes", type=int, default=2)
    parser.add_argument("--skip-reference", action="store_true")
    parser.add_argument(
        "--profile", action="store_true", help="cProfile the first server; print where time goes"
    )
    parser.add_argument("--reference-server", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.reference_server:
        _event_loop_run(_reference_server(args.reference_server))
        return
    _setup_django()
    from django.conf import settings
    from django.db import connection

    if connection.vendor != "postgresql" or not settings.REDIS_URL:
        raise SystemExit("needs DATABASE_URL (PostgreSQL) and REDIS_URL")
    sizes = [int(size) for size in args.sockets.split(",")]
    database = _create_database()
    logs = Path(f"/tmp/bench-live-{os.getpid()}")
    logs.mkdir(exist_ok=True)
    meeting: list[int] = []
    try:
        room_id, tokens = _seed(max(sizes))
        connection.close()
        print(
            f"live chat bench: {args.rate:g} msg/s for {args.duration:g} s, "
            f"{args.servers} server process(es), {args.client_processes} client process(es), "
            f"{os.cpu_count()} CPUs"
        )
        for size in sizes:
            print(f"{size} sockets — load average before {os.getloadavg()[0]:.2f}")
            prefix = f"bench-live-{uuid.uuid4().hex[:6]}"
            servers = _start_platform(args.servers, database, prefix, logs, args.profile)
            try:
                urls = [f"ws://127.0.0.1:{port}" for port, _ in servers]
                platform = _run_load(urls, f"/ws/live/rooms/{room_id}/", tokens[:size], args, True)
            finally:
                _stop(servers, profiled=args.profile)
            full = sum(
                (logs / f"server{n}.log").read_text(errors="replace").count("ChannelFull")
                for n in range(args.servers)
            )
            _print("platform", platform, full)
            if args.profile:
                _print_profile(logs / "server0.prof")
            if not args.skip_reference:
                reference_servers = _start_reference(logs)
                try:
                    urls = [f"ws://127.0.0.1:{port}" for port, _ in reference_servers]
                    reference = _run_load(urls, "/", tokens[:size], args, False)
                finally:
                    _stop(reference_servers)
                _print("limit", reference)
                delivered = platform["ratio"] / (reference["ratio"] or 1)
                print(
                    f"  ratio to the limit: delivered {delivered:.3f}"
                    f", p50 x{platform['p50'] / reference['p50']:.2f}"
                    f", p99 x{platform['p99'] / reference['p99']:.2f}"
                )
            met = platform["ratio"] >= 0.999 and platform["p99"] < 250
            if met:
                meeting.append(size)
            print(
                f"  goals (>= 99.9 % delivered, p99 < 250 ms): {'met' if met else 'missed'}"
                f" — load average after {os.getloadavg()[0]:.2f}"
            )
        print(f"largest socket count meeting both: {max(meeting) if meeting else 'none'}")
    finally:
        from django.db import connection as conn

        conn.creation.destroy_test_db(database, verbosity=0)


if __name__ == "__main__":
    main()
