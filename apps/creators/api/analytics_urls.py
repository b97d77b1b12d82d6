from django.urls import path

from apps.core import converters  # noqa: F401  (registers <id:...>)
from apps.creators.api import analytics_views as views

urlpatterns = [
    path(
        "creator/analytics/overview",
        views.CreatorOverviewApi.as_view(),
        name="creator-analytics-overview",
    ),
    path(
        "creator/analytics/overview/export",
        views.CreatorOverviewExportApi.as_view(),
        name="creator-analytics-overview-export",
    ),
    path("creator/analytics/fans", views.CreatorFansApi.as_view(), name="creator-analytics-fans"),
    path(
        "creator/analytics/fans/export",
        views.CreatorFansExportApi.as_view(),
        name="creator-analytics-fans-export",
    ),
    path(
        "creator/analytics/notes",
        views.CreatorNoteListApi.as_view(),
        name="creator-analytics-notes",
    ),
    path(
        "creator/analytics/notes/export",
        views.CreatorNoteListExportApi.as_view(),
        name="creator-analytics-notes-export",
    ),
    path(
        "creator/analytics/notes/<id:note_id>",
        views.CreatorNoteDetailApi.as_view(),
        name="creator-analytics-note",
    ),
    path(
        "creator/analytics/notes/<id:note_id>/export",
        views.CreatorNoteExportApi.as_view(),
        name="creator-analytics-note-export",
    ),
]
