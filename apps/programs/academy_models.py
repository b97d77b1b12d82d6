"""The Creator Academy: courses and lessons, public classes with a waitlist, listening sessions.

Registered with Django by the import at the end of ``apps/programs/models.py``.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

__all__ = [
    "ClassMode",
    "ClassRegistration",
    "Course",
    "Lesson",
    "LessonKind",
    "LessonProgress",
    "ListeningSession",
    "ListeningTopic",
    "PublicClass",
    "RegistrationStatus",
    "SessionStatus",
    "TopicStatus",
    "TopicVote",
]


class Course(models.Model):
    title = models.CharField(max_length=80)
    summary = models.TextField(blank=True)
    is_published = models.BooleanField(default=False)
    position = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [
            models.Index(fields=["is_published", "-created_at", "-id"], name="course_list_idx")
        ]

    def __str__(self) -> str:
        return self.title


class LessonKind(models.TextChoices):
    TEXT = "text", "Text"
    VIDEO = "video", "Video"


class Lesson(models.Model):
    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="lessons")
    position = models.PositiveSmallIntegerField(default=0)
    title = models.CharField(max_length=80)
    kind = models.CharField(max_length=8, choices=LessonKind.choices)
    body = models.TextField(blank=True)
    # Video lessons: checked by the notes' media validation (ffprobe) before they are stored.
    video = models.FileField(upload_to="academy/", max_length=200, blank=True)
    duration_seconds = models.FloatField(null=True, blank=True)

    class Meta:
        ordering = ["position", "id"]
        indexes = [models.Index(fields=["course", "position", "id"], name="lesson_course_idx")]

    def __str__(self) -> str:
        return self.title


class LessonProgress(models.Model):
    lesson = models.ForeignKey(Lesson, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    completed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "lesson"], name="lesson_progress_unique")
        ]

    def __str__(self) -> str:
        return f"{self.user_id} finished {self.lesson_id}"


class ClassMode(models.TextChoices):
    ONLINE = "online", "Online"
    OFFLINE = "offline", "Offline"


class PublicClass(models.Model):
    title = models.CharField(max_length=80)
    description = models.TextField(blank=True)
    mode = models.CharField(max_length=8, choices=ClassMode.choices)
    place = models.CharField(max_length=120, blank=True, help_text="Address, or the stream link.")
    capacity = models.PositiveIntegerField()
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    is_published = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name_plural = "public classes"
        indexes = [
            models.Index(fields=["is_published", "-created_at", "-id"], name="class_list_idx")
        ]
        constraints = [
            models.CheckConstraint(condition=Q(capacity__gte=1), name="class_capacity_positive"),
        ]

    def __str__(self) -> str:
        return self.title


class RegistrationStatus(models.TextChoices):
    REGISTERED = "registered", "Registered (has a seat)"
    WAITLISTED = "waitlisted", "On the waitlist"
    CANCELLED = "cancelled", "Cancelled"


class ClassRegistration(models.Model):
    """A seat or a waitlist place; the waitlist's order is the primary key's (arrival) order."""

    public_class = models.ForeignKey(
        PublicClass, on_delete=models.CASCADE, related_name="registrations"
    )
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    status = models.CharField(max_length=10, choices=RegistrationStatus.choices)
    checkin_code = models.CharField(max_length=12, blank=True)
    checked_in_at = models.DateTimeField(null=True, blank=True)
    promoted_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    cancelled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["public_class", "user"],
                condition=~Q(status=RegistrationStatus.CANCELLED),
                name="registration_one_per_user",
            ),
        ]
        indexes = [
            models.Index(fields=["public_class", "status", "id"], name="registration_class_idx"),
            models.Index(fields=["user", "-created_at", "-id"], name="registration_user_idx"),
            models.Index(fields=["public_class", "checkin_code"], name="registration_code_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} at {self.public_class_id} ({self.status})"


class SessionStatus(models.TextChoices):
    PLANNED = "planned", "Planned"
    PUBLISHED = "published", "Responses published"


class ListeningSession(models.Model):
    """A listening session (once or twice a month): operators answer the topics they picked."""

    title = models.CharField(max_length=80)
    held_on = models.DateField()
    status = models.CharField(
        max_length=10, choices=SessionStatus.choices, default=SessionStatus.PLANNED
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["-created_at", "-id"], name="session_list_idx")]

    def __str__(self) -> str:
        return self.title


class TopicStatus(models.TextChoices):
    PROPOSED = "proposed", "Proposed"
    PICKED = "picked", "Picked for a session"
    ANSWERED = "answered", "Answered"


class ListeningTopic(models.Model):
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    title = models.CharField(max_length=80)
    body = models.CharField(max_length=1000, blank=True)
    status = models.CharField(
        max_length=10, choices=TopicStatus.choices, default=TopicStatus.PROPOSED
    )
    session = models.ForeignKey(
        ListeningSession, on_delete=models.SET_NULL, null=True, blank=True, related_name="topics"
    )
    votes = models.PositiveIntegerField(default=0)
    response = models.TextField(blank=True)
    responded_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [
            models.Index(fields=["status", "-created_at", "-id"], name="topic_status_idx"),
            models.Index(fields=["-created_at", "-id"], name="topic_recent_idx"),
            models.Index(fields=["session", "-votes", "-id"], name="topic_session_idx"),
        ]

    def __str__(self) -> str:
        return self.title


class TopicVote(models.Model):
    topic = models.ForeignKey(ListeningTopic, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["topic", "user"], name="topic_vote_unique")]

    def __str__(self) -> str:
        return f"{self.user_id} +1 {self.topic_id}"
