"""CSV tables of the creator center: the same figures as the JSON screens, one table a file.

Withheld audience buckets stay withheld in CSV: their count and share cells are empty.
"""

import csv
from collections.abc import Iterable, Iterator
from io import StringIO
from typing import Any

from apps.analytics.days import analytics_zone

WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


def _cell(value: Any) -> Any:
    """Plain values; text that a spreadsheet would run as a formula is neutralised."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if hasattr(value, "astimezone"):
        return value.astimezone(analytics_zone()).isoformat(timespec="seconds")
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return f"'{value}"
    return value


def csv_lines(columns: list[str], rows: Iterable[dict[str, Any]]) -> Iterator[str]:
    """The header line, then one line per row (streamed)."""
    buffer = StringIO()
    writer = csv.writer(buffer)

    def line(values: list[Any]) -> str:
        buffer.seek(0)
        buffer.truncate()
        writer.writerow(values)
        return buffer.getvalue()

    yield line(columns)
    for row in rows:
        yield line([_cell(row.get(column)) for column in columns])


OVERVIEW_COLUMNS = [
    "day",
    "fans_total",
    "new_fans",
    "lost_fans",
    "net_fans",
    "impressions",
    "reads",
    "likes",
    "collects",
    "comments",
    "shares",
    "engagements",
    "profile_visits",
]
NOTE_FIGURES = [
    "impressions",
    "reads",
    "ctr",
    "likes",
    "collects",
    "comments",
    "shares",
    "engagements",
    "engagement_rate",
    "fans_gained",
    "profile_visits",
    "avg_dwell_ms",
    "fan_impressions",
    "non_fan_impressions",
    "fan_reads",
    "non_fan_reads",
]
NOTE_COLUMNS = ["note_id", "title", "kind", "published_at", *NOTE_FIGURES]
NOTE_DAY_COLUMNS = [
    "day",
    *NOTE_FIGURES,
    "unique_viewers",
    "video_watches",
    "avg_watch_ms",
    "avg_completion",
    "completion_rate",
]
BUCKET_COLUMNS = ["dimension", "bucket", "label", "withheld", "count", "share"]


def _buckets(audience: dict[str, Any]) -> Iterator[dict[str, Any]]:
    for dimension in ("gender", "age_band", "region", "interest"):
        for bucket in audience[dimension]:
            yield {"dimension": dimension, **bucket}


def fans_table(fans: dict[str, Any], table: str) -> tuple[list[str], Iterable[dict[str, Any]]]:
    """Columns and rows of one table of the fans screen."""
    if table == "trend":
        return ["day", "fans_total", "new_fans", "lost_fans", "net_fans"], fans["trend"]
    if table == "demographics":
        return BUCKET_COLUMNS, _buckets(fans["demographics"])
    if table == "sources":
        return ["source", "new_fans", "lost_fans", "net_fans"], fans["by_source"]
    if table == "top_sources":
        columns = ["source", "source_id", "title", "new_fans", "lost_fans", "net_fans"]
        return columns, fans["top_sources"]
    if table == "top_notes":
        return ["note_id", "title", "fans_gained"], fans["top_notes"]
    hours = [{**slot, "day": WEEKDAYS[slot["weekday"]]} for slot in fans["active_hours"]["hours"]]
    return ["weekday", "day", "hour", "active_fans"], hours


def note_table(detail: dict[str, Any], table: str) -> tuple[list[str], Iterable[dict[str, Any]]]:
    """Columns and rows of one table of a note's page."""
    if table == "daily":
        return NOTE_DAY_COLUMNS, detail["daily"]
    if table == "sources":
        return ["source", "label", "impressions", "reads", "share_of_reads"], detail["sources"]
    if table == "audience":
        return BUCKET_COLUMNS, _buckets(detail["audience"])
    return ["reached", "watches", "share"], detail["retention"]
