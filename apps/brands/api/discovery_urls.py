from django.urls import path

from apps.brands.api import discovery_views, profile_views
from apps.core import converters  # noqa: F401  (registers <id:...>)

urlpatterns = [
    path(
        "creator/cooperation-profile",
        profile_views.CooperationProfileApi.as_view(),
        name="cooperation-profile",
    ),
    path(
        "creator/cooperation-profile/eligibility",
        profile_views.CooperationEligibilityApi.as_view(),
        name="cooperation-profile-eligibility",
    ),
    path(
        "organisations/<id:organisation_id>/discovery/creators",
        discovery_views.DiscoveryCreatorListApi.as_view(),
        name="brand-discovery-creators",
    ),
    path(
        "organisations/<id:organisation_id>/discovery/creators/<id:creator_id>",
        discovery_views.DiscoveryCreatorCardApi.as_view(),
        name="brand-discovery-creator-card",
    ),
]
