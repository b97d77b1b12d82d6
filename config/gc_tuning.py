"""Garbage-collector settings for server processes: keep full collections off the request path.

A response of a thousand rows (an agency's dashboard, an export) allocates tens of thousands of
containers that stay alive until it is sent. With CPython's default young threshold they are
scanned and promoted while still alive, and every few such requests a full collection walks
every object the process holds (Django, the URL map, the models: about 200,000) for 50-200 ms:
measured, that pause was the dashboard's p95 (``bench/programs.py``). Two settings fix it, as
large Python web services do: the objects loaded at start-up are frozen (``gc.freeze``: never
scanned again), and a young collection waits for ``YOUNG_THRESHOLD`` allocations, so a
request's objects are freed by reference counting before a collection sees them. Reference
cycles are still collected, a little later. ``GC_TUNING=off`` keeps CPython's defaults.
"""

import gc
import os

YOUNG_THRESHOLD = 10_000
MIDDLE_THRESHOLD = 10
OLD_THRESHOLD = 10


def tune_for_server() -> bool:
    """Freeze what start-up loaded and raise the thresholds; False when ``GC_TUNING=off``."""
    if os.environ.get("GC_TUNING", "on").lower() in {"off", "0", "false", "no"}:
        return False
    gc.collect()
    gc.freeze()
    gc.set_threshold(YOUNG_THRESHOLD, MIDDLE_THRESHOLD, OLD_THRESHOLD)
    return True
