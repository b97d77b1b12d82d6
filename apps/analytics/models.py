"""The event table: append-only, one row per impression, view, like, follow...

Built for hundreds of millions of rows (see docs/analytics.md): no foreign keys (notes and users
are referenced by plain ids, so deleting a note never rewrites history), a BRIN index on time
(rows arrive in time order), one btree per access path the creator center needs, and the
viewer's demographics copied into the row when it is recorded so rollups group without joins.
"""

from django.db import models
from django.db.models import Q

from apps.analytics.fields import BrinIndexOnPostgres, IntegerListField
from apps.analytics.kinds import AgeBand, EventKind, EventSource


class Event(models.Model):
    # Fixed-width columns first, variable-width last: no alignment padding in a billion rows.
    id = models.BigAutoField(primary_key=True)
    # Client time clamped to a window around received_at; rollups group by it (Shanghai day).
    occurred_at = models.DateTimeField()
    received_at = models.DateTimeField()
    actor_id = models.BigIntegerField(null=True, blank=True)  # null: anonymous
    note_id = models.BigIntegerField(null=True, blank=True)
    # Whose numbers the event counts for: the note's author, or the user followed or visited.
    author_id = models.BigIntegerField(null=True, blank=True)
    target_user_id = models.BigIntegerField(null=True, blank=True)
    # The search, topic, promotion order or live room the event came through, when there was one.
    source_id = models.BigIntegerField(null=True, blank=True)
    completion = models.FloatField(null=True, blank=True)  # 0..1 of the video watched
    dwell_ms = models.PositiveIntegerField(null=True, blank=True)
    watch_ms = models.PositiveIntegerField(null=True, blank=True)
    kind = models.CharField(max_length=16, choices=EventKind.choices)
    source = models.CharField(max_length=12, choices=EventSource.choices, blank=True)
    client_event_id = models.CharField(max_length=64, null=True, blank=True)
    # The actor as they were when the event happened (demographics change; history must not).
    gender = models.CharField(max_length=12, blank=True)
    age_band = models.CharField(max_length=5, choices=AgeBand.choices, blank=True)
    region = models.CharField(max_length=20, blank=True)
    interests = IntegerListField()  # category ids
    properties = models.JSONField(default=dict, blank=True)

    class Meta:
        constraints = [
            # A client retrying a batch stores each event once (INSERT ... ON CONFLICT DO NOTHING).
            models.UniqueConstraint(
                fields=["actor_id", "client_event_id"],
                condition=Q(client_event_id__isnull=False),
                name="event_client_id_once_per_actor",
            ),
            models.CheckConstraint(
                condition=Q(completion__isnull=True) | Q(completion__gte=0.0, completion__lte=1.0),
                name="event_completion_fraction",
            ),
        ]
        indexes = [
            BrinIndexOnPostgres(
                fields=["occurred_at"],
                name="event_occurred_brin",
                pages_per_range=64,
                autosummarize=True,
            ),
            # Creator-center "today" figures: one creator's events since midnight.
            models.Index(
                fields=["author_id", "occurred_at"],
                name="event_author_time_idx",
                condition=Q(author_id__isnull=False),
            ),
            # One note's events over a time range (note pages, promotion reports).
            models.Index(
                fields=["note_id", "occurred_at"],
                name="event_note_time_idx",
                condition=Q(note_id__isnull=False),
            ),
            # One live room's events (the post-live report, apps/analytics/metrics_live.py).
            models.Index(
                fields=["source_id", "occurred_at"],
                name="event_live_room_time_idx",
                condition=Q(source="live", source_id__isnull=False),
            ),
            # Promotion reports: one promoted note's events from the promotion over its run.
            models.Index(
                fields=["note_id", "occurred_at"],
                name="event_promotion_note_time_idx",
                condition=Q(source=EventSource.PROMOTION),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} #{self.pk}"


# --- nightly rollups ------------------------------------------------------------------------
# One row per thing per Shanghai day, rebuilt for a day by ``apps.analytics.rollups.rollup_run``
# (DELETE the day's rows, then INSERT ... SELECT ... GROUP BY). Ids are plain integers, like the
# events': a deleted note or user keeps its history. Each table has a unique key (which also
# serves the creator center's reads) and an index on ``day`` for the day's DELETE.


class AudienceDimension(models.TextChoices):
    GENDER = "gender", "Gender"
    AGE_BAND = "age_band", "Age band"
    REGION = "region", "Region"
    INTEREST = "interest", "Interest"


def _day_index(name: str) -> models.Index:
    """For the rollup's ``DELETE ... WHERE day = D``. A btree, not BRIN: a BRIN index only skips
    ranges once they are summarised, which a busy night's fresh rows are not yet."""
    return models.Index(fields=["day"], name=name)


class RollupRun(models.Model):
    """The last rollup of each day: when, how long, and how many rows each table got."""

    day = models.DateField(unique=True)
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField()
    seconds = models.FloatField()
    events = models.BigIntegerField(help_text="Events that occurred during the day.")
    rows = models.JSONField(default=dict, blank=True, help_text="Rows written, per table.")
    audience_snapshot = models.BooleanField(
        default=False, help_text="Whether fan demographics were taken from the follow graph."
    )

    class Meta:
        ordering = ("-day",)

    def __str__(self) -> str:
        return f"rollup of {self.day}"


class NoteDaily(models.Model):
    """A note's figures for a day, credited to ``author_id`` (whose numbers they are).

    Usually one row per note; a note that sent visits or fans to another user (a mention) also
    has a row under that user. Averages are stored as sums and counts so periods add up.
    """

    # The natural key is the primary key, and its index the table's only one. Day first: a
    # night's rows all go into the right-hand end of it, in the order they are written (author,
    # note), so writing a day costs a fraction of an index led by author (whose inserts land all
    # over it) and of a surrogate id's second index. Reads name the days they want
    # (``day IN (...)``, one descent per day): a creator's notes over a period (day, author),
    # one note's days (day, author, note), and the rollup's DELETE or merge of a day.
    pk = models.CompositePrimaryKey("day", "author_id", "note_id")
    day = models.DateField()
    note_id = models.BigIntegerField()
    author_id = models.BigIntegerField()
    impressions = models.BigIntegerField(default=0)
    views = models.BigIntegerField(default=0, help_text="Reads: the note was opened.")
    unique_viewers = models.BigIntegerField(default=0)
    likes = models.BigIntegerField(default=0)
    collects = models.BigIntegerField(default=0)
    comments = models.BigIntegerField(default=0)
    shares = models.BigIntegerField(default=0)
    follows = models.BigIntegerField(default=0, help_text="Fans gained from this note.")
    profile_visits = models.BigIntegerField(default=0)
    dwell_ms_sum = models.BigIntegerField(default=0)
    video_watches = models.BigIntegerField(default=0)
    watch_ms_sum = models.BigIntegerField(default=0)
    completion_sum = models.FloatField(default=0.0)
    completed_watches = models.BigIntegerField(default=0, help_text="Watches of 90% or more.")
    fan_impressions = models.BigIntegerField(default=0)
    fan_views = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = "note day"

    def __str__(self) -> str:
        return f"note {self.note_id} on {self.day}"


# note_daily's columns in table order, written out once: the rollup's INSERT, its merge, the
# metrics reads, the admin's note days and the benchmark all take their lists from here
# (migrations keep their own copy; tests check these against the model's fields).
NOTE_DAILY_KEY = ("day", "author_id", "note_id")
NOTE_DAILY_FIGURES = (
    "impressions",
    "views",
    "unique_viewers",
    "likes",
    "collects",
    "comments",
    "shares",
    "follows",
    "profile_visits",
    "dwell_ms_sum",
    "video_watches",
    "watch_ms_sum",
    "completion_sum",
    "completed_watches",
    "fan_impressions",
    "fan_views",
)
NOTE_DAILY_COLUMNS = ("day", "note_id", "author_id", *NOTE_DAILY_FIGURES)


class NoteSourceDaily(models.Model):
    """Impressions and reads of a note for a day, by the surface they came through."""

    day = models.DateField()
    note_id = models.BigIntegerField()
    author_id = models.BigIntegerField()
    source = models.CharField(max_length=12, choices=EventSource.choices, blank=True)
    impressions = models.BigIntegerField(default=0)
    views = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = "note source day"
        constraints = [
            models.UniqueConstraint(
                fields=["note_id", "author_id", "day", "source"],
                name="note_source_daily_unique",
            ),
        ]
        indexes = [_day_index("note_source_daily_day_idx")]

    def __str__(self) -> str:
        return f"note {self.note_id} via {self.source} on {self.day}"


class NoteAudienceDaily(models.Model):
    """Distinct readers of a note for a day, per bucket of one dimension (true counts).

    Stored exact; the creator center withholds buckets that could single a reader out.
    """

    day = models.DateField()
    note_id = models.BigIntegerField()
    author_id = models.BigIntegerField()
    dimension = models.CharField(max_length=10, choices=AudienceDimension.choices)
    bucket = models.CharField(max_length=40, blank=True)
    viewers = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = "note audience day"
        verbose_name_plural = "note audience days"
        constraints = [
            models.UniqueConstraint(
                fields=["note_id", "author_id", "day", "dimension", "bucket"],
                name="note_audience_daily_unique",
            ),
        ]
        indexes = [_day_index("note_audience_daily_day_idx")]

    def __str__(self) -> str:
        return f"note {self.note_id} {self.dimension}={self.bucket} on {self.day}"


class NoteRetentionDaily(models.Model):
    """Video watches of a note for a day by how far they got: decile 3 is 30% to under 40%."""

    day = models.DateField()
    note_id = models.BigIntegerField()
    author_id = models.BigIntegerField()
    decile = models.PositiveSmallIntegerField(help_text="0-9, or 10 for a watch to the end.")
    watches = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = "note retention day"
        constraints = [
            models.UniqueConstraint(
                fields=["note_id", "author_id", "day", "decile"],
                name="note_retention_daily_unique",
            ),
        ]
        indexes = [_day_index("note_retention_daily_day_idx")]

    def __str__(self) -> str:
        return f"note {self.note_id} decile {self.decile} on {self.day}"


class CreatorDaily(models.Model):
    """A creator's figures for a day: fans at the end of it, gained, lost, reach, engagement."""

    day = models.DateField()
    creator_id = models.BigIntegerField()
    fans_total = models.BigIntegerField(default=0, help_text="Fans at the end of the day.")
    new_fans = models.BigIntegerField(default=0)
    lost_fans = models.BigIntegerField(default=0)
    net_fans = models.BigIntegerField(default=0)
    profile_visits = models.BigIntegerField(default=0)
    impressions = models.BigIntegerField(default=0)
    views = models.BigIntegerField(default=0)
    likes = models.BigIntegerField(default=0)
    collects = models.BigIntegerField(default=0)
    comments = models.BigIntegerField(default=0)
    shares = models.BigIntegerField(default=0)
    engagements = models.BigIntegerField(
        default=0, help_text="Likes + collects + comments + shares."
    )
    active_fans_7d = models.BigIntegerField(default=0)
    active_fans_30d = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = "creator day"
        constraints = [
            models.UniqueConstraint(fields=["creator_id", "day"], name="creator_daily_unique"),
        ]
        indexes = [_day_index("creator_daily_day_idx")]

    def __str__(self) -> str:
        return f"creator {self.creator_id} on {self.day}"


# creator_daily's figures that add up over days (fans_total and active fans do not: they are
# states at the end of a day).
CREATOR_DAILY_SUMMABLE = (
    "impressions",
    "views",
    "likes",
    "collects",
    "comments",
    "shares",
    "engagements",
    "profile_visits",
    "new_fans",
    "lost_fans",
    "net_fans",
)
CREATOR_DAILY_STATES = ("fans_total", "active_fans_7d", "active_fans_30d")


class FanDemographicDaily(models.Model):
    """A creator's fans at the end of a day, per bucket of one dimension (true counts)."""

    day = models.DateField()
    creator_id = models.BigIntegerField()
    dimension = models.CharField(max_length=10, choices=AudienceDimension.choices)
    bucket = models.CharField(max_length=40, blank=True)
    fans = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = "fan demographic day"
        constraints = [
            models.UniqueConstraint(
                fields=["creator_id", "day", "dimension", "bucket"],
                name="fan_demographic_daily_unique",
            ),
        ]
        indexes = [_day_index("fan_demographic_daily_day_idx")]

    def __str__(self) -> str:
        return f"creator {self.creator_id} {self.dimension}={self.bucket} on {self.day}"


class FanSourceDaily(models.Model):
    """Fans gained and lost on a day through one note, live room, promotion or surface.

    ``source_id`` is the note, live room or promotion order; 0 when the source has no object.
    """

    day = models.DateField()
    creator_id = models.BigIntegerField()
    source = models.CharField(max_length=12, blank=True)
    source_id = models.BigIntegerField(default=0)
    new_fans = models.BigIntegerField(default=0)
    lost_fans = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = "fan source day"
        constraints = [
            models.UniqueConstraint(
                fields=["creator_id", "day", "source", "source_id"],
                name="fan_source_daily_unique",
            ),
        ]
        indexes = [_day_index("fan_source_daily_day_idx")]

    def __str__(self) -> str:
        return f"creator {self.creator_id} via {self.source}:{self.source_id} on {self.day}"


class FanActivityHourly(models.Model):
    """How many of a creator's fans were active on the platform in each Shanghai hour of a day.

    Kept for the last 30 days only: it feeds "when are my fans online" and the best time to post.
    """

    day = models.DateField()
    creator_id = models.BigIntegerField()
    weekday = models.PositiveSmallIntegerField(help_text="0 = Monday.")
    hour = models.PositiveSmallIntegerField(help_text="0-23, Asia/Shanghai.")
    active_fans = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = "fan activity hour"
        constraints = [
            models.UniqueConstraint(
                fields=["creator_id", "day", "hour"], name="fan_activity_hourly_unique"
            ),
        ]
        indexes = [_day_index("fan_activity_hourly_day_idx")]

    def __str__(self) -> str:
        return f"creator {self.creator_id} {self.day} {self.hour:02d}h"


class DailyActiveUser(models.Model):
    """Who used the platform on a day (any event): the basis of "active fans" over 7 and 30 days."""

    day = models.DateField()
    user_id = models.BigIntegerField()

    class Meta:
        verbose_name = "daily active user"
        constraints = [
            models.UniqueConstraint(fields=["day", "user_id"], name="daily_active_user_unique"),
        ]
        # Brands' audience authenticity: "has this fan ever been active" is one probe per fan.
        indexes = [models.Index(fields=["user_id"], name="daily_active_user_user_idx")]

    def __str__(self) -> str:
        return f"user {self.user_id} on {self.day}"


# The commerce rollup table lives in its own module; imported here so Django registers it.
from apps.analytics.commerce_models import CommerceDaily  # noqa: E402, F401
