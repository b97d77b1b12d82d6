from django.urls import path

from apps.brands.api import aftercare_views, campaign_views, cooperation_views
from apps.core import converters  # noqa: F401  (registers <id:...>)

ORG = "organisations/<id:organisation_id>"
CAMPAIGN = f"{ORG}/campaigns/<id:campaign_id>"
COOPERATION = "cooperations/<id:cooperation_id>"

urlpatterns = [
    path(f"{ORG}/campaigns", campaign_views.BrandCampaignListApi.as_view(), name="brand-campaigns"),
    path(CAMPAIGN, campaign_views.BrandCampaignDetailApi.as_view(), name="brand-campaign"),
    path(
        f"{CAMPAIGN}/invitations",
        campaign_views.CampaignInvitationsApi.as_view(),
        name="brand-campaign-invitations",
    ),
    path(
        f"{CAMPAIGN}/report",
        campaign_views.CampaignReportApi.as_view(),
        name="brand-campaign-report",
    ),
    path(
        f"{CAMPAIGN}/report/csv",
        campaign_views.CampaignReportCsvApi.as_view(),
        name="brand-campaign-report-csv",
    ),
    path(
        f"{ORG}/cooperations",
        cooperation_views.BrandCooperationListApi.as_view(),
        name="brand-cooperations",
    ),
    path(
        f"{ORG}/protection-requests",
        aftercare_views.BrandProtectionRequestListApi.as_view(),
        name="brand-protection-requests",
    ),
    path(
        f"{ORG}/protection-requests/<id:request_id>/decision",
        aftercare_views.ProtectionRequestDecisionApi.as_view(),
        name="brand-protection-request-decision",
    ),
    path(
        f"{ORG}/usage-rights",
        aftercare_views.BrandUsageRightListApi.as_view(),
        name="brand-usage-rights",
    ),
    path("campaigns", campaign_views.OpenCampaignListApi.as_view(), name="open-campaigns"),
    path(
        "campaigns/<id:campaign_id>",
        campaign_views.OpenCampaignDetailApi.as_view(),
        name="open-campaign",
    ),
    path(
        "campaigns/<id:campaign_id>/applications",
        campaign_views.CampaignApplicationApi.as_view(),
        name="campaign-applications",
    ),
    path("cooperations", cooperation_views.MyCooperationListApi.as_view(), name="my-cooperations"),
    path(COOPERATION, cooperation_views.CooperationDetailApi.as_view(), name="cooperation"),
    path(
        f"{COOPERATION}/offers",
        cooperation_views.CooperationOfferListApi.as_view(),
        name="cooperation-offers",
    ),
    *[
        path(
            f"{COOPERATION}/{action.replace('_', '-')}",
            view.as_view(),
            name=f"cooperation-{action.replace('_', '-')}",
        )
        for action, view in cooperation_views.ACTION_VIEWS.items()
    ],
    path(
        f"{COOPERATION}/rating",
        cooperation_views.CooperationRatingApi.as_view(),
        name="cooperation-rating",
    ),
    path("usage-rights", aftercare_views.MyUsageRightListApi.as_view(), name="my-usage-rights"),
    path(
        "brands/<id:brand_id>/ratings",
        aftercare_views.BrandRatingListApi.as_view(),
        name="brand-ratings",
    ),
    path(
        "brands/<id:brand_id>/rating-summary",
        aftercare_views.BrandRatingSummaryApi.as_view(),
        name="brand-rating-summary",
    ),
]
