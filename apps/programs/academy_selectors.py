"""Academy and listening reads: lists in one query each, whatever their length."""

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet

from apps.accounts.models import User
from apps.core.errors import NotFound
from apps.programs.models import (
    ClassRegistration,
    Course,
    Lesson,
    LessonProgress,
    ListeningSession,
    ListeningTopic,
    PublicClass,
    RegistrationStatus,
    TopicStatus,
)


def courses_published() -> QuerySet[Course]:
    return Course.objects.filter(is_published=True).annotate(lessons_count=Count("lessons"))


def course_for_viewer(*, course_id: int, user: User) -> tuple[Course, list[Lesson]]:
    """A published course and its lessons, each saying whether I completed it. Two queries."""
    course = Course.objects.filter(pk=course_id, is_published=True).first()
    if course is None:
        raise NotFound("Course not found.", code="course.not_found")
    lessons = list(
        Lesson.objects.filter(course=course).annotate(
            completed=Exists(LessonProgress.objects.filter(lesson=OuterRef("pk"), user_id=user.pk))
        )
    )
    return course, lessons


def classes_published() -> QuerySet[PublicClass]:
    return PublicClass.objects.filter(is_published=True).annotate(
        seats_taken=Count(
            "registrations", filter=Q(registrations__status=RegistrationStatus.REGISTERED)
        ),
        waitlisted=Count(
            "registrations", filter=Q(registrations__status=RegistrationStatus.WAITLISTED)
        ),
    )


def registrations_of(*, user: User) -> QuerySet[ClassRegistration]:
    return ClassRegistration.objects.filter(user_id=user.pk).select_related("public_class")


def topics_list(*, status: str | None = None) -> QuerySet[ListeningTopic]:
    topics = ListeningTopic.objects.all()
    return topics.filter(status=status) if status else topics


def sessions_list() -> QuerySet[ListeningSession]:
    """Sessions with their answered topics (published ones only): two queries a page."""
    return ListeningSession.objects.prefetch_related(
        Prefetch(
            "topics",
            queryset=ListeningTopic.objects.filter(status=TopicStatus.ANSWERED).order_by(
                "-votes", "pk"
            ),
            to_attr="published_topics",
        )
    )
