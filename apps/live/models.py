"""Live rooms and what happens in them: stream keys, chat, moderators, gifts, shelf, reports.

Users are referenced by foreign key; commerce products by plain id (commerce owns them, and a
product app never reads another's tables). Money is integer fen and moves only through the
ledger's ``gift`` move: ``RoomGift`` records which ledger transaction paid for a gift.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from apps.core.states import Machine

User = settings.AUTH_USER_MODEL


class RoomStatus(models.TextChoices):
    SCHEDULED = "scheduled", "Scheduled"
    LIVE = "live", "Live"
    ENDED = "ended", "Ended"
    CANCELLED = "cancelled", "Cancelled"


# A publish with a good key starts a scheduled room; a re-publish of a live room (the encoder
# reconnected) is a repeat; the end of the stream, the host or an operator ends it.
ROOM_MACHINE = Machine(
    "room",
    transitions={
        (RoomStatus.SCHEDULED, "start"): RoomStatus.LIVE,
        (RoomStatus.SCHEDULED, "cancel"): RoomStatus.CANCELLED,
        (RoomStatus.LIVE, "end"): RoomStatus.ENDED,
    },
    states=tuple(RoomStatus.values),
    repeatable=frozenset({"start"}),
)


class RoomCategory(models.TextChoices):
    BEAUTY = "beauty", "Beauty"
    FASHION = "fashion", "Fashion"
    FOOD = "food", "Food"
    TRAVEL = "travel", "Travel"
    HOME = "home", "Home"
    FITNESS = "fitness", "Fitness"
    TECH = "tech", "Tech"
    CHAT = "chat", "Just chatting"
    OTHER = "other", "Other"


class Room(models.Model):
    host = models.ForeignKey(User, on_delete=models.CASCADE, related_name="live_rooms")
    title = models.CharField(max_length=60)
    cover = models.URLField(max_length=500, blank=True)
    category = models.CharField(max_length=12, choices=RoomCategory.choices)
    status = models.CharField(
        max_length=10, choices=RoomStatus.choices, default=RoomStatus.SCHEDULED
    )
    scheduled_at = models.DateTimeField()
    started_at = models.DateTimeField(null=True, blank=True)  # the first good publish
    ended_at = models.DateTimeField(null=True, blank=True)
    # The host's public stream id while live: nginx writes HLS under /hls/<stream_name>.m3u8.
    stream_name = models.CharField(max_length=40, blank=True)
    # Chat modes (0 / None: off).
    slow_mode_seconds = models.PositiveIntegerField(default=0)
    followers_only_minutes = models.PositiveIntegerField(null=True, blank=True)
    allow_list_only = models.BooleanField(default=False)
    # Figures kept while live (Redis is the source during the show; written here at the end).
    peak_viewers = models.PositiveIntegerField(default=0)
    likes = models.PositiveBigIntegerField(default=0)
    ended_by = models.CharField(max_length=12, blank=True)  # stream, host, operator
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            # One live room per host at a time, whatever the races.
            models.UniqueConstraint(
                fields=["host"], condition=Q(status="live"), name="live_room_one_live_per_host"
            ),
        ]
        indexes = [
            models.Index(fields=["host", "-created_at", "-id"], name="live_room_host_idx"),
            models.Index(fields=["status", "-created_at", "-id"], name="live_room_status_idx"),
            models.Index(
                fields=["stream_name"], name="live_room_stream_idx", condition=Q(status="live")
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.status})"

    @property
    def duration_seconds(self) -> int:
        if self.started_at is None or self.ended_at is None:
            return 0
        return max(0, int((self.ended_at - self.started_at).total_seconds()))


class StreamKey(models.Model):
    """A host's stream key: only its secret's SHA-256 is stored; shown once, at rotation.

    The encoder publishes to ``<rtmp_url>/<stream_id>?key=<secret>`` (OBS's "stream key" field
    takes ``<stream_id>?key=<secret>``). ``stream_id`` is public and stable: nginx names the
    HLS playlist after it; the secret never appears in a file name or a playback URL.
    """

    host = models.OneToOneField(User, on_delete=models.CASCADE, related_name="live_stream_key")
    stream_id = models.CharField(max_length=24, unique=True)
    key_hash = models.CharField(max_length=64, unique=True)
    hint = models.CharField(max_length=8)  # the last characters, to tell keys apart
    rotated_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"…{self.hint}"


class Publish(models.Model):
    """One RTMP publish session nginx reported: the room it started and when it stopped."""

    room = models.ForeignKey(Room, on_delete=models.CASCADE, related_name="publishes")
    client_id = models.CharField(max_length=40, blank=True)
    address = models.CharField(max_length=64, blank=True)
    started_at = models.DateTimeField(default=timezone.now)
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["room", "-id"], name="live_publish_room_idx")]

    def __str__(self) -> str:
        return f"publish of room {self.room_id}"


class Reminder(models.Model):
    """A user asked to be told when the room starts."""

    room = models.ForeignKey(Room, on_delete=models.CASCADE, related_name="reminders")
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["room", "user"], name="live_reminder_once"),
        ]

    def __str__(self) -> str:
        return f"remind {self.user_id} of room {self.room_id}"


class Moderator(models.Model):
    """A user the host appointed: for one room, or (``room`` empty) for all their rooms."""

    host = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    room = models.ForeignKey(Room, on_delete=models.CASCADE, null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["host", "user", "room"], name="live_moderator_once_per_room"
            ),
            models.UniqueConstraint(
                fields=["host", "user"],
                condition=Q(room__isnull=True),
                name="live_moderator_once_for_all_rooms",
            ),
        ]
        indexes = [models.Index(fields=["user", "host"], name="live_moderator_user_idx")]

    def __str__(self) -> str:
        return f"moderator {self.user_id} of {self.host_id}"


class AllowedSpeaker(models.Model):
    """A user the host allows to write while the room is in allow-list-only mode."""

    room = models.ForeignKey(Room, on_delete=models.CASCADE, related_name="allowed_speakers")
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["room", "user"], name="live_allowed_speaker_once"),
        ]

    def __str__(self) -> str:
        return f"speaker {self.user_id} in room {self.room_id}"


class SanctionKind(models.TextChoices):
    TIMEOUT = "timeout", "Timeout (cannot write until it expires)"
    BAN = "ban", "Ban from the room"


class Sanction(models.Model):
    """A timeout or a ban: in the database, so it holds across reconnects and processes."""

    room = models.ForeignKey(Room, on_delete=models.CASCADE, related_name="sanctions")
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=8, choices=SanctionKind.choices)
    until = models.DateTimeField(null=True, blank=True)  # None: for the whole room
    by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, related_name="+")
    reason = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["room", "user", "-until"], name="live_sanction_idx")]

    def __str__(self) -> str:
        return f"{self.kind} of {self.user_id} in room {self.room_id}"


class MessageKind(models.TextChoices):
    TEXT = "text", "Text"
    GIFT = "gift", "Gift"
    SYSTEM = "system", "System"


class MessageVisibility(models.TextChoices):
    VISIBLE = "visible", "Visible"
    REVIEW = "review", "Held for review (author only)"
    HIDDEN = "hidden", "Hidden (moderation)"
    DELETED = "deleted", "Deleted by the host or a moderator"


class ChatMessage(models.Model):
    room = models.ForeignKey(Room, on_delete=models.CASCADE, related_name="messages")
    author = models.ForeignKey(User, on_delete=models.CASCADE, null=True, related_name="+")
    kind = models.CharField(max_length=8, choices=MessageKind.choices, default=MessageKind.TEXT)
    text = models.CharField(max_length=200)  # as screened (masked where a rule masks)
    visibility = models.CharField(
        max_length=8, choices=MessageVisibility.choices, default=MessageVisibility.VISIBLE
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [
            models.Index(
                fields=["room", "-id"],
                name="live_message_room_idx",
                condition=Q(visibility="visible"),
            ),
        ]

    def __str__(self) -> str:
        return self.text[:40]


class LiveBlockedWordAction(models.TextChoices):
    """What a chat message with the host's word gets; the strongest wins (block > hold > mask)."""

    MASK = "mask", "Mask the word"
    HOLD = "hold", "Hold the message for review"
    BLOCK = "block", "Refuse the message"


