"""Admin for the rollup tables, read-only, and for re-running a day.

Rows are written by the rollup only. Filters are the tables' leading index columns typed into
the URL (``?day=``, ``?creator_id=``, ``?note_id=``, ``?author_id=``; note days by note or
author within one day, as their index is led by the day); changelists page by id and
cap their counts like the event changelist. An operator re-runs a day from "Rollup runs": an
action on the selected days, or a form for any day that is over; either queues the task.
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


class ReadOnlyRollupAdmin(admin.ModelAdmin):
    ordering = ("-id",)
    paginator = CountCapPaginator
    show_full_result_count = False
    list_per_page = 50
    id_filters: tuple[str, ...] = ("day",)

    # Filters the table's index serves only within one day (it is led by the day).
    day_scoped_filters: tuple[str, ...] = ()

    def lookup_allowed(self, lookup: str, value: str, request: HttpRequest | None = None) -> bool:
        return lookup in self.id_filters or super().lookup_allowed(lookup, value, request)

    def changelist_view(
        self, request: HttpRequest, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        scoped = [name for name in self.day_scoped_filters if name in request.GET]
        if scoped and "day" not in request.GET:
            # Without a day the filter would scan the whole table: show yesterday instead, and
            # say so.
            query = request.GET.copy()
            query["day"] = local_yesterday().isoformat()
            self.message_user(
                request,
                f"Rows by {' and '.join(scoped)} are listed one day at a time: showing "
                f"{query['day']}; change ?day= for another.",
                messages.INFO,
            )
            return HttpResponseRedirect(f"{request.path}?{query.urlencode()}")
        return super().changelist_view(request, extra_context)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(NoteDaily)
class NoteDailyAdmin(ReadOnlyRollupAdmin):
    list_display = (
        "day",
        "note_id",
        "author_id",
        "impressions",
        "views",
        "unique_viewers",
        "likes",
        "collects",
        "comments",
        "shares",
        "follows",
        "profile_visits",
        "video_watches",
        "fan_impressions",
        "fan_views",
    )
    id_filters = ("day", "note_id", "author_id")
    day_scoped_filters = ("note_id", "author_id")


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
        return [rerun, *super().get_urls()]

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
