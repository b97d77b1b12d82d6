"""Nightly rollups: one Asia/Shanghai day of events into the creator center's tables.

How a day is rebuilt, and why running it again changes nothing
--------------------------------------------------------------
``rollup_run(day=D)`` is one transaction holding a lock on D (a PostgreSQL advisory lock; SQLite
serialises writers anyway). For each table it deletes D's rows and inserts them again with one
``INSERT ... SELECT ... GROUP BY`` over the events of D, selected by the day's UTC bounds (the
BRIN index on ``occurred_at``; the column is never wrapped in a function in a WHERE clause). No
statement reads the rows it writes (only rows of other days, or of tables written before it), so
a second run over the same events and follow graph deletes exactly what the first wrote and
inserts the same rows (new surrogate ids, the same content). ``note_daily``, the biggest table,
is merged instead on PostgreSQL when the day has rows already: a re-run writes only the rows
whose figures changed (same ids), deletes those of notes left without events and inserts new
ones, so an identical re-run writes nothing. Readers see the old day or the new one, never half
of each, never double counts.

What a run reads besides D's events, and so what it assumes:

* the follow graph as it is when the run happens (who was a fan: see ``fan_impressions``);
* ``creator_daily`` rows of later days, for ``fans_total`` (see the creator step) -- so a range
  is rebuilt newest day first, which ``rollup_backfill`` does;
* ``daily_active_user`` rows: D's own (the first step writes them) and those of the 29 days
  before D, for active fans over 30 days -- ``rollup_backfill`` writes those first.

Fan demographics are a snapshot of the follow graph, which has no history: they are taken only
when D is yesterday (the nightly run); re-running an older day leaves its snapshot alone. Fan
activity by hour feeds a 30-day window only, so it is kept for the last 30 days.
"""

import time
from collections.abc import Callable, Iterable
from datetime import date, datetime, timedelta

from django.db import connection, transaction
from django.utils import timezone
from tqdm import tqdm

from apps.analytics import rollup_commerce, rollup_notes
from apps.analytics.days import day_bounds, local_yesterday
from apps.analytics.models import Event, RollupRun
from apps.analytics.rollup_sql import (
    ACTIVITY_WINDOW_DAYS,
    AUDIENCE_MIN_FANS,
    COMPLETED_FRACTION,
    ROLLUP_TABLES,
    TABLES,
    WORK_MEM,
    RollupDay,
    day_context,
    execute,
    render_sql,
    replace_day,
)
from apps.core.errors import InvalidInput

__all__ = [
    "ACTIVITY_WINDOW_DAYS",
    "AUDIENCE_MIN_FANS",
    "COMPLETED_FRACTION",
    "ROLLUP_TABLES",
    "STEPS",
    "TABLES",
    "daily_active_users_rebuild",
    "rollup_backfill",
    "rollup_run",
    "rollup_transaction_settings",
]

# Key space of the per-day advisory lock ("ROLL").
_LOCK_NAMESPACE = 0x524F4C4C

# --- the steps, one table each --------------------------------------------------------------


def _daily_active_users(ctx: RollupDay) -> int:
    # Active: the user produced any event during the day (an impression means they were browsing).
    return replace_day(
        ctx,
        "dau",
        render_sql(
            """
            INSERT INTO {dau} (day, user_id)
            SELECT DISTINCT %(day)s, e.actor_id FROM {event} e
            WHERE {day} AND e.actor_id IS NOT NULL
            """
        ),
    )


