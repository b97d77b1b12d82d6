"""The feed-slot provider: promoted notes placed in discovery pages.

Per page: one query (the viewer's targeting snapshot and blocks, run whatever the number of
running orders) and one Redis round trip: the script that reserves atomically and, in the same
call, checks that the process's copy of the running orders is current. The active orders'
targeting is kept in Redis with a version number and cached in the process until the version
changes, so choosing costs no query; when the copy offers the viewer nothing, the version is
read alone instead (an order that has just started is found at once). At most one promoted note per
``PROMOTION_SLOT_EVERY`` organic items; never the viewer's own note, never across a block,
never to a viewer outside the audience, never a note already on the page; the frequency cap,
the pacing curve and the hard cap are checked inside the script (``counters.py``).

If Redis fails the page is served without promoted notes: the feed never fails for an ad.
"""

from __future__ import annotations

import logging
import random
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.utils import timezone

from apps.analytics.days import local_today
from apps.notes.hooks import FeedSlot, FeedSlotRequest
from apps.promotion import billing, targeting
from apps.promotion.counters import StaleSpecs, counters

logger = logging.getLogger(__name__)
# Orders offered to the reservation script per page: enough for the page's slots when some are
# paced out or capped, few enough that the script's keys stay short.
MAX_CANDIDATES = 6
MATCHED_PROFILES = 4096


@dataclass(frozen=True)
class ActiveOrders:
    """The running orders, indexed so that choosing for a viewer is a few set operations
    (C speed) instead of a loop over every order in Python."""

    specs: dict[int, dict[str, Any]]
    everyone: frozenset[int]
    # dimension -> value -> orders naming that value; dimension -> orders not naming it.
    naming: dict[str, dict[Any, frozenset[int]]]
    open_to_all: dict[str, frozenset[int]]
    by_author: dict[int, frozenset[int]]
    by_note: dict[int, frozenset[int]]
    # Orders matching a targeting profile (gender, age band, region, interests): viewers share
    # profiles, so the set operations run once per profile and version, not once per page.
    matched: dict[tuple, frozenset[int]] = field(default_factory=dict, compare=False)

    @classmethod
    def build(cls, specs: dict[int, dict[str, Any]]) -> ActiveOrders:
        naming: dict[str, dict[Any, set[int]]] = {d: {} for d in targeting.DIMENSIONS}
        open_to_all: dict[str, set[int]] = {d: set() for d in targeting.DIMENSIONS}
        by_author: dict[int, set[int]] = {}
        by_note: dict[int, set[int]] = {}
        for order_id, spec in specs.items():
            for dimension in targeting.DIMENSIONS:
                values = spec["audience"].get(dimension)
                if not values:
                    open_to_all[dimension].add(order_id)
                for value in values or ():
                    naming[dimension].setdefault(value, set()).add(order_id)
            by_author.setdefault(spec["author_id"], set()).add(order_id)
            by_note.setdefault(spec["note_id"], set()).add(order_id)
        return cls(
            specs=specs,
            everyone=frozenset(specs),
            naming={d: {v: frozenset(o) for v, o in m.items()} for d, m in naming.items()},
            open_to_all={d: frozenset(o) for d, o in open_to_all.items()},
            by_author={a: frozenset(o) for a, o in by_author.items()},
            by_note={n: frozenset(o) for n, o in by_note.items()},
        )

    def _allowed(self, dimension: str, values: Any) -> frozenset[int] | set[int]:
        allowed = set(self.open_to_all[dimension])
        for value in values:
            allowed |= self.naming[dimension].get(value, frozenset())
        return allowed

    def _matching(self, viewer: targeting.Viewer) -> frozenset[int]:
        profile = (viewer.gender, viewer.age_band, viewer.region, viewer.interests)
        found = self.matched.get(profile)
        if found is None:
            found = set(self.everyone)
            found &= self._allowed("genders", (viewer.gender,))
            found &= self._allowed("age_bands", (viewer.age_band,))
            found &= self._allowed("regions", (viewer.region,))
            found &= self._allowed("interests", viewer.interests)
            found = frozenset(found)
            if len(self.matched) >= MATCHED_PROFILES:
                self.matched.clear()
            self.matched[profile] = found
        return found

    def candidates(self, viewer: targeting.Viewer, page_note_ids: Any) -> list[int]:
        """Orders whose audience holds the viewer, minus own, blocked and on-page notes.
        (Time windows, caps and frequency are checked atomically in the counters' script.)"""
        if not self.everyone:
            return []
        found = self._matching(viewer)
        hidden: set[int] = set()
        for author_id in (viewer.user_id, *viewer.blocked):
            hidden.update(self.by_author.get(author_id, ()))
        for note_id in page_note_ids:
            hidden.update(self.by_note.get(note_id, ()))
        return list(found - hidden if hidden else found)


