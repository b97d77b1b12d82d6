from django.urls import path

from apps.accounts.api import organisation_views as views

urlpatterns = [
    path("organisations", views.OrganisationListApi.as_view(), name="organisation-list"),
    path(
        "organisations/<int:organisation_id>",
        views.OrganisationDetailApi.as_view(),
        name="organisation-detail",
    ),
    path(
        "organisations/<int:organisation_id>/members",
        views.OrganisationMemberListApi.as_view(),
        name="organisation-members",
    ),
    path(
        "organisations/<int:organisation_id>/members/<int:user_id>",
        views.OrganisationMemberApi.as_view(),
        name="organisation-member",
    ),
]
