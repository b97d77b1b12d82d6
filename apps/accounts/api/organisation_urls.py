from django.urls import path

from apps.accounts.api import organisation_views as views
from apps.core import converters  # noqa: F401  (registers <id:...>)

urlpatterns = [
    path("organisations", views.OrganisationListApi.as_view(), name="organisation-list"),
    path(
        "organisations/<id:organisation_id>",
        views.OrganisationDetailApi.as_view(),
        name="organisation-detail",
    ),
    path(
        "organisations/<id:organisation_id>/members",
        views.OrganisationMemberListApi.as_view(),
        name="organisation-members",
    ),
    path(
        "organisations/<id:organisation_id>/members/<id:user_id>",
        views.OrganisationMemberApi.as_view(),
        name="organisation-member",
    ),
]
