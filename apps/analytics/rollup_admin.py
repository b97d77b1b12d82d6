"""Admin for the rollup tables, read-only, and for re-running a day.

Rows are written by the rollup only. Filters are the tables' leading index columns typed into
the URL (``?day=``, ``?creator_id=``, ``?note_id=``, ``?author_id=``); changelists page by id and
cap their counts like the event changelist. An operator re-runs a day from "Rollup runs": an
action on the selected days, or a form for any day that is over; either queues the task.

Note days (``note_daily``) have a composite primary key, which Django's admin cannot register:
"Rollup runs" carries a read-only page of them instead, one day at a time (the key is led by
the day), filtered by author and note.
"""

from datetime import date
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse

from apps.analytics.admin import CountCapPaginator
from apps.analytics.days import local_yesterday
from apps.analytics.models import (
    NOTE_DAILY_FIGURES,
    CreatorDaily,
    DailyActiveUser,
    FanActivityHourly,
    FanDemographicDaily,
    FanSourceDaily,
    NoteAudienceDaily,
    NoteDaily,
    NoteRetentionDaily,
    NoteSourceDaily,
    RollupRun,
)
from apps.analytics.validation import MAX_ID


class ReadOnlyRollupAdmin(admin.ModelAdmin):
    ordering = ("-id",)
    paginator = CountCapPaginator
    show_full_result_count = False
    list_per_page = 50
    id_filters: tuple[str, ...] = ("day",)

    def lookup_allowed(self, lookup: str, value: str, request: HttpRequest | None = None) -> bool:
        return lookup in self.id_filters or super().lookup_allowed(lookup, value, request)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(NoteSourceDaily)
class NoteSourceDailyAdmin(ReadOnlyRollupAdmin):
    list_display = ("day", "note_id", "author_id", "source", "impressions", "views")
    id_filters = ("day", "note_id", "author_id")


@admin.register(NoteAudienceDaily)
class NoteAudienceDailyAdmin(ReadOnlyRollupAdmin):
    list_display = ("day", "note_id", "author_id", "dimension", "bucket", "viewers")
    id_filters = ("day", "note_id", "author_id", "dimension")


@admin.register(NoteRetentionDaily)
class NoteRetentionDailyAdmin(ReadOnlyRollupAdmin):
    list_display = ("day", "note_id", "author_id", "decile", "watches")
    id_filters = ("day", "note_id", "author_id")


@admin.register(CreatorDaily)
class CreatorDailyAdmin(ReadOnlyRollupAdmin):
    list_display = (
        "day",
        "creator_id",
        "fans_total",
        "new_fans",
        "lost_fans",
        "net_fans",
        "impressions",
        "views",
        "engagements",
        "profile_visits",
        "active_fans_7d",
        "active_fans_30d",
    )
    id_filters = ("day", "creator_id")


@admin.register(FanDemographicDaily)
class FanDemographicDailyAdmin(ReadOnlyRollupAdmin):
    list_display = ("day", "creator_id", "dimension", "bucket", "fans")
    id_filters = ("day", "creator_id", "dimension")


@admin.register(FanSourceDaily)
class FanSourceDailyAdmin(ReadOnlyRollupAdmin):
    list_display = ("day", "creator_id", "source", "source_id", "new_fans", "lost_fans")
    id_filters = ("day", "creator_id", "source")


@admin.register(FanActivityHourly)
class FanActivityHourlyAdmin(ReadOnlyRollupAdmin):
    list_display = ("day", "creator_id", "weekday", "hour", "active_fans")
    id_filters = ("day", "creator_id")


@admin.register(DailyActiveUser)
class DailyActiveUserAdmin(ReadOnlyRollupAdmin):
    list_display = ("day", "user_id")
    id_filters = ("day", "user_id")


class RerunDayForm(forms.Form):
    day = forms.DateField(help_text="An Asia/Shanghai day, YYYY-MM-DD, at the latest yesterday.")

    def clean_day(self) -> date:
        day = self.cleaned_data["day"]
        yesterday = local_yesterday()
        if day > yesterday:
            raise forms.ValidationError(f"Only days that are over: {yesterday} at the latest.")
        return day


