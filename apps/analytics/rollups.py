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
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Max
from django.utils import timezone
from tqdm import tqdm

from apps.accounts.models import Follow, Profile
from apps.analytics.days import analytics_zone, day_bounds, local_yesterday, utc_offset_minutes
from apps.analytics.models import (
    CreatorDaily,
    DailyActiveUser,
    Event,
    FanActivityHourly,
    FanDemographicDaily,
    FanSourceDaily,
    NoteAudienceDaily,
    NoteDaily,
    NoteRetentionDaily,
    NoteSourceDaily,
    RollupRun,
)
from apps.core.errors import InvalidInput

# Audience screens (fan demographics, fan activity by hour) are computed for creators with at
# least this many fans: below it every demographic bucket would be withheld anyway.
AUDIENCE_MIN_FANS = 50
# Fan activity by hour is served over the last 30 days; older rows are pruned.
ACTIVITY_WINDOW_DAYS = 30
# A video watch of at least this fraction counts as completed (completion rate).
COMPLETED_FRACTION = 0.9
# Memory for the rollup's sorts and hashes (SET LOCAL: this transaction only).
WORK_MEM = settings.ANALYTICS_ROLLUP_WORK_MEM
# Key space of the per-day advisory lock ("ROLL").
_LOCK_NAMESPACE = 0x524F4C4C

TABLES = {
    "event": Event._meta.db_table,
    "follow": Follow._meta.db_table,
    "profile": Profile._meta.db_table,
    "interests": Profile.interests.through._meta.db_table,
    "dau": DailyActiveUser._meta.db_table,
    "note_daily": NoteDaily._meta.db_table,
    "note_source": NoteSourceDaily._meta.db_table,
    "note_audience": NoteAudienceDaily._meta.db_table,
    "note_retention": NoteRetentionDaily._meta.db_table,
    "creator_daily": CreatorDaily._meta.db_table,
    "fan_source": FanSourceDaily._meta.db_table,
    "fan_activity": FanActivityHourly._meta.db_table,
    "fan_demographic": FanDemographicDaily._meta.db_table,
}

ROLLUP_TABLES = [name for name in TABLES if name not in ("event", "follow", "profile", "interests")]
DAY = "e.occurred_at >= %(start)s AND e.occurred_at < %(end)s"


def _sql(template: str, **fragments: str) -> str:
    return template.format(**TABLES, day=DAY, **fragments)


def _param(value: Any) -> Any:
    """Datetimes as the backend stores them (naive UTC text on SQLite)."""
    if isinstance(value, datetime):
        return connection.ops.adapt_datetimefield_value(value)
    return value


@dataclass
class _Day:
    day: date
    now: datetime
    snapshot: bool  # take fan demographics from the follow graph
    hourly: bool  # within the fan-activity window
    params: dict[str, Any] = field(default_factory=dict)
    timings: dict[str, float] | None = None  # parts of a step, for the benchmark

    @property
    def postgres(self) -> bool:
        return connection.vendor == "postgresql"


def _day_context(day: date, now: datetime) -> _Day:
    yesterday = local_yesterday(now)
    start, end = day_bounds(day)
    window_start = yesterday - timedelta(days=ACTIVITY_WINDOW_DAYS - 1)
    later = RollupRun.objects.filter(day__gt=day).aggregate(last=Max("day"))["last"]
    last_rolled = later or day
    ctx = _Day(day=day, now=now, snapshot=day == yesterday, hourly=day >= window_start)
    ctx.params = {
        "day": day,
        "start": _param(start),
        "end": _param(end),
        "week_start": day - timedelta(days=6),
        "month_start": day - timedelta(days=29),
        "window_start": window_start,
        "last_rolled": last_rolled,
        "unrolled_start": _param(day_bounds(last_rolled)[1]),
        "min_fans": AUDIENCE_MIN_FANS,
        "completed": COMPLETED_FRACTION,
        "year": day.year,
        "weekday": day.weekday(),
        "zone": str(analytics_zone()),
        "offset": f"{utc_offset_minutes(day):+d} minutes",
        "hour_format": "%H",
    }
    return ctx


