"""Run actions at the same instant in threads, each with its own database connection."""

import threading
from collections.abc import Callable

from django.db import connection
from rest_framework.test import APIClient


def run_concurrently(actions: list[Callable[[], object]]) -> list[object]:
    """Start every action behind one barrier; return their results (or the exceptions raised)."""
    barrier = threading.Barrier(len(actions))
    results: list[object] = [None] * len(actions)

    def worker(index: int, action: Callable[[], object]) -> None:
        try:
            barrier.wait()
            results[index] = action()
        except Exception as exc:  # surfaced to the test through results
            results[index] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(i, a)) for i, a in enumerate(actions)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def client_for(user: object) -> APIClient:
    """A fresh API client per thread (clients are not shared between threads)."""
    client = APIClient()
    client.force_authenticate(user)
    return client
