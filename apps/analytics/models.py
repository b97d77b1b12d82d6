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
        ]

    def __str__(self) -> str:
        return f"{self.kind} #{self.pk}"
