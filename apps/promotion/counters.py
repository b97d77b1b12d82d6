"""Hot counters of serving: impressions reserved per order, frequency per viewer, the cap.

Every web process serving the discovery feed reserves promoted impressions here, never in the
database: one Redis round trip per page (``EVALSHA`` of ``RESERVE``), no row lock, so the feed
never waits on billing. The script runs atomically in Redis, so the check "fewer than
``max_impressions`` reserved" and the increment are one step for all processes together:
reserved impressions never pass the cap, and the billed amount ``floor(reserved * cpm / 1000)``
never passes the budget (docs/promotion.md, "The cap").

Reserved impressions are also appended to the order's log list, which the billing step drains
(under the order's row lock) into analytics events and a spend posting. Without Redis (the
embedded SQLite mode, one process) ``LocalCounters`` keeps the same state in memory under a
lock, with the same semantics.
"""

from __future__ import annotations

import functools
import json
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

from django.conf import settings
from redis.exceptions import RedisError

from apps.core.errors import ServiceUnavailable

FREQUENCY_TTL_SECONDS = 2 * 24 * 3600
LOCAL_FREQUENCY_KEYS = 100_000

# KEYS[1] is the active orders' version: when ARGV[7] names a version and it is no longer the
# current one, nothing is reserved and {-1, current} comes back (the caller chose its candidates
# from stale targeting). Then three keys per candidate order; its draw is ARGV[7 + i].
_RESERVE_LUA = """
local viewer = ARGV[1]
local now = tonumber(ARGV[2])
local want = tonumber(ARGV[3])
local fcap = tonumber(ARGV[4])
local fttl = tonumber(ARGV[5])
local lead = tonumber(ARGV[6])
if ARGV[7] ~= '' then
  local current = redis.call('GET', KEYS[1]) or '0'
  if current ~= ARGV[7] then return {-1, tonumber(current)} end
end
local served = {}
local n = (#KEYS - 1) / 3
for i = 1, n do
  if #served >= want then break end
  local okey = KEYS[3 * i - 1]
  local fkey = KEYS[3 * i]
  local st = redis.call('HMGET', okey, 'cap', 'imp', 'start', 'end', 'p', 'closed', 'id')
  if st[1] and st[6] ~= '1' then
    local cap = tonumber(st[1])
    local imp = tonumber(st[2] or '0')
    local s = tonumber(st[3])
    local e = tonumber(st[4])
    local p = tonumber(st[5] or '1')
    if imp < cap and now >= s and now < e then
      local allowed = math.floor(cap * math.min(1, (now - s + lead) / (e - s)))
      if imp < allowed and tonumber(ARGV[7 + i]) < p then
        local seen = tonumber(redis.call('HGET', fkey, viewer) or '0')
        if seen < fcap then
          redis.call('HINCRBY', fkey, viewer, 1)
          redis.call('EXPIRE', fkey, fttl)
          redis.call('HINCRBY', okey, 'imp', 1)
          redis.call('RPUSH', KEYS[3 * i + 1], st[7] .. ':' .. viewer .. ':' .. ARGV[2])
          served[#served + 1] = st[7]
        end
      end
    end
  end
end
return served
"""

_DRAIN_LUA = """
local items = redis.call('LRANGE', KEYS[1], 0, tonumber(ARGV[1]) - 1)
if #items > 0 then redis.call('LTRIM', KEYS[1], #items, -1) end
return items
"""

# Publishing never lowers the reserved count (a restart must not serve an impression twice).
_PUBLISH_LUA = """
local imp = tonumber(redis.call('HGET', KEYS[1], 'imp') or '0')
if tonumber(ARGV[5]) > imp then imp = tonumber(ARGV[5]) end
redis.call('HSET', KEYS[1], 'id', ARGV[1], 'cap', ARGV[2], 'start', ARGV[3], 'end', ARGV[4],
  'imp', imp, 'p', ARGV[6])
redis.call('EXPIRE', KEYS[1], tonumber(ARGV[7]))
return imp
"""


@dataclass(frozen=True, slots=True)
class Served:
    """One reserved impression, as logged: which order, to whom, when (epoch ms)."""

    order_id: int
    viewer_id: int
    at_ms: int

    @classmethod
    def parse(cls, raw: str | bytes) -> Served:
        text = raw.decode() if isinstance(raw, bytes) else raw
        order, viewer, at = text.split(":")
        return cls(int(order), int(viewer), int(at))

    def dump(self) -> str:
        return f"{self.order_id}:{self.viewer_id}:{self.at_ms}"


@dataclass(frozen=True, slots=True)
class OrderWindow:
    """What serving needs to know of an order: its cap and its time window (epoch ms)."""

    order_id: int
    max_impressions: int
    start_ms: int
    end_ms: int
    billed: int  # impressions already billed (a floor for the reserved count)
    pacing: float = 1.0


class CountersUnavailable(ServiceUnavailable):
    code = "promotion.counters_unavailable"


class StaleSpecs(Exception):
    """``reserve`` was given a version of the active orders that is no longer current: nothing
    was reserved; reload the orders (``version`` is the current one) and choose again."""

    def __init__(self, version: int) -> None:
        super().__init__(f"active orders changed (now version {version})")
        self.version = version


