"""Growth programs, the Creator Academy and listening sessions (the creator's side).

Operators decide applications, write session responses and publish sessions in the admin;
class hosts (staff) check attendees in through the API with the attendee's one-time code.
"""

from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.generics import ListAPIView
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.core.errors import InvalidInput
from apps.core.throttles import WriteRateThrottle
from apps.programs import academy_selectors, selectors, services
from apps.programs.api import serializers as s
from apps.programs.models import (
    ClassRegistration,
    Course,
    GrowthProgram,
    ListeningSession,
    ListeningTopic,
    ProgramApplication,
    PublicClass,
    TopicStatus,
)

TAGS = ["programs"]
ACADEMY = ["academy"]


class ProgramListApi(ListAPIView):
    serializer_class = s.GrowthProgramSerializer
    queryset = GrowthProgram.objects.none()

    def get_queryset(self) -> QuerySet:
        return selectors.programs_active()

    @extend_schema(tags=TAGS)
    def get(self, request: Request, *args: object, **kwargs: object) -> Response:
        """The growth programs open now, with their rules and benefits."""
        return super().get(request, *args, **kwargs)


class ProgramApplyApi(APIView):
    throttle_classes = [WriteRateThrottle]

    @extend_schema(tags=TAGS, request=None, responses={201: s.ProgramApplicationSerializer})
    def post(self, request: Request, program_id: int) -> Response:
        """Apply (from an invitation, or directly when I meet the rules)."""
        application = services.program_apply(program_id=program_id, user=request.user)
        application = selectors.applications_for_creator(user=request.user).get(pk=application.pk)
        return Response(
            s.ProgramApplicationSerializer(application).data, status=status.HTTP_201_CREATED
        )


class MyApplicationListApi(ListAPIView):
    serializer_class = s.ProgramApplicationSerializer
    queryset = ProgramApplication.objects.none()

    def get_queryset(self) -> QuerySet:
        return selectors.applications_for_creator(user=self.request.user)

    @extend_schema(tags=TAGS)
    def get(self, request: Request, *args: object, **kwargs: object) -> Response:
        """My invitations, applications and memberships, newest first."""
        return super().get(request, *args, **kwargs)


class ApplicationLeaveApi(APIView):
    throttle_classes = [WriteRateThrottle]

    @extend_schema(tags=TAGS, request=None, responses=s.ProgramApplicationSerializer)
    def post(self, request: Request, application_id: int) -> Response:
        """Withdraw my application or leave the program (badge and boost are revoked)."""
        application = services.application_leave(application_id=application_id, user=request.user)
        application = selectors.applications_for_creator(user=request.user).get(pk=application.pk)
        return Response(s.ProgramApplicationSerializer(application).data)


class UserBadgesApi(APIView):
    @extend_schema(tags=TAGS, responses=s.ProgramBadgeSerializer(many=True))
    def get(self, request: Request, user_id: int) -> Response:
        """A creator's current program badges (public, shown on the profile)."""
        badges = selectors.creator_badges(user_ids=[user_id]).get(user_id, [])
        return Response(s.ProgramBadgeSerializer(badges, many=True).data)


# --- Academy --------------------------------------------------------------------------------


class CourseListApi(ListAPIView):
    serializer_class = s.AcademyCourseSerializer
    queryset = Course.objects.none()

    def get_queryset(self) -> QuerySet:
        return academy_selectors.courses_published()

    @extend_schema(tags=ACADEMY)
    def get(self, request: Request, *args: object, **kwargs: object) -> Response:
        """Published courses, newest first."""
        return super().get(request, *args, **kwargs)


class CourseDetailApi(APIView):
    @extend_schema(tags=ACADEMY, responses=s.CourseDetailSerializer)
    def get(self, request: Request, course_id: int) -> Response:
        """A course with its lessons and my progress."""
        course, lessons = academy_selectors.course_for_viewer(
            course_id=course_id, user=request.user
        )
        rows = [
            {
                "id": lesson.pk,
                "position": lesson.position,
                "title": lesson.title,
                "kind": lesson.kind,
                "body": lesson.body,
                "video_url": lesson.video.url if lesson.video else None,
                "duration_seconds": lesson.duration_seconds,
                "completed": lesson.completed,
            }
            for lesson in lessons
        ]
        return Response(
            s.CourseDetailSerializer(
                {"id": course.pk, "title": course.title, "summary": course.summary, "lessons": rows}
            ).data
        )


class LessonCompleteApi(APIView):
    throttle_classes = [WriteRateThrottle]

    @extend_schema(tags=ACADEMY, request=None, responses=s.LessonProgressSerializer)
    def post(self, request: Request, lesson_id: int) -> Response:
        """Mark a lesson done (repeating keeps the first time)."""
        progress = services.lesson_complete(lesson_id=lesson_id, user=request.user)
        return Response(
            s.LessonProgressSerializer(
                {"lesson_id": progress.lesson_id, "completed_at": progress.completed_at}
            ).data
        )


