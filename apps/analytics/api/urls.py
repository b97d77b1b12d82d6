from django.urls import path

from apps.analytics.api import views

urlpatterns = [
    path("events", views.EventBatchApi.as_view(), name="event-batch"),
]