def _guarded[**P, R](method: Callable[P, R]) -> Callable[P, R]:
    """A Redis failure becomes a 503 that rolls the caller's transaction back (never a 500)."""

    @functools.wraps(method)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return method(*args, **kwargs)
        except RedisError as exc:
            raise CountersUnavailable(
                "Promotion serving is unavailable for a moment; try again shortly."
            ) from exc

    return wrapper


class RedisCounters:
    """Counters shared by every process through Redis (``PROMOTION_COUNTERS = "redis"``).

    Every method answers a Redis failure with ``CountersUnavailable`` (503).
    """

    def __init__(self, url: str) -> None:
        import redis

        self.client = redis.Redis.from_url(url, decode_responses=True)
        self._reserve = self.client.register_script(_RESERVE_LUA)
        self._drain = self.client.register_script(_DRAIN_LUA)
        self._publish = self.client.register_script(_PUBLISH_LUA)

    # Keys carry the hash tag {promo} so a Redis cluster keeps them in one slot (the scripts
    # touch several at once); the prefix is the cache's, so test runs never share them.
    def _key(self, *parts: object) -> str:
        return ":".join([settings.CACHE_KEY_PREFIX, "{promo}", *map(str, parts)])

    @_guarded
    def publish(self, window: OrderWindow, *, ttl_seconds: int) -> int:
        return int(
            self._publish(
                keys=[self._key("o", window.order_id)],
                args=[
                    window.order_id,
                    window.max_impressions,
                    window.start_ms,
                    window.end_ms,
                    window.billed,
                    window.pacing,
                    ttl_seconds,
                ],
            )
        )

    @_guarded
    def set_pacing(self, order_id: int, factor: float) -> None:
        key = self._key("o", order_id)
        if self.client.exists(key):
            self.client.hset(key, "p", factor)

    @_guarded
    def close(self, order_id: int) -> None:
        """No more reservations for the order (before its final settlement)."""
        key = self._key("o", order_id)
        pipe = self.client.pipeline(transaction=True)
        pipe.hset(key, mapping={"closed": 1, "id": order_id})
        pipe.expire(key, FREQUENCY_TTL_SECONDS)
        pipe.execute()

    @_guarded
    def reserved(self, order_ids: Sequence[int]) -> dict[int, int]:
        pipe = self.client.pipeline(transaction=False)
        for order_id in order_ids:
            pipe.hget(self._key("o", order_id), "imp")
        return {oid: int(v or 0) for oid, v in zip(order_ids, pipe.execute(), strict=True)}

    @_guarded
    def reserve(
        self,
        *,
        viewer_id: int,
        candidates: Sequence[int],
        want: int,
        now_ms: int,
        day: str,
        draws: Sequence[float],
        specs_version: int | None = None,
    ) -> list[int]:
        """Reserve up to ``want`` impressions among ``candidates`` for the viewer, atomically.

        With ``specs_version`` (the active orders' version the candidates were chosen from) the
        same round trip checks it is still current, else raises ``StaleSpecs``.
        """
        if not candidates or want <= 0:
            return []
        keys = [self._key("specs-version")]
        for order_id in candidates:
            keys += [
                self._key("o", order_id),
                self._key("f", order_id, day),
                self._key("l", order_id),
            ]
        args = [
            viewer_id,
            now_ms,
            want,
            settings.PROMOTION_FREQUENCY_CAP,
            FREQUENCY_TTL_SECONDS,
            settings.PROMOTION_PACING_LEAD_SECONDS * 1000,
            "" if specs_version is None else specs_version,
            *draws,
        ]
        reply = self._reserve(keys=keys, args=args)
        if reply and int(reply[0]) == -1:
            raise StaleSpecs(int(reply[1]))
        return [int(order_id) for order_id in reply]

    @_guarded
    def drain(self, order_id: int, limit: int) -> list[Served]:
        raw = self._drain(keys=[self._key("l", order_id)], args=[limit])
        return [Served.parse(item) for item in raw]

    @_guarded
    def push_back(self, order_id: int, served: Sequence[Served]) -> None:
        items = [item.dump() for item in reversed(served)]
        if items:
            self.client.lpush(self._key("l", order_id), *items)

    @_guarded
    def pending(self, order_ids: Sequence[int]) -> dict[int, int]:
        """Reserved impressions not yet drained, per order (one round trip)."""
        pipe = self.client.pipeline(transaction=False)
        for order_id in order_ids:
            pipe.llen(self._key("l", order_id))
        return {oid: int(n) for oid, n in zip(order_ids, pipe.execute(), strict=True)}

    # The active orders' targeting, read by every feed page: a hash and a version number, so
    # a process reloads the hash only when it changed.
    @_guarded
    def specs_version(self) -> int:
        return int(self.client.get(self._key("specs-version")) or 0)

    @_guarded
    def specs(self) -> dict[int, dict[str, Any]]:
        raw = self.client.hgetall(self._key("specs"))
        return {int(order_id): json.loads(text) for order_id, text in raw.items()}

    @_guarded
    def specs_replace(self, specs: dict[int, dict[str, Any]]) -> None:
        pipe = self.client.pipeline(transaction=True)
        pipe.delete(self._key("specs"))
        if specs:
            pipe.hset(self._key("specs"), mapping={k: json.dumps(v) for k, v in specs.items()})
        pipe.incr(self._key("specs-version"))
        pipe.execute()

    @_guarded
    def spec_set(self, order_id: int, spec: dict[str, Any] | None) -> None:
        pipe = self.client.pipeline(transaction=True)
        if spec is None:
            pipe.hdel(self._key("specs"), order_id)
        else:
            pipe.hset(self._key("specs"), order_id, json.dumps(spec))
        pipe.incr(self._key("specs-version"))
        pipe.execute()