def _creator_daily(ctx: RollupDay) -> int:
    """Per creator: the day's reach, engagement and fans, fans at the end of the day, active fans.

    Rows exist for everyone events were counted for that day, and for every creator with at
    least AUDIENCE_MIN_FANS fans (whose active fans change without events of their own).

    fans_total(D) = fans now (edges in the follow graph, the truth today) minus the net fans
    gained after D: summed from the creator_daily rows of rolled-up days after D, plus follow
    and unfollow events since the end of the newest rolled-up day. Every change to the graph
    records an event (follow, unfollow, and the unfollows a block causes), so this walks the
    count back exactly; edges made without events (imports, seeds) count as fans throughout.
    """
    return replace_day(
        ctx,
        "creator_daily",
        render_sql(
            """
            INSERT INTO {creator_daily} (
                day, creator_id, fans_total, new_fans, lost_fans, net_fans, profile_visits,
                impressions, views, likes, collects, comments, shares, engagements,
                active_fans_7d, active_fans_30d)
            WITH day_totals AS (
                SELECT e.author_id AS creator_id,
                    SUM(CASE WHEN e.kind = 'impression' THEN 1 ELSE 0 END) AS impressions,
                    SUM(CASE WHEN e.kind = 'view' THEN 1 ELSE 0 END) AS views,
                    SUM(CASE WHEN e.kind = 'like' THEN 1 ELSE 0 END) AS likes,
                    SUM(CASE WHEN e.kind = 'collect' THEN 1 ELSE 0 END) AS collects,
                    SUM(CASE WHEN e.kind = 'comment' THEN 1 ELSE 0 END) AS comments,
                    SUM(CASE WHEN e.kind = 'share' THEN 1 ELSE 0 END) AS shares,
                    SUM(CASE WHEN e.kind = 'profile_visit' THEN 1 ELSE 0 END) AS profile_visits,
                    SUM(CASE WHEN e.kind = 'follow' THEN 1 ELSE 0 END) AS new_fans,
                    SUM(CASE WHEN e.kind = 'unfollow' THEN 1 ELSE 0 END) AS lost_fans
                FROM {event} e
                WHERE {day} AND e.author_id IS NOT NULL
                GROUP BY e.author_id
            ),
            population AS (
                SELECT creator_id FROM day_totals
                UNION
                SELECT user_id FROM {profile} WHERE fans_count >= %(min_fans)s
            ),
            fans_now AS (
                SELECT f.followee_id AS creator_id, COUNT(*) AS fans
                FROM {follow} f JOIN population p ON p.creator_id = f.followee_id
                GROUP BY f.followee_id
            ),
            later_days AS (
                SELECT c.creator_id, SUM(c.net_fans) AS net
                FROM {creator_daily} c JOIN population p ON p.creator_id = c.creator_id
                WHERE c.day > %(day)s AND c.day <= %(last_rolled)s
                GROUP BY c.creator_id
            ),
            later_events AS (
                SELECT e.author_id AS creator_id,
                    SUM(CASE WHEN e.kind = 'follow' THEN 1 ELSE -1 END) AS net
                FROM {event} e
                WHERE e.occurred_at >= %(unrolled_start)s AND e.kind IN ('follow', 'unfollow')
                    AND e.author_id IS NOT NULL
                GROUP BY e.author_id
            ),
            active_users AS (
                -- everyone active in the 30 days ending with D, with their last active day
                SELECT a.user_id, MAX(a.day) AS last_day
                FROM {dau} a
                WHERE a.day >= %(month_start)s AND a.day <= %(day)s
                GROUP BY a.user_id
            ),
            active AS (
                -- active fans: fans (by the end of D) who used the platform in the 7 or 30
                -- days ending with D; one row per (user, creator), so plain counts suffice
                SELECT f.followee_id AS creator_id,
                    SUM(CASE WHEN u.last_day >= %(week_start)s THEN 1 ELSE 0 END) AS active_7d,
                    COUNT(*) AS active_30d
                FROM active_users u
                JOIN {follow} f ON f.follower_id = u.user_id AND f.created_at < %(end)s
                JOIN population p ON p.creator_id = f.followee_id
                GROUP BY f.followee_id
            ),
            base AS (
                SELECT p.creator_id,
                    COALESCE(n.fans, 0) - COALESCE(l.net, 0) - COALESCE(le.net, 0) AS fans_total,
                    COALESCE(t.new_fans, 0) AS new_fans,
                    COALESCE(t.lost_fans, 0) AS lost_fans,
                    COALESCE(t.profile_visits, 0) AS profile_visits,
                    COALESCE(t.impressions, 0) AS impressions,
                    COALESCE(t.views, 0) AS views,
                    COALESCE(t.likes, 0) AS likes,
                    COALESCE(t.collects, 0) AS collects,
                    COALESCE(t.comments, 0) AS comments,
                    COALESCE(t.shares, 0) AS shares,
                    COALESCE(a.active_7d, 0) AS active_7d,
                    COALESCE(a.active_30d, 0) AS active_30d
                FROM population p
                LEFT JOIN day_totals t ON t.creator_id = p.creator_id
                LEFT JOIN fans_now n ON n.creator_id = p.creator_id
                LEFT JOIN later_days l ON l.creator_id = p.creator_id
                LEFT JOIN later_events le ON le.creator_id = p.creator_id
                LEFT JOIN active a ON a.creator_id = p.creator_id
            )
            SELECT %(day)s, creator_id,
                -- never below zero, should events have been lost
                CASE WHEN fans_total < 0 THEN 0 ELSE fans_total END,
                new_fans, lost_fans, new_fans - lost_fans, profile_visits,
                impressions, views, likes, collects, comments, shares,
                -- engagements: likes + collects + comments + shares on the creator's notes
                likes + collects + comments + shares,
                active_7d, active_30d
            FROM base
            """
        ),
    )


