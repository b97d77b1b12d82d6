"""Names and ports that stay apart when the suite runs on several xdist workers at once.

Every worker has its own test database (pytest-django adds ``_gw0``, ``_gw1``, ...), but Redis
and the machine's ports are shared: a queue, a key prefix or a port taken by one worker must
never be seen by another, nor by a concurrent run.
"""

import os
import socket
import subprocess
import uuid
from urllib.parse import quote

WORKER = os.environ.get("PYTEST_XDIST_WORKER", "main")


def unique_name(kind: str) -> str:
    """``<kind>-<worker>-<random>``: a Celery queue or a key prefix of this worker only."""
    return f"{kind}-{WORKER}-{uuid.uuid4().hex[:8]}"


def free_port() -> int:
    """A TCP port that nothing listens on now (the kernel picks it), for a server a test starts."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def database_url(settings_dict: dict) -> str:
    """The database a test runs on (this worker's ``test_<name>_gw<n>``) as a URL for a child
    process."""
    credentials = quote(settings_dict["USER"] or "", safe="")
    if settings_dict["PASSWORD"]:
        credentials += ":" + quote(settings_dict["PASSWORD"], safe="")
    host = settings_dict["HOST"] or "127.0.0.1"
    return (
        f"postgres://{credentials}@{host}:{settings_dict['PORT'] or 5432}/{settings_dict['NAME']}"
    )


def stop(process: subprocess.Popen, timeout: float = 30) -> int:
    """Terminate a child a test started, kill it if it does not stop; its exit code."""
    process.terminate()
    try:
        return process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        return process.wait()
