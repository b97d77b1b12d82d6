"""The academy's screens: courses with lessons (videos checked like notes' videos), classes with
attendance, listening sessions (pick topics, publish responses)."""

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest

from apps.core.errors import InvalidInput
from apps.notes.media import inspect_video
from apps.programs import services
from apps.programs.admin_actions import run_action
from apps.programs.models import (
    ClassRegistration,
    Course,
    Lesson,
    LessonKind,
    ListeningSession,
    ListeningTopic,
    PublicClass,
)


class LessonForm(forms.ModelForm):
    class Meta:
        model = Lesson
        fields = ("position", "title", "kind", "body", "video")

    def clean(self) -> dict:
        """A video lesson needs a video that passes the notes' media validation (ffprobe)."""
        data = super().clean()
        video = data.get("video")
        if data.get("kind") == LessonKind.VIDEO:
            if not video:
                raise ValidationError({"video": "A video lesson needs a video."})
            if hasattr(video, "content_type"):  # a new upload (not the stored file)
                try:
                    checked = inspect_video(video, field="video")
                except InvalidInput as refused:
                    raise ValidationError({"video": refused.message}) from None
                self.instance.duration_seconds = checked.duration_seconds
        return data


class LessonInline(admin.StackedInline):
    model = Lesson
    form = LessonForm
    extra = 0


@admin.register(Course)
class CourseAdmin(admin.ModelAdmin):
    list_display = ("title", "is_published", "position", "created_at")
    list_filter = ("is_published",)
    inlines = (LessonInline,)


class RegistrationInline(admin.TabularInline):
    model = ClassRegistration
    fields = ("user", "status", "checked_in_at", "promoted_at", "created_at", "cancelled_at")
    readonly_fields = fields
    extra = 0
    can_delete = False
    ordering = ("pk",)

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(PublicClass)
class PublicClassAdmin(admin.ModelAdmin):
    list_display = ("title", "mode", "place", "capacity", "starts_at", "is_published")
    list_filter = ("mode", "is_published")
    inlines = (RegistrationInline,)


@admin.register(ClassRegistration)
class ClassRegistrationAdmin(admin.ModelAdmin):
    """Attendance: who registered, waited, was promoted and checked in."""

    list_display = ("id", "public_class", "user", "status", "checked_in_at", "promoted_at")
    list_filter = ("status", "public_class")
    list_select_related = ("public_class", "user")
    show_full_result_count = False

    def get_readonly_fields(self, request: HttpRequest, obj: object = None) -> list[str]:
        return [field.name for field in ClassRegistration._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


class TopicInline(admin.TabularInline):
    model = ListeningTopic
    fields = ("title", "author", "votes", "status", "response")
    readonly_fields = ("title", "author", "votes", "status")
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(ListeningSession)
class ListeningSessionAdmin(admin.ModelAdmin):
    list_display = ("title", "held_on", "status")
    readonly_fields = ("status",)
    inlines = (TopicInline,)
    actions = ("publish",)

    @admin.action(description="Publish responses of selected sessions (notifies the authors)")
    def publish(self, request: HttpRequest, queryset: QuerySet) -> None:
        run_action(
            self,
            request,
            queryset,
            lambda pk: services.session_publish(session_id=pk, operator=request.user),
            "published",
        )


@admin.register(ListeningTopic)
class ListeningTopicAdmin(admin.ModelAdmin):
    list_display = ("title", "author", "votes", "status", "session", "created_at")
    list_filter = ("status", "session")
    list_select_related = ("author", "session")
    readonly_fields = ("author", "votes", "status", "responded_at", "created_at")
    actions = ("pick_for_latest_session",)
    show_full_result_count = False

    @admin.action(description="Pick selected for the latest planned session")
    def pick_for_latest_session(self, request: HttpRequest, queryset: QuerySet) -> None:
        session = ListeningSession.objects.filter(status="planned").order_by("-held_on").first()
        if session is None:
            self.message_user(request, "No planned session.", level="error")
            return
        count = services.topics_pick(
            session_id=session.pk,
            topic_ids=list(queryset.values_list("pk", flat=True)),
            operator=request.user,
        )
        self.message_user(request, f"{count} topic(s) picked for {session.title}.")