_cache: dict[str, tuple[int, ActiveOrders]] = {}


def _cache_key() -> str:
    return f"{settings.PROMOTION_COUNTERS}:{settings.CACHE_KEY_PREFIX}"


def _active_orders(version: int | None = None) -> tuple[int, ActiveOrders]:
    """(version, running orders): reloaded and re-indexed only when the version changed.

    ``version`` is the current one when the caller already knows it (a stale reservation
    answered with it); otherwise it is read (one round trip).
    """
    hot = counters()
    if version is None:
        version = hot.specs_version()
    cached = _cache.get(_cache_key())
    if cached is not None and cached[0] == version:
        return cached
    loaded = (version, ActiveOrders.build(hot.specs()))
    _cache[_cache_key()] = loaded
    return loaded


def _reserve(viewer: targeting.Viewer, request: FeedSlotRequest, want: int, now) -> list[int]:
    """Reserve promoted impressions for one page: usually one round trip.

    Candidates are chosen from this process's copy of the running orders, and the reservation
    script checks in the same call that the copy is current (``StaleSpecs`` otherwise: reload,
    choose again). Only when the copy offers no candidate is the version read on its own, so
    an order that has just started is found.
    """
    cached = _cache.get(_cache_key())
    version, active = cached if cached is not None else _active_orders()
    candidates = active.candidates(viewer, request.page_note_ids)
    if not candidates and cached is not None:
        version, active = _active_orders()
        candidates = active.candidates(viewer, request.page_note_ids)
    for _attempt in range(3):
        if not candidates:
            return []
        # A random sample rotates fairly between matching orders.
        candidates = random.sample(candidates, min(len(candidates), MAX_CANDIDATES))
        try:
            return [
                active.specs[order_id]["note_id"]
                for order_id in counters().reserve(
                    viewer_id=viewer.user_id,
                    candidates=candidates,
                    want=want,
                    now_ms=int(now.timestamp() * 1000),
                    day=local_today(now).isoformat(),
                    draws=[random.random() for _ in candidates],
                    specs_version=version,
                )
            ]
        except StaleSpecs as stale:
            version, active = _active_orders(stale.version)
            candidates = active.candidates(viewer, request.page_note_ids)
    return []  # the orders kept changing under this page: serve it without promotion


def slot_index(k: int, every: int) -> int:
    """Where the k-th promoted note goes in the final list: mid-way through each block."""
    return k * (every + 1) + every // 2


def promoted_slots(request: FeedSlotRequest) -> list[FeedSlot]:
    """Promoted notes for one discovery page (the notes ``feed_slots`` provider)."""
    if settings.PROMOTION_COUNTERS == "local" and counters().specs_version() == 0:
        # Embedded mode: this process's memory starts empty; its first page loads the running
        # orders (once, whatever that page holds, so later pages cost the same queries).
        billing.orders_republish_active()
    now = timezone.now()
    viewer = targeting.viewer_load(request.viewer.pk, now=now)
    every = settings.PROMOTION_SLOT_EVERY
    want = len(request.page_note_ids) // every
    if want <= 0:
        return []
    try:
        served = _reserve(viewer, request, want, now)
    except Exception:  # the organic page is served whatever happens to promotion
        logger.exception("promoted slots unavailable")
        return []
    return [
        FeedSlot(index=slot_index(k, every), note_id=note_id) for k, note_id in enumerate(served)
    ]
