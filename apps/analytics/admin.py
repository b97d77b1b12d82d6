"""Read-only admin for events: a table of hundreds of millions of rows is browsed, never counted.

The changelist pages by id (the primary key index) and caps counting at ``CountCapPaginator.CAP``
rows; filters are the indexed columns (``?author_id=``, ``?note_id=``) plus kind and source.
"""

from django.contrib import admin
from django.core.paginator import Paginator
from django.http import HttpRequest
from django.utils.functional import cached_property

from apps.analytics.models import Event


class CountCapPaginator(Paginator):
    """Counts at most CAP + 1 rows (``SELECT COUNT(*) FROM (... LIMIT n)``), so paging is cheap."""

    CAP = 10_000

    @cached_property
    def count(self) -> int:
        return self.object_list[: self.CAP + 1].count()


@admin.register(Event)
class EventAdmin(admin.ModelAdmin):
    list_display = (
        "id",
        "occurred_at",
        "kind",
        "source",
        "actor_id",
        "note_id",
        "author_id",
        "target_user_id",
        "dwell_ms",
        "watch_ms",
        "completion",
        "region",
        "age_band",
        "gender",
    )
    list_filter = ("kind", "source")
    ordering = ("-id",)
    paginator = CountCapPaginator
    show_full_result_count = False
    list_per_page = 50
    # Ids typed into the URL; only columns with an index (one creator's or one note's events).
    id_filters = ("note_id", "author_id")

    def lookup_allowed(self, lookup: str, value: str, request: HttpRequest | None = None) -> bool:
        return lookup in self.id_filters or super().lookup_allowed(lookup, value, request)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # events are recorded by the API and the services only

    def has_change_permission(self, request: HttpRequest, obj: Event | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Event | None = None) -> bool:
        return False  # append-only; retention drops whole partitions


# Rollup tables (read-only) and re-running a day: apps/analytics/rollup_admin.py.
from apps.analytics import rollup_admin  # noqa: E402, F401