class LocalCounters:
    """The same counters in this process's memory (embedded mode: one process, no Redis)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._orders: dict[int, dict[str, Any]] = {}
        self._frequency: dict[tuple[int, str, int], int] = {}
        self._log: dict[int, list[Served]] = {}
        self._specs: dict[int, dict[str, Any]] = {}
        self._version = 0

    def publish(self, window: OrderWindow, *, ttl_seconds: int) -> int:
        with self._lock:
            state = self._orders.setdefault(window.order_id, {"imp": 0, "closed": False})
            state.update(
                cap=window.max_impressions,
                start=window.start_ms,
                end=window.end_ms,
                p=window.pacing,
                imp=max(state["imp"], window.billed),
            )
            return state["imp"]

    def set_pacing(self, order_id: int, factor: float) -> None:
        with self._lock:
            if order_id in self._orders:
                self._orders[order_id]["p"] = factor

    def close(self, order_id: int) -> None:
        with self._lock:
            self._orders.setdefault(order_id, {"imp": 0})["closed"] = True

    def reserved(self, order_ids: Sequence[int]) -> dict[int, int]:
        with self._lock:
            return {oid: self._orders.get(oid, {}).get("imp", 0) for oid in order_ids}

    def reserve(
        self,
        *,
        viewer_id: int,
        candidates: Sequence[int],
        want: int,
        now_ms: int,
        day: str,
        draws: Sequence[float],
        specs_version: int | None = None,
    ) -> list[int]:
        served: list[int] = []
        lead = settings.PROMOTION_PACING_LEAD_SECONDS * 1000
        with self._lock:
            if specs_version is not None and specs_version != self._version:
                raise StaleSpecs(self._version)
            for order_id, draw in zip(candidates, draws, strict=True):
                if len(served) >= want:
                    break
                state = self._orders.get(order_id)
                if not state or state.get("closed") or "cap" not in state:
                    continue
                cap, imp, start, end = state["cap"], state["imp"], state["start"], state["end"]
                if imp >= cap or not start <= now_ms < end:
                    continue
                allowed = int(cap * min(1.0, (now_ms - start + lead) / (end - start)))
                if imp >= allowed or draw >= state["p"]:
                    continue
                if len(self._frequency) > LOCAL_FREQUENCY_KEYS:  # keep today's only
                    self._frequency = {k: v for k, v in self._frequency.items() if k[1] == day}
                key = (order_id, day, viewer_id)
                if self._frequency.get(key, 0) >= settings.PROMOTION_FREQUENCY_CAP:
                    continue
                self._frequency[key] = self._frequency.get(key, 0) + 1
                state["imp"] = imp + 1
                self._log.setdefault(order_id, []).append(Served(order_id, viewer_id, now_ms))
                served.append(order_id)
        return served

    def drain(self, order_id: int, limit: int) -> list[Served]:
        with self._lock:
            log = self._log.get(order_id, [])
            taken, self._log[order_id] = log[:limit], log[limit:]
            return taken

    def push_back(self, order_id: int, served: Sequence[Served]) -> None:
        with self._lock:
            self._log[order_id] = list(served) + self._log.get(order_id, [])

    def pending(self, order_ids: Sequence[int]) -> dict[int, int]:
        with self._lock:
            return {oid: len(self._log.get(oid, [])) for oid in order_ids}

    def specs_version(self) -> int:
        return self._version

    def specs(self) -> dict[int, dict[str, Any]]:
        with self._lock:
            return dict(self._specs)

    def specs_replace(self, specs: dict[int, dict[str, Any]]) -> None:
        with self._lock:
            self._specs = dict(specs)
            self._version += 1

    def spec_set(self, order_id: int, spec: dict[str, Any] | None) -> None:
        with self._lock:
            if spec is None:
                self._specs.pop(order_id, None)
            else:
                self._specs[order_id] = spec
            self._version += 1


Counters = RedisCounters | LocalCounters


@cache
def _local() -> LocalCounters:
    return LocalCounters()


@cache
def _redis(url: str) -> RedisCounters:
    return RedisCounters(url)


def counters() -> Counters:
    """The configured counters (``PROMOTION_COUNTERS``): one client per process."""
    if settings.PROMOTION_COUNTERS == "redis" and settings.REDIS_URL:
        return _redis(settings.REDIS_URL)
    return _local()