class LiveBlockedWord(models.Model):
    """A word a host does not want in their rooms' chat, with its action."""

    host = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    word = models.CharField(max_length=30)
    normalized = models.CharField(max_length=120, editable=False)
    action = models.CharField(
        max_length=8, choices=LiveBlockedWordAction.choices, default=LiveBlockedWordAction.MASK
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["host", "normalized"], name="live_blocked_word_unique_per_host"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.word} ({self.action})"


class GiftKind(models.Model):
    """A gift in the catalogue, priced in fen."""

    name = models.CharField(max_length=30, unique=True)
    price = models.PositiveIntegerField()
    icon = models.CharField(max_length=16, blank=True)
    active = models.BooleanField(default=True)

    class Meta:
        constraints = [models.CheckConstraint(condition=Q(price__gt=0), name="live_gift_priced")]

    def __str__(self) -> str:
        return f"{self.name} ({self.price} fen)"


class RoomGift(models.Model):
    """A gift sent in a room: the ledger transaction that paid it (the ``gift`` move)."""

    room = models.ForeignKey(Room, on_delete=models.CASCADE, related_name="gifts")
    sender = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    gift = models.ForeignKey(GiftKind, on_delete=models.PROTECT, related_name="+")
    count = models.PositiveIntegerField(default=1)
    amount = models.PositiveBigIntegerField()  # fen the sender paid
    income = models.PositiveBigIntegerField()  # fen the host received (amount - platform fee)
    transaction_id = models.BigIntegerField(unique=True)  # the ledger transaction
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["room", "-id"], name="live_gift_room_idx")]

    def __str__(self) -> str:
        return f"{self.count} x gift {self.gift_id} in room {self.room_id}"


