"""Root URL configuration: a home page, API under /api/v1/, schema and docs, admin, health."""

from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.templatetags.static import static as static_url
from django.urls import include, path, re_path
from django.utils.functional import lazy
from django.views.generic import RedirectView, TemplateView
from drf_spectacular.views import (
    SpectacularAPIView,
    SpectacularRedocView,
    SpectacularSwaggerView,
)

from apps.commerce.api.views import link_redirect
from apps.core.views import api_not_found, healthz
from apps.live.hooks import rtmp_hook

api_v1 = [
    path("", include("apps.accounts.api.urls")),
    path("", include("apps.accounts.api.organisation_urls")),
    path("", include("apps.notifications.api.urls")),
    path("", include("apps.moderation.api.urls")),
    path("", include("apps.notes.api.urls")),
    path("", include("apps.analytics.api.urls")),
    path("", include("apps.creators.api.urls")),
    path("", include("apps.ledger.api.urls")),
    path("", include("apps.ledger.api.organisation_urls")),
    path("", include("apps.programs.api.urls")),
    path("", include("apps.brands.api.urls")),
    path("", include("apps.brands.api.discovery_urls")),
    path("", include("apps.commerce.api.urls")),
    path("", include("apps.live.api.urls")),
    path("", include("apps.promotion.api.urls")),
]

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/", include(api_v1)),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="api-docs"),
    path(
        "api/redoc/",
        SpectacularRedocView.as_view(url_name="schema", template_name="core/redoc_offline.html"),
        name="api-redoc",
    ),
    # What the platform is, with links to the docs, the schema, the admin and health.
    path("", TemplateView.as_view(template_name="core/home.html"), name="home"),
    # Browsers ask for /favicon.ico on every page that names none (Swagger UI, ReDoc).
    # Lazy: the static URL (hashed in production) is resolved at the first request, not import.
    path(
        "favicon.ico",
        RedirectView.as_view(url=lazy(static_url, str)("core/favicon.svg")),
        name="favicon",
    ),
    path("healthz", healthz, name="healthz"),
    # Tracked product links (commerce): count the click, redirect to the product.
    re_path(r"^l/(?P<code>[A-Za-z0-9]{1,12})$", link_redirect, name="commerce-link"),
    # nginx-rtmp's notify hooks (shared secret, not part of the API: apps/live/hooks.py).
    path("hooks/live/rtmp/<str:event>", rtmp_hook, name="live-rtmp-hook"),
    # Unknown API paths answer in the API's JSON error shape, in development too.
    re_path(r"^api/", api_not_found),
]

if settings.DEBUG:
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

handler400 = "apps.core.views.bad_request"
handler403 = "apps.core.views.permission_denied"
handler404 = "apps.core.views.not_found"
handler500 = "apps.core.views.server_error"