class NoteDaysForm(forms.Form):
    day = forms.DateField(required=False, help_text="YYYY-MM-DD; yesterday when empty.")
    author_id = forms.IntegerField(required=False, min_value=1, max_value=MAX_ID)
    note_id = forms.IntegerField(required=False, min_value=1, max_value=MAX_ID)


# Every figure of a note day (the key's day is the page's).
NOTE_DAY_COLUMNS = ("note_id", "author_id", *NOTE_DAILY_FIGURES)
NOTE_DAYS_PER_PAGE = 50


def enqueue_rollups(days: list[date]) -> None:
    """Queue one rollup task per day once the admin request's transaction commits."""
    from apps.analytics.tasks import analytics_rollup_day

    for day in days:
        transaction.on_commit(lambda day=day: analytics_rollup_day.delay(day.isoformat()))


@admin.register(RollupRun)
class RollupRunAdmin(ReadOnlyRollupAdmin):
    """The last run of each day; re-run days from here (the work happens on a worker)."""

    list_display = ("day", "finished_at", "seconds", "events", "audience_snapshot", "rows")
    ordering = ("-day",)
    actions = ("rerun_selected",)
    change_list_template = "admin/analytics/rolluprun/change_list.html"

    def has_rerun_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("analytics.change_rolluprun")

    @admin.action(description="Re-run the selected days", permissions=["rerun"])
    def rerun_selected(self, request: HttpRequest, queryset: QuerySet) -> None:
        days = list(queryset.order_by("-day").values_list("day", flat=True))
        enqueue_rollups(days)
        self.message_user(request, f"Queued the rollup of {len(days)} day(s).")

    def get_urls(self) -> list:
        info = self.model._meta.app_label, self.model._meta.model_name
        rerun = path(
            "rerun/",
            self.admin_site.admin_view(self.rerun_view),
            name=f"{info[0]}_{info[1]}_rerun",
        )
        note_days = path(
            "note-days/",
            self.admin_site.admin_view(self.note_days_view),
            name=f"{info[0]}_{info[1]}_note_days",
        )
        return [rerun, note_days, *super().get_urls()]

    def note_days_view(self, request: HttpRequest) -> HttpResponse:
        """Note days, read-only: one day's rows (yesterday by default) by author and note."""
        if not request.user.has_perm("analytics.view_notedaily"):
            raise PermissionDenied
        form = NoteDaysForm(request.GET)
        page = None
        day = None
        if form.is_valid():
            day = form.cleaned_data["day"] or local_yesterday()
            rows = NoteDaily.objects.filter(day=day)
            for name in ("author_id", "note_id"):
                if form.cleaned_data[name] is not None:
                    rows = rows.filter(**{name: form.cleaned_data[name]})
            rows = rows.order_by("author_id", "note_id").values_list(*NOTE_DAY_COLUMNS)
            page = CountCapPaginator(rows, NOTE_DAYS_PER_PAGE).get_page(request.GET.get("p"))
        fields = {field.name: field for field in NoteDaily._meta.fields}
        query = request.GET.copy()
        query.pop("p", None)
        context = {
            **self.admin_site.each_context(request),
            "title": f"Note days: {day}" if day else "Note days",
            "opts": self.model._meta,
            "form": form,
            "day": day,
            "columns": [fields[name].verbose_name for name in NOTE_DAY_COLUMNS],
            "page": page,
            "query": query.urlencode(),
        }
        return TemplateResponse(request, "admin/analytics/rolluprun/note_days.html", context)

    def rerun_view(self, request: HttpRequest) -> HttpResponse:
        """A form to re-run any day that is over (not only days rolled up before)."""
        if not self.has_rerun_permission(request):
            raise PermissionDenied
        form = RerunDayForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            day = form.cleaned_data["day"]
            enqueue_rollups([day])
            self.message_user(request, f"Queued the rollup of {day}.", messages.SUCCESS)
            info = self.model._meta.app_label, self.model._meta.model_name
            return HttpResponseRedirect(reverse(f"admin:{info[0]}_{info[1]}_changelist"))
        context = {
            **self.admin_site.each_context(request),
            "title": "Re-run the rollup of a day",
            "opts": self.model._meta,
            "form": form,
        }
        return TemplateResponse(request, "admin/analytics/rolluprun/rerun.html", context)