def _fan_sources(ctx: RollupDay) -> int:
    # Which note, live room, promotion or surface brought fans; an unfollow carries the source
    # of the follow it ends, so lost fans are traced to what brought them.
    return replace_day(
        ctx,
        "fan_source",
        render_sql(
            """
            INSERT INTO {fan_source} (day, creator_id, source, source_id, new_fans, lost_fans)
            SELECT %(day)s, e.author_id, e.source, COALESCE(e.source_id, 0),
                SUM(CASE WHEN e.kind = 'follow' THEN 1 ELSE 0 END),
                SUM(CASE WHEN e.kind = 'unfollow' THEN 1 ELSE 0 END)
            FROM {event} e
            WHERE {day} AND e.kind IN ('follow', 'unfollow') AND e.author_id IS NOT NULL
            GROUP BY e.author_id, e.source, COALESCE(e.source_id, 0)
            """
        ),
    )


def _fan_activity(ctx: RollupDay) -> int:
    """Fans active on the platform per Shanghai hour: distinct (user, hour) pairs of the day
    joined to the follow graph, so the join grows with active users, not with events."""
    execute(
        render_sql("DELETE FROM {fan_activity} WHERE day = %(day)s OR day < %(window_start)s"),
        ctx.params,
    )
    if not ctx.hourly:
        return 0
    if ctx.postgres:
        hour = "CAST(EXTRACT(HOUR FROM e.occurred_at AT TIME ZONE %(zone)s) AS INTEGER)"
    else:
        hour = "CAST(strftime(%(hour_format)s, e.occurred_at, %(offset)s) AS INTEGER)"
    return execute(
        render_sql(
            """
            INSERT INTO {fan_activity} (day, creator_id, weekday, hour, active_fans)
            WITH active AS (
                SELECT DISTINCT e.actor_id, {hour} AS hour
                FROM {event} e
                WHERE {day} AND e.actor_id IS NOT NULL
            ),
            fan_edges AS (
                -- the day's active users (written by the first step) and whom they follow
                SELECT f.follower_id, f.followee_id
                FROM {dau} u
                JOIN {follow} f ON f.follower_id = u.user_id AND f.created_at < %(end)s
                JOIN {profile} c ON c.user_id = f.followee_id AND c.fans_count >= %(min_fans)s
                WHERE u.day = %(day)s
            )
            SELECT %(day)s, f.followee_id, %(weekday)s, a.hour, COUNT(*)
            FROM active a
            JOIN fan_edges f ON f.follower_id = a.actor_id
            GROUP BY f.followee_id, a.hour
            """,
            hour=hour,
        ),
        ctx.params,
    )


# Age band in the day's year, as apps.analytics.kinds.age_band_for computes it.
AGE_BAND_SQL = """
    CASE WHEN p.birth_year IS NULL THEN ''
        WHEN %(year)s - p.birth_year < 18 THEN '<18'
        WHEN %(year)s - p.birth_year < 25 THEN '18-24'
        WHEN %(year)s - p.birth_year < 35 THEN '25-34'
        WHEN %(year)s - p.birth_year < 45 THEN '35-44'
        ELSE '45+' END
"""


def _fan_demographics(ctx: RollupDay) -> int | None:
    """Fans by gender, age band, region and interest: follow graph joined to profiles."""
    if not ctx.snapshot:
        return None
    return replace_day(
        ctx,
        "fan_demographic",
        render_sql(
            """
            INSERT INTO {fan_demographic} (day, creator_id, dimension, bucket, fans)
            WITH fans AS (
                SELECT f.followee_id AS creator_id, f.follower_id AS fan_id, p.gender,
                    {age_band} AS age_band, p.region
                FROM {follow} f
                JOIN {profile} c ON c.user_id = f.followee_id AND c.fans_count >= %(min_fans)s
                JOIN {profile} p ON p.user_id = f.follower_id
                WHERE f.created_at < %(end)s
            )
            SELECT %(day)s, creator_id, 'gender', gender, COUNT(*)
            FROM fans GROUP BY creator_id, gender
            UNION ALL
            SELECT %(day)s, creator_id, 'age_band', age_band, COUNT(*)
            FROM fans GROUP BY creator_id, age_band
            UNION ALL
            SELECT %(day)s, creator_id, 'region', region, COUNT(*)
            FROM fans GROUP BY creator_id, region
            UNION ALL
            SELECT %(day)s, fans.creator_id, 'interest', CAST(i.category_id AS VARCHAR(40)),
                COUNT(*)
            FROM fans JOIN {interests} i ON i.profile_id = fans.fan_id
            GROUP BY fans.creator_id, i.category_id
            """,
            age_band=AGE_BAND_SQL,
        ),
    )


