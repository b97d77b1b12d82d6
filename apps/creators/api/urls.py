from django.urls import include, path

urlpatterns = [
    path("", include("apps.creators.api.analytics_urls")),
    path("", include("apps.creators.api.comments_urls")),
]