class ShelfItem(models.Model):
    """A product (commerce's id) on a room's shelf; one may be pinned as "explaining now"."""

    room = models.ForeignKey(Room, on_delete=models.CASCADE, related_name="shelf")
    product_id = models.BigIntegerField()
    position = models.PositiveIntegerField()
    pinned = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["room", "product_id"], name="live_shelf_once"),
            models.UniqueConstraint(
                fields=["room"], condition=Q(pinned=True), name="live_shelf_one_pinned"
            ),
        ]
        indexes = [models.Index(fields=["room", "position"], name="live_shelf_room_idx")]

    def __str__(self) -> str:
        return f"product {self.product_id} in room {self.room_id}"


class Report(models.Model):
    """The post-live report, computed by a task from analytics events when the room ends."""

    room = models.OneToOneField(Room, on_delete=models.CASCADE, related_name="report")
    duration_seconds = models.PositiveIntegerField()
    peak_viewers = models.PositiveIntegerField()
    average_viewers = models.FloatField()
    unique_viewers = models.PositiveIntegerField()
    watch_seconds = models.PositiveBigIntegerField()
    chat_messages = models.PositiveIntegerField()
    likes = models.PositiveBigIntegerField()
    gifts_count = models.PositiveIntegerField()
    gifts_income = models.PositiveBigIntegerField()  # fen
    new_fans = models.PositiveIntegerField()
    product_clicks = models.PositiveIntegerField()
    orders = models.PositiveIntegerField()
    gmv = models.PositiveBigIntegerField()  # fen
    computed_at = models.DateTimeField(default=timezone.now)
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"report of room {self.room_id}"