class ClassListApi(ListAPIView):
    serializer_class = s.PublicClassSerializer
    queryset = PublicClass.objects.none()

    def get_queryset(self) -> QuerySet:
        return academy_selectors.classes_published()

    @extend_schema(tags=ACADEMY)
    def get(self, request: Request, *args: object, **kwargs: object) -> Response:
        """Public classes, newest first, with seats taken and the waitlist's length."""
        return super().get(request, *args, **kwargs)


def _registration(registration: ClassRegistration, user: object) -> dict:
    registration = academy_selectors.registrations_of(user=user).get(pk=registration.pk)
    return s.ClassRegistrationSerializer(registration).data


class ClassRegisterApi(APIView):
    throttle_classes = [WriteRateThrottle]

    @extend_schema(tags=ACADEMY, request=None, responses={201: s.ClassRegistrationSerializer})
    def post(self, request: Request, class_id: int) -> Response:
        """Take a seat, or a waitlist place when the class is full."""
        registration = services.class_register(class_id=class_id, user=request.user)
        return Response(_registration(registration, request.user), status=status.HTTP_201_CREATED)


class MyRegistrationListApi(ListAPIView):
    serializer_class = s.ClassRegistrationSerializer
    queryset = ClassRegistration.objects.none()

    def get_queryset(self) -> QuerySet:
        return academy_selectors.registrations_of(user=self.request.user)

    @extend_schema(tags=ACADEMY)
    def get(self, request: Request, *args: object, **kwargs: object) -> Response:
        """My class registrations, newest first (with my check-in codes)."""
        return super().get(request, *args, **kwargs)


class RegistrationCancelApi(APIView):
    throttle_classes = [WriteRateThrottle]

    @extend_schema(tags=ACADEMY, request=None, responses=s.ClassRegistrationSerializer)
    def post(self, request: Request, registration_id: int) -> Response:
        """Cancel; a freed seat goes to the first on the waitlist, who is notified."""
        registration = services.registration_cancel(
            registration_id=registration_id, user=request.user
        )
        return Response(_registration(registration, request.user))


class ClassCheckInApi(APIView):
    throttle_classes = [WriteRateThrottle]

    @extend_schema(
        tags=ACADEMY, request=s.ClassCheckInSerializer, responses=s.ClassCheckInResultSerializer
    )
    def post(self, request: Request, class_id: int) -> Response:
        """Check an attendee in with their one-time code (class hosts: staff)."""
        data = s.ClassCheckInSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        registration = services.class_check_in(
            class_id=class_id, code=data.validated_data["code"], operator=request.user
        )
        return Response(s.ClassCheckInResultSerializer(registration).data)


# --- Listening sessions ---------------------------------------------------------------------

TOPIC_STATUS = OpenApiParameter("status", str, enum=list(TopicStatus.values))


class TopicListApi(ListAPIView):
    serializer_class = s.ListeningTopicSerializer
    queryset = ListeningTopic.objects.none()
    throttle_classes = [WriteRateThrottle]

    def get_queryset(self) -> QuerySet:
        wanted = self.request.query_params.get("status")
        if wanted is not None and wanted not in TopicStatus.values:
            raise InvalidInput("Unknown status.", fields={"status": ["Not a topic status."]})
        return academy_selectors.topics_list(status=wanted)

    @extend_schema(tags=ACADEMY, parameters=[TOPIC_STATUS])
    def get(self, request: Request, *args: object, **kwargs: object) -> Response:
        """Topics proposed for listening sessions, newest first."""
        return super().get(request, *args, **kwargs)

    @extend_schema(
        tags=ACADEMY,
        request=s.ListeningTopicCreateSerializer,
        responses={201: s.ListeningTopicSerializer},
    )
    def post(self, request: Request) -> Response:
        """Propose a topic (screened like a note)."""
        data = s.ListeningTopicCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        topic = services.topic_propose(user=request.user, **data.validated_data)
        return Response(s.ListeningTopicSerializer(topic).data, status=status.HTTP_201_CREATED)


class TopicUpvoteApi(APIView):
    throttle_classes = [WriteRateThrottle]

    @extend_schema(tags=ACADEMY, request=None, responses=s.ListeningTopicSerializer)
    def post(self, request: Request, topic_id: int) -> Response:
        """Upvote a topic, once (409 ``topic.already_voted``)."""
        topic = services.topic_upvote(topic_id=topic_id, user=request.user)
        return Response(s.ListeningTopicSerializer(topic).data)


class SessionListApi(ListAPIView):
    serializer_class = s.ListeningSessionSerializer
    queryset = ListeningSession.objects.none()

    def get_queryset(self) -> QuerySet:
        return academy_selectors.sessions_list()

    @extend_schema(tags=ACADEMY)
    def get(self, request: Request, *args: object, **kwargs: object) -> Response:
        """Listening sessions, newest first, with their published responses."""
        return super().get(request, *args, **kwargs)