def _execute(sql: str, params: dict[str, Any]) -> int:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return max(cursor.rowcount, 0)


def _replace(ctx: _Day, table: str, insert: str) -> int:
    """Delete the day's rows of ``table``, then insert them again; returns rows inserted."""
    _execute(f"DELETE FROM {TABLES[table]} WHERE day = %(day)s", ctx.params)
    return _execute(insert, ctx.params)


# --- the steps, one table each --------------------------------------------------------------


def _daily_active_users(ctx: _Day) -> int:
    # Active: the user produced any event during the day (an impression means they were browsing).
    return _replace(
        ctx,
        "dau",
        _sql(
            """
            INSERT INTO {dau} (day, user_id)
            SELECT DISTINCT %(day)s, e.actor_id FROM {event} e
            WHERE {day} AND e.actor_id IS NOT NULL
            """
        ),
    )


NOTE_DAILY_SELECT = """
    SELECT %(day)s, e.note_id, e.author_id,
        -- impressions: the note's card was shown (feed, search, profile, topic...)
        SUM(CASE WHEN e.kind = 'impression' THEN 1 ELSE 0 END),
        -- views ("reads"): the note was opened
        SUM(CASE WHEN e.kind = 'view' THEN 1 ELSE 0 END),
        -- unique viewers: distinct signed-in readers of the day
        COUNT(DISTINCT CASE WHEN e.kind = 'view' THEN e.actor_id END),
        -- likes, collects, comments, shares: events of the day (an unlike later does not
        -- take a like back; the note's own counters hold the current net figures)
        SUM(CASE WHEN e.kind = 'like' THEN 1 ELSE 0 END),
        SUM(CASE WHEN e.kind = 'collect' THEN 1 ELSE 0 END),
        SUM(CASE WHEN e.kind = 'comment' THEN 1 ELSE 0 END),
        SUM(CASE WHEN e.kind = 'share' THEN 1 ELSE 0 END),
        -- follows: fans gained from this note (a follow from a note names it)
        SUM(CASE WHEN e.kind = 'follow' THEN 1 ELSE 0 END),
        -- profile visits the note sent to author_id
        SUM(CASE WHEN e.kind = 'profile_visit' THEN 1 ELSE 0 END),
        -- dwell: summed over views; average = dwell_ms_sum / views
        COALESCE(SUM(CASE WHEN e.kind = 'view' THEN e.dwell_ms END), 0),
        -- video: watches, watch time and completion summed; averages divide by video_watches
        SUM(CASE WHEN e.kind = 'video_watch' THEN 1 ELSE 0 END),
        COALESCE(SUM(CASE WHEN e.kind = 'video_watch' THEN e.watch_ms END), 0),
        COALESCE(SUM(CASE WHEN e.kind = 'video_watch' THEN e.completion END), 0),
        -- completed watches: at least COMPLETED_FRACTION of the video; completion rate =
        -- completed_watches / video_watches
        SUM(CASE WHEN e.kind = 'video_watch' AND e.completion >= %(completed)s
            THEN 1 ELSE 0 END),
        -- fans vs non-fans: the viewer followed the author when the event happened (the edge
        -- exists at rollup time and was made before the event)
        SUM(CASE WHEN e.kind = 'impression' AND f.follower_id IS NOT NULL THEN 1 ELSE 0 END),
        SUM(CASE WHEN e.kind = 'view' AND f.follower_id IS NOT NULL THEN 1 ELSE 0 END)
    FROM {event} e
    -- one probe per event; on PostgreSQL the covering index follow_fan_probe_idx answers it
    -- without visiting the table
    LEFT JOIN {follow} f
        ON e.kind IN ('impression', 'view')
        AND f.follower_id = e.actor_id AND f.followee_id = e.author_id
        AND f.created_at <= e.occurred_at
    WHERE {day} AND e.note_id IS NOT NULL AND e.author_id IS NOT NULL
    -- author first: the groups come out in the order of note_daily's key (day, author, note)
    GROUP BY e.author_id, e.note_id
"""

