from django.urls import path

from apps.core import converters  # noqa: F401  (registers <id:...>)
from apps.moderation.api import views

urlpatterns = [
    path("reports", views.ReportListCreateApi.as_view(), name="report-list"),
    path(
        "moderation/strikes/<id:strike_id>/appeal",
        views.StrikeAppealApi.as_view(),
        name="strike-appeal",
    ),
    path("creator/health", views.CreatorHealthApi.as_view(), name="creator-health"),
]