STEPS: list[tuple[str, Callable[[RollupDay], int | None]]] = [
    ("daily_active_user", _daily_active_users),
    ("note_daily", rollup_notes.note_daily),
    ("note_source_daily", rollup_notes.note_sources),
    ("note_audience_daily", rollup_notes.note_audience),
    ("note_retention_daily", rollup_notes.note_retention),
    ("creator_daily", _creator_daily),
    ("fan_source_daily", _fan_sources),
    ("fan_activity_hourly", _fan_activity),
    ("fan_demographic_daily", _fan_demographics),
    ("commerce_daily", rollup_commerce.commerce_daily),
]


# --- services -------------------------------------------------------------------------------


def _check_day(day: date, now: datetime) -> None:
    yesterday = local_yesterday(now)
    if day > yesterday:
        raise InvalidInput(
            f"{day} is not over yet in Asia/Shanghai; the newest day to roll up is {yesterday}.",
            code="rollup.day_not_over",
        )


def _lock_day(day: date) -> None:
    """Serialise runs of one day (two at once would each delete, then both insert)."""
    if connection.vendor == "postgresql":
        execute(
            "SELECT pg_advisory_xact_lock(%(namespace)s, %(key)s)",
            {"namespace": _LOCK_NAMESPACE, "key": day.toordinal()},
        )


def rollup_transaction_settings() -> None:
    """The rollup's settings for the current transaction (PostgreSQL, SET LOCAL).

    ``work_mem``: a day's sorts and hashes stay in memory (one batch connection). JIT off:
    config/settings.py already turns it off for every connection, set again here so the rollup
    does not depend on it (statements of a fraction of a second never repay compiling). The
    benchmark's hand-written reference runs under the same settings.
    """
    if connection.vendor == "postgresql":
        execute(
            "SELECT set_config('work_mem', %(work_mem)s, true), set_config('jit', 'off', true)",
            {"work_mem": WORK_MEM},
        )


def rollup_run(
    *, day: date, now: datetime | None = None, timings: dict[str, float] | None = None
) -> RollupRun:
    """Rebuild every rollup table for one Shanghai day, in one transaction.

    ``timings``, when given, receives the seconds each step took (the benchmark prints them).
    """
    now = now or timezone.now()
    _check_day(day, now)
    started_at = timezone.now()
    started = time.perf_counter()
    rows: dict[str, int] = {}
    with transaction.atomic():
        _lock_day(day)
        rollup_transaction_settings()
        ctx = day_context(day, now)
        ctx.timings = timings
        for name, step in STEPS:
            step_started = time.perf_counter()
            written = step(ctx)
            if timings is not None:
                timings[name] = time.perf_counter() - step_started
            if written is not None:
                rows[name] = written
        start, end = day_bounds(day)
        events = Event.objects.filter(occurred_at__gte=start, occurred_at__lt=end).count()
        run, _ = RollupRun.objects.update_or_create(
            day=day,
            defaults={
                "started_at": started_at,
                "finished_at": timezone.now(),
                "seconds": round(time.perf_counter() - started, 3),
                "events": events,
                "rows": rows,
                "audience_snapshot": ctx.snapshot,
            },
        )
    return run


def daily_active_users_rebuild(*, day: date, now: datetime | None = None) -> int:
    """Rebuild one day's active users only (what active fans of the next 29 days read)."""
    now = now or timezone.now()
    _check_day(day, now)
    with transaction.atomic():
        _lock_day(day)
        return _daily_active_users(day_context(day, now))


def _days(first: date, last: date) -> Iterable[date]:
    for offset in range((last - first).days + 1):
        yield first + timedelta(days=offset)


def rollup_backfill(
    *, first: date, last: date, now: datetime | None = None, progress: bool = False
) -> list[RollupRun]:
    """Roll up every day from ``first`` to ``last``; each day is its own transaction.

    Active users of the 29 days before each day are written first (active fans read them),
    then the days run newest first, so each day's fans_total finds the later days' rows.
    """
    now = now or timezone.now()
    if first > last:
        raise InvalidInput("The first day comes after the last.", code="rollup.range_invalid")
    _check_day(last, now)
    warmup = list(_days(first - timedelta(days=ACTIVITY_WINDOW_DAYS - 1), last))
    bar = tqdm(
        total=len(warmup) + (last - first).days + 1,
        desc="rollup",
        unit="day",
        disable=None if progress else True,
    )
    try:
        for day in warmup:
            bar.set_postfix_str(f"active users {day}")
            daily_active_users_rebuild(day=day, now=now)
            bar.update()
        runs = []
        for day in reversed(list(_days(first, last))):
            bar.set_postfix_str(str(day))
            runs.append(rollup_run(day=day, now=now))
            bar.update()
    finally:
        bar.close()
    _analyze()
    return runs


def _analyze() -> None:
    """Fresh planner statistics after writing many days (a night's run leaves it to autovacuum)."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for table in ROLLUP_TABLES:
            cursor.execute(f"ANALYZE {TABLES[table]}")