NOTE_DAILY_COLUMNS = (
    "day, note_id, author_id, impressions, views, unique_viewers, likes, collects, comments, "
    "shares, follows, profile_visits, dwell_ms_sum, video_watches, watch_ms_sum, "
    "completion_sum, completed_watches, fan_impressions, fan_views"
)


_NOTE_DAILY_STAGE = "rollup_note_daily_stage"
_NOTE_DAILY_KEY = ("day", "author_id", "note_id")
_NOTE_DAILY_FIGURES = [
    name.strip() for name in NOTE_DAILY_COLUMNS.split(",") if name.strip() not in _NOTE_DAILY_KEY
]


def _note_daily(ctx: _Day) -> int:
    if not ctx.postgres:
        return _replace(
            ctx,
            "note_daily",
            _sql("INSERT INTO {note_daily} (" + NOTE_DAILY_COLUMNS + ")" + NOTE_DAILY_SELECT),
        )
    # PostgreSQL never runs INSERT ... SELECT with parallel workers, but it does run
    # CREATE TABLE ... AS in parallel: the GROUP BY (the expensive part) goes into a temporary
    # table with the server's workers, then the day's rows are written from it. The table is
    # dropped at the end; a failure rolls its creation back with the rest of the day.
    started = time.perf_counter()
    rows = _execute(
        _sql(
            f"CREATE TEMPORARY TABLE {_NOTE_DAILY_STAGE} ({NOTE_DAILY_COLUMNS}) AS"
            + NOTE_DAILY_SELECT
        ),
        ctx.params,
    )
    grouped = time.perf_counter()
    if NoteDaily.objects.filter(day=ctx.day).exists():
        _merge_note_daily(ctx)
    else:
        # The nightly case: the day is new, its rows are appended in the order of the table's
        # key (day, author, note), each one at the right-hand end of its only index.
        _execute(_sql(_NOTE_DAILY_APPEND, missing=""), ctx.params)
    _execute(f"DROP TABLE {_NOTE_DAILY_STAGE}", {})
    if ctx.timings is not None:
        ctx.timings["note_daily: group by"] = grouped - started
        ctx.timings["note_daily: write"] = time.perf_counter() - grouped
    return rows


# No ORDER BY: the staged rows were written in key order by the GROUP BY (were they not, the
# append would only be slower, never wrong).
_NOTE_DAILY_APPEND = (
    f"INSERT INTO {{note_daily}} ({NOTE_DAILY_COLUMNS}) "
    f"SELECT {NOTE_DAILY_COLUMNS} FROM {_NOTE_DAILY_STAGE} s {{missing}}"
)
_SAME_NOTE_DAY = "d.day = %(day)s AND d.author_id = s.author_id AND d.note_id = s.note_id"


