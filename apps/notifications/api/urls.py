from django.urls import path

from apps.core import converters  # noqa: F401  (registers <id:...>)
from apps.notifications.api import views

urlpatterns = [
    path("notifications", views.NotificationListApi.as_view(), name="notification-list"),
    path(
        "notifications/unread-count",
        views.NotificationUnreadCountApi.as_view(),
        name="notification-unread-count",
    ),
    path(
        "notifications/read-all",
        views.NotificationReadAllApi.as_view(),
        name="notification-read-all",
    ),
    path(
        "notifications/<id:notification_id>/read",
        views.NotificationReadApi.as_view(),
        name="notification-read",
    ),
]
