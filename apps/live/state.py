"""Live state shared by every server process: presence, likes, peaks, rate limits, slow mode,
and each room's chat version (what invalidates the speakers kept by ``apps.live.speakers``).

In Redis when ``REDIS_URL`` is set (keys under ``<CACHE_KEY_PREFIX>:live:``), so that any
process sees the same viewers, totals and limits, and a dying process's viewers expire; in
process memory in embedded mode (one process, nothing to share).

Presence is a sorted set per room: member = a socket's channel name, score = the time its
last heartbeat expires. A process heartbeats its own sockets; counting first drops expired
members, so the sockets of a process that died stop counting after the TTL.
"""

import threading
import time
from functools import cache
from typing import Protocol

import redis
from django.conf import settings

# Count the live members, then raise the peak if the count passed it: one round trip.
_COUNT_AND_PEAK = """
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[1])
local count = redis.call('ZCARD', KEYS[1])
local peak = tonumber(redis.call('GET', KEYS[2]) or '0')
if count > peak then
  peak = count
  redis.call('SET', KEYS[2], peak, 'EX', ARGV[2])
end
return {count, peak}
"""
KEEP_SECONDS = 7 * 24 * 3600  # room keys outlive any show; the report reads them at the end


class LiveState(Protocol):
    def heartbeat(self, room_id: int, members: list[str], ttl: float) -> None: ...
    def leave(self, room_id: int, member: str) -> None: ...
    def viewers(self, room_id: int) -> tuple[int, int]: ...
    def add_likes(self, room_id: int, count: int) -> int: ...
    def likes(self, room_id: int) -> int: ...
    def hit(self, key: str, window: int) -> int: ...
    def claim(self, key: str, seconds: int) -> float: ...
    def forget_room(self, room_id: int) -> None: ...
    def chat_version(self, room_id: int) -> int: ...
    def chat_version_bump(self, room_ids: list[int]) -> None: ...


def _prefix() -> str:
    return f"{settings.CACHE_KEY_PREFIX}:live"


class RedisLiveState:
    def __init__(self, url: str) -> None:
        self.client = redis.Redis.from_url(url)
        self.count_and_peak = self.client.register_script(_COUNT_AND_PEAK)

    def heartbeat(self, room_id: int, members: list[str], ttl: float) -> None:
        if members:
            key = f"{_prefix()}:viewers:{room_id}"
            expires = time.time() + ttl
            pipe = self.client.pipeline(transaction=False)
            pipe.zadd(key, dict.fromkeys(members, expires))
            pipe.expire(key, KEEP_SECONDS)
            pipe.execute()

    def leave(self, room_id: int, member: str) -> None:
        self.client.zrem(f"{_prefix()}:viewers:{room_id}", member)

    def viewers(self, room_id: int) -> tuple[int, int]:
        keys = [f"{_prefix()}:viewers:{room_id}", f"{_prefix()}:peak:{room_id}"]
        count, peak = self.count_and_peak(keys=keys, args=[time.time(), KEEP_SECONDS])
        return int(count), int(peak)

    def add_likes(self, room_id: int, count: int) -> int:
        key = f"{_prefix()}:likes:{room_id}"
        pipe = self.client.pipeline(transaction=False)
        pipe.incrby(key, count)
        pipe.expire(key, KEEP_SECONDS)
        return int(pipe.execute()[0])

    def likes(self, room_id: int) -> int:
        return int(self.client.get(f"{_prefix()}:likes:{room_id}") or 0)

    def hit(self, key: str, window: int) -> int:
        """Count one hit in a fixed window of ``window`` seconds; the count so far."""
        full = f"{_prefix()}:hits:{key}"
        pipe = self.client.pipeline(transaction=False)
        pipe.incr(full)
        pipe.expire(full, window, nx=True)
        return int(pipe.execute()[0])

    def claim(self, key: str, seconds: int) -> float:
        """Take a slot for ``seconds``; 0 when taken now, else the seconds until it frees."""
        full = f"{_prefix()}:claim:{key}"
        if self.client.set(full, 1, nx=True, ex=seconds):
            return 0.0
        return max(float(self.client.pttl(full)) / 1000, 0.001)

    def forget_room(self, room_id: int) -> None:
        self.client.delete(f"{_prefix()}:viewers:{room_id}")

    def chat_version(self, room_id: int) -> int:
        """The room's chat version (``apps.live.speakers``): 0 until something changed."""
        return int(self.client.get(f"{_prefix()}:chatver:{room_id}") or 0)

    def chat_version_bump(self, room_ids: list[int]) -> None:
        pipe = self.client.pipeline(transaction=False)
        for room_id in room_ids:
            pipe.incr(f"{_prefix()}:chatver:{room_id}")
            pipe.expire(f"{_prefix()}:chatver:{room_id}", KEEP_SECONDS)
        pipe.execute()


class MemoryLiveState:
    """One process's state (embedded mode): the same answers, nothing shared."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.members: dict[int, dict[str, float]] = {}
        self.peaks: dict[int, int] = {}
        self.like_totals: dict[int, int] = {}
        self.expiring: dict[str, tuple[int, float]] = {}
        self.versions: dict[int, int] = {}

    def heartbeat(self, room_id: int, members: list[str], ttl: float) -> None:
        with self.lock:
            room = self.members.setdefault(room_id, {})
            room.update(dict.fromkeys(members, time.time() + ttl))

    def leave(self, room_id: int, member: str) -> None:
        with self.lock:
            self.members.get(room_id, {}).pop(member, None)

    def viewers(self, room_id: int) -> tuple[int, int]:
        now = time.time()
        with self.lock:
            room = self.members.get(room_id, {})
            for member in [m for m, expires in room.items() if expires <= now]:
                del room[member]
            count = len(room)
            self.peaks[room_id] = max(self.peaks.get(room_id, 0), count)
            return count, self.peaks[room_id]

    def add_likes(self, room_id: int, count: int) -> int:
        with self.lock:
            self.like_totals[room_id] = self.like_totals.get(room_id, 0) + count
            return self.like_totals[room_id]

    def likes(self, room_id: int) -> int:
        return self.like_totals.get(room_id, 0)

    def _live(self, key: str) -> tuple[int, float] | None:
        entry = self.expiring.get(key)
        if entry is None or entry[1] <= time.time():
            return None
        return entry

    def hit(self, key: str, window: int) -> int:
        with self.lock:
            entry = self._live(key)
            count = 1 if entry is None else entry[0] + 1
            expires = time.time() + window if entry is None else entry[1]
            self.expiring[key] = (count, expires)
            return count

    def claim(self, key: str, seconds: int) -> float:
        full = f"claim:{key}"
        with self.lock:
            entry = self._live(full)
            if entry is not None:
                return max(entry[1] - time.time(), 0.001)
            self.expiring[full] = (1, time.time() + seconds)
            return 0.0

    def forget_room(self, room_id: int) -> None:
        with self.lock:
            self.members.pop(room_id, None)

    def chat_version(self, room_id: int) -> int:
        return self.versions.get(room_id, 0)

    def chat_version_bump(self, room_ids: list[int]) -> None:
        with self.lock:
            for room_id in room_ids:
                self.versions[room_id] = self.versions.get(room_id, 0) + 1


@cache
def _state_for(url: str) -> LiveState:
    return RedisLiveState(url) if url else MemoryLiveState()


def live_state() -> LiveState:
    """This process's handle on the shared live state."""
    return _state_for(settings.REDIS_URL)