def _merge_note_daily(ctx: _Day) -> None:
    """A day rolled up again: rows whose figures changed are updated, rows of notes without
    events any more deleted, new ones inserted; identical rows are not written at all.

    The biggest rollup table is merged rather than deleted and rewritten: a re-run after a few
    late events touches a few rows, and deleting then inserting the same keys in one
    transaction makes every insert check the dead entry it collides with.
    """
    _execute(f"ANALYZE {_NOTE_DAILY_STAGE}", {})
    _execute(
        _sql(
            "DELETE FROM {note_daily} d WHERE d.day = %(day)s AND NOT EXISTS "
            f"(SELECT 1 FROM {_NOTE_DAILY_STAGE} s WHERE {_SAME_NOTE_DAY})"
        ),
        ctx.params,
    )
    figures = ", ".join(_NOTE_DAILY_FIGURES)
    stage_figures = ", ".join(f"s.{name}" for name in _NOTE_DAILY_FIGURES)
    row_figures = ", ".join(f"d.{name}" for name in _NOTE_DAILY_FIGURES)
    _execute(
        _sql(
            f"UPDATE {{note_daily}} d SET ({figures}) = ({stage_figures}) "
            f"FROM {_NOTE_DAILY_STAGE} s WHERE {_SAME_NOTE_DAY} "
            f"AND ({row_figures}) IS DISTINCT FROM ({stage_figures})"
        ),
        ctx.params,
    )
    _execute(
        _sql(
            _NOTE_DAILY_APPEND,
            missing=(
                f"WHERE NOT EXISTS (SELECT 1 FROM {TABLES['note_daily']} d WHERE {_SAME_NOTE_DAY})"
            ),
        ),
        ctx.params,
    )


def _note_sources(ctx: _Day) -> int:
    # Traffic by source: impressions and reads per surface (feed, search, follow feed...).
    return _replace(
        ctx,
        "note_source",
        _sql(
            """
            INSERT INTO {note_source} (day, note_id, author_id, source, impressions, views)
            SELECT %(day)s, e.note_id, e.author_id, e.source,
                SUM(CASE WHEN e.kind = 'impression' THEN 1 ELSE 0 END),
                SUM(CASE WHEN e.kind = 'view' THEN 1 ELSE 0 END)
            FROM {event} e
            WHERE {day} AND e.kind IN ('impression', 'view')
                AND e.note_id IS NOT NULL AND e.author_id IS NOT NULL
            GROUP BY e.note_id, e.author_id, e.source
            """
        ),
    )


def _note_audience(ctx: _Day) -> int:
    # Readers by the snapshot taken when they read: distinct signed-in viewers per bucket. A
    # reader with several interests counts once in each.
    if ctx.postgres:
        each_interest = "CROSS JOIN LATERAL unnest(r.interests) AS i(value)"
    else:
        each_interest = "JOIN json_each(r.interests) AS i"
    return _replace(
        ctx,
        "note_audience",
        _sql(
            """
            INSERT INTO {note_audience} (day, note_id, author_id, dimension, bucket, viewers)
            WITH readers AS (
                SELECT e.note_id, e.author_id, e.actor_id, e.gender, e.age_band, e.region,
                    e.interests
                FROM {event} e
                WHERE {day} AND e.kind = 'view' AND e.note_id IS NOT NULL
                    AND e.author_id IS NOT NULL AND e.actor_id IS NOT NULL
            )
            SELECT %(day)s, note_id, author_id, 'gender', gender, COUNT(DISTINCT actor_id)
            FROM readers GROUP BY note_id, author_id, gender
            UNION ALL
            SELECT %(day)s, note_id, author_id, 'age_band', age_band, COUNT(DISTINCT actor_id)
            FROM readers GROUP BY note_id, author_id, age_band
            UNION ALL
            SELECT %(day)s, note_id, author_id, 'region', region, COUNT(DISTINCT actor_id)
            FROM readers GROUP BY note_id, author_id, region
            UNION ALL
            SELECT %(day)s, r.note_id, r.author_id, 'interest', CAST(i.value AS VARCHAR(40)),
                COUNT(DISTINCT r.actor_id)
            FROM readers r {each_interest}
            GROUP BY r.note_id, r.author_id, i.value
            """,
            each_interest=each_interest,
        ),
    )


