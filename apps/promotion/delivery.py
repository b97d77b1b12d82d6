"""The feed-slot provider: promoted notes placed in discovery pages.

Per page: one query (the viewer's targeting snapshot and blocks, run whatever the number of
running orders) and one Redis script call that chooses and reserves atomically. The active
orders' targeting is kept in Redis with a version number and cached in the process until the
version changes, so choosing costs no query. At most one promoted note per
``PROMOTION_SLOT_EVERY`` organic items; never the viewer's own note, never across a block,
never to a viewer outside the audience, never a note already on the page; the frequency cap,
the pacing curve and the hard cap are checked inside the script (``counters.py``).

If Redis fails the page is served without promoted notes: the feed never fails for an ad.
"""

from __future__ import annotations

import logging
import random
from typing import Any

from django.conf import settings
from django.utils import timezone

from apps.analytics.days import local_today
from apps.notes.hooks import FeedSlot, FeedSlotRequest
from apps.promotion import billing, targeting
from apps.promotion.counters import counters

logger = logging.getLogger(__name__)
MAX_CANDIDATES = 16
_specs_cache: dict[str, tuple[int, dict[int, dict[str, Any]]]] = {}


def _active_specs() -> dict[int, dict[str, Any]]:
    """The running orders' targeting, reloaded only when its version changed."""
    hot = counters()
    version = hot.specs_version()
    if version == 0 and settings.PROMOTION_COUNTERS == "local":
        billing.orders_republish_active()  # embedded mode: this process's memory starts empty
        version = hot.specs_version()
    key = f"{settings.PROMOTION_COUNTERS}:{settings.CACHE_KEY_PREFIX}"
    cached = _specs_cache.get(key)
    if cached is not None and cached[0] == version:
        return cached[1]
    specs = hot.specs()
    _specs_cache[key] = (version, specs)
    return specs


def slot_index(k: int, every: int) -> int:
    """Where the k-th promoted note goes in the final list: mid-way through each block."""
    return k * (every + 1) + every // 2


def promoted_slots(request: FeedSlotRequest) -> list[FeedSlot]:
    """Promoted notes for one discovery page (the notes ``feed_slots`` provider)."""
    now = timezone.now()
    viewer = targeting.viewer_load(request.viewer.pk, now=now)
    every = settings.PROMOTION_SLOT_EVERY
    want = len(request.page_note_ids) // every
    if want <= 0:
        return []
    try:
        specs = _active_specs()
        now_ms = int(now.timestamp() * 1000)
        on_page = set(request.page_note_ids)
        candidates = [
            order_id
            for order_id, spec in specs.items()
            if spec["start_ms"] <= now_ms < spec["end_ms"]
            and spec["author_id"] != viewer.user_id
            and spec["author_id"] not in viewer.blocked
            and spec["note_id"] not in on_page
            and targeting.matches(spec["audience"], viewer)
        ]
        if not candidates:
            return []
        random.shuffle(candidates)  # fair rotation between matching orders
        candidates = candidates[:MAX_CANDIDATES]
        served = counters().reserve(
            viewer_id=viewer.user_id,
            candidates=candidates,
            want=want,
            now_ms=now_ms,
            day=local_today(now).isoformat(),
            draws=[random.random() for _ in candidates],
        )
    except Exception:  # the organic page is served whatever happens to promotion
        logger.exception("promoted slots unavailable")
        return []
    return [
        FeedSlot(index=slot_index(k, every), note_id=specs[order_id]["note_id"])
        for k, order_id in enumerate(served)
    ]
