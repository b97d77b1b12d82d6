"""The per-note rollup steps: ``note_daily`` (figures), note sources, audiences, retention.

Each takes the day being rolled up (``RollupDay``) inside ``rollup_run``'s transaction and
returns the rows it wrote; see ``apps.analytics.rollups`` for how a day is rebuilt and why
running it again changes nothing.
"""

import time

from apps.analytics.models import NOTE_DAILY_COLUMNS, NOTE_DAILY_FIGURES, NoteDaily
from apps.analytics.rollup_sql import RollupDay, execute, render_sql, replace_day

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
        -- (completion summed as NUMERIC, exact, then stored as a float: a float sum depends on
        -- the order rows arrive in, so a re-run could differ in the last bit and rewrite rows
        -- whose figures did not change)
        COALESCE(CAST(SUM(CASE WHEN e.kind = 'video_watch' THEN CAST(e.completion AS NUMERIC) END)
            AS DOUBLE PRECISION), 0),
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

# The SELECT above yields note_daily's columns in this order.
_NOTE_DAILY_COLUMNS = ", ".join(NOTE_DAILY_COLUMNS)
_NOTE_DAILY_STAGE = "rollup_note_daily_stage"


def note_daily(ctx: RollupDay) -> int:
    """A note's figures for the day, per author credited (see NOTE_DAILY_SELECT)."""
    if not ctx.postgres:
        return replace_day(
            ctx,
            "note_daily",
            render_sql(
                "INSERT INTO {note_daily} (" + _NOTE_DAILY_COLUMNS + ")" + NOTE_DAILY_SELECT
            ),
        )
    # PostgreSQL never runs INSERT ... SELECT with parallel workers, but it does run
    # CREATE TABLE ... AS in parallel: the GROUP BY (the expensive part) goes into a temporary
    # table with the server's workers, then the day's rows are written from it. The table is
    # dropped at the end; a failure rolls its creation back with the rest of the day.
    started = time.perf_counter()
    rows = execute(
        render_sql(
            f"CREATE TEMPORARY TABLE {_NOTE_DAILY_STAGE} ({_NOTE_DAILY_COLUMNS}) AS"
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
        execute(render_sql(_NOTE_DAILY_APPEND), ctx.params)
    execute(f"DROP TABLE {_NOTE_DAILY_STAGE}", {})
    if ctx.timings is not None:
        ctx.timings["note_daily: group by"] = grouped - started
        ctx.timings["note_daily: write"] = time.perf_counter() - grouped
    return rows


# No ORDER BY: the staged rows were written in key order by the GROUP BY (were they not, the
# append would only be slower, never wrong).
_NOTE_DAILY_APPEND = (
    f"INSERT INTO {{note_daily}} ({_NOTE_DAILY_COLUMNS}) "
    f"SELECT {_NOTE_DAILY_COLUMNS} FROM {_NOTE_DAILY_STAGE}"
)


def _merge_statement() -> str:
    """One statement: the staged rows joined once to the day's stored rows (a full join on the
    key); only the differences are written, through three data-modifying parts that touch
    disjoint rows (all see the same snapshot)."""
    figures = ", ".join(NOTE_DAILY_FIGURES)
    stage_figures = ", ".join(f"s.{name}" for name in NOTE_DAILY_FIGURES)
    stored_figures = ", ".join(f"o.{name}" for name in NOTE_DAILY_FIGURES)
    diff_figures = ", ".join(f"diff.{name}" for name in NOTE_DAILY_FIGURES)
    same_key = (
        "d.day = %(day)s AND d.author_id = diff.{side}_author AND d.note_id = diff.{side}_note"
    )
    return f"""
        WITH diff AS MATERIALIZED (
            SELECT s.author_id AS new_author, s.note_id AS new_note,
                o.author_id AS old_author, o.note_id AS old_note, {stage_figures}
            FROM {_NOTE_DAILY_STAGE} s
            FULL JOIN (SELECT * FROM {{note_daily}} WHERE day = %(day)s) o
                ON o.author_id = s.author_id AND o.note_id = s.note_id
            WHERE s.note_id IS NULL OR o.note_id IS NULL
                OR ({stored_figures}) IS DISTINCT FROM ({stage_figures})
        ),
        gone AS (
            DELETE FROM {{note_daily}} d USING diff
            WHERE diff.new_note IS NULL AND {same_key.format(side="old")}
        ),
        changed AS (
            UPDATE {{note_daily}} d SET ({figures}) = ({diff_figures}) FROM diff
            WHERE diff.new_note IS NOT NULL AND diff.old_note IS NOT NULL
                AND {same_key.format(side="new")}
        )
        INSERT INTO {{note_daily}} ({_NOTE_DAILY_COLUMNS})
        SELECT %(day)s, new_note, new_author, {figures} FROM diff WHERE old_note IS NULL
    """


_NOTE_DAILY_MERGE = _merge_statement()


def _merge_note_daily(ctx: RollupDay) -> None:
    """A day rolled up again: rows whose figures changed are updated, rows of notes without
    events any more deleted, new ones inserted; identical rows are not written at all.

    The biggest rollup table is merged rather than deleted and rewritten: a re-run after a few
    late events touches a few rows, and deleting then inserting the same keys in one
    transaction makes every insert check the dead entry it collides with. One statement and one
    join of the staged rows to the stored ones (earlier: ANALYZE of the stage, then a DELETE, an
    UPDATE and an INSERT, each joining the two again).
    """
    execute(render_sql(_NOTE_DAILY_MERGE), ctx.params)


def note_sources(ctx: RollupDay) -> int:
    """Impressions and reads of each note by the surface they came through."""
    # Traffic by source: impressions and reads per surface (feed, search, follow feed...).
    return replace_day(
        ctx,
        "note_source",
        render_sql(
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


def note_audience(ctx: RollupDay) -> int:
    """Distinct readers of each note per gender, age band, region and interest."""
    # Readers by the snapshot taken when they read: distinct signed-in viewers per bucket. A
    # reader with several interests counts once in each.
    if ctx.postgres:
        each_interest = "CROSS JOIN LATERAL unnest(r.interests) AS i(value)"
    else:
        each_interest = "JOIN json_each(r.interests) AS i"
    return replace_day(
        ctx,
        "note_audience",
        render_sql(
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


def note_retention(ctx: RollupDay) -> int:
    """Video watches of each note by the tenth of the video they reached."""
    # Video retention: watches by how far they got, in tenths (floor(completion * 10); a watch to
    # the very end is decile 10). The share still watching at x% is the share with decile >= x/10.
    decile = (
        "CAST(FLOOR(e.completion * 10) AS INTEGER)"
        if ctx.postgres
        else "CAST(e.completion * 10 AS INTEGER)"  # truncation is floor for values >= 0
    )
    return replace_day(
        ctx,
        "note_retention",
        render_sql(
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