def _note_retention(ctx: _Day) -> int:
    # Video retention: watches by how far they got, in tenths (floor(completion * 10); a watch to
    # the very end is decile 10). The share still watching at x% is the share with decile >= x/10.
    decile = (
        "CAST(FLOOR(e.completion * 10) AS INTEGER)"
        if ctx.postgres
        else "CAST(e.completion * 10 AS INTEGER)"  # truncation is floor for values >= 0
    )
    return _replace(
        ctx,
        "note_retention",
        _sql(
            """
            INSERT INTO {note_retention} (day, note_id, author_id, decile, watches)
            SELECT %(day)s, w.note_id, w.author_id, w.decile, COUNT(*)
            FROM (
                SELECT e.note_id, e.author_id, {decile} AS decile
                FROM {event} e
                WHERE {day} AND e.kind = 'video_watch' AND e.completion IS NOT NULL
                    AND e.note_id IS NOT NULL AND e.author_id IS NOT NULL
            ) w
            GROUP BY w.note_id, w.author_id, w.decile
            """,
            decile=decile,
        ),
    )


def _creator_daily(ctx: _Day) -> int:
    """Per creator: the day's reach, engagement and fans, fans at the end of the day, active fans.

    Rows exist for everyone events were counted for that day, and for every creator with at
    least AUDIENCE_MIN_FANS fans (whose active fans change without events of their own).

    fans_total(D) = fans now (edges in the follow graph, the truth today) minus the net fans
    gained after D: summed from the creator_daily rows of rolled-up days after D, plus follow
    and unfollow events since the end of the newest rolled-up day. Every change to the graph
    records an event (follow, unfollow, and the unfollows a block causes), so this walks the
    count back exactly; edges made without events (imports, seeds) count as fans throughout.
    """
    return _replace(
        ctx,
        "creator_daily",
        _sql(
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


def _fan_sources(ctx: _Day) -> int:
    # Which note, live room, promotion or surface brought fans; an unfollow carries the source
    # of the follow it ends, so lost fans are traced to what brought them.
    return _replace(
        ctx,
        "fan_source",
        _sql(
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


def _fan_activity(ctx: _Day) -> int:
    """Fans active on the platform per Shanghai hour: distinct (user, hour) pairs of the day
    joined to the follow graph, so the join grows with active users, not with events."""
    _execute(
        _sql("DELETE FROM {fan_activity} WHERE day = %(day)s OR day < %(window_start)s"),
        ctx.params,
    )
    if not ctx.hourly:
        return 0
    if ctx.postgres:
        hour = "CAST(EXTRACT(HOUR FROM e.occurred_at AT TIME ZONE %(zone)s) AS INTEGER)"
    else:
        hour = "CAST(strftime(%(hour_format)s, e.occurred_at, %(offset)s) AS INTEGER)"
    return _execute(
        _sql(
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


def _fan_demographics(ctx: _Day) -> int | None:
    """Fans by gender, age band, region and interest: follow graph joined to profiles."""
    if not ctx.snapshot:
        return None
    return _replace(
        ctx,
        "fan_demographic",
        _sql(
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


STEPS: list[tuple[str, Callable[[_Day], int | None]]] = [
    ("daily_active_user", _daily_active_users),
    ("note_daily", _note_daily),
    ("note_source_daily", _note_sources),
    ("note_audience_daily", _note_audience),
    ("note_retention_daily", _note_retention),
    ("creator_daily", _creator_daily),
    ("fan_source_daily", _fan_sources),
    ("fan_activity_hourly", _fan_activity),
    ("fan_demographic_daily", _fan_demographics),
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
        _execute(
            "SELECT pg_advisory_xact_lock(%(namespace)s, %(key)s)",
            {"namespace": _LOCK_NAMESPACE, "key": day.toordinal()},
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
        if connection.vendor == "postgresql":
            # Sorts and hashes of a day's events stay in memory (one batch connection), and
            # statements of a fraction of a second are not worth compiling.
            _execute(
                "SELECT set_config('work_mem', %(work_mem)s, true), set_config('jit', 'off', true)",
                {"work_mem": WORK_MEM},
            )
        ctx = _day_context(day, now)
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
        return _daily_active_users(_day_context(day, now))


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
