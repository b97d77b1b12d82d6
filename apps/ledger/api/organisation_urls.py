from django.urls import path

from apps.core import converters  # noqa: F401  (registers <id:...>)
from apps.ledger.api import organisation_views as views

PREFIX = "organisations/<id:organisation_id>"

urlpatterns = [
    path(f"{PREFIX}/wallet", views.OrganisationWalletApi.as_view(), name="organisation-wallet"),
    path(
        f"{PREFIX}/wallet/entries",
        views.OrganisationEntryListApi.as_view(),
        name="organisation-wallet-entries",
    ),
    path(
        f"{PREFIX}/wallet/statement",
        views.OrganisationStatementApi.as_view(),
        name="organisation-wallet-statement",
    ),
    path(f"{PREFIX}/topups", views.OrganisationTopupListApi.as_view(), name="organisation-topups"),
    path(
        f"{PREFIX}/topups/<id:intent_id>",
        views.OrganisationTopupDetailApi.as_view(),
        name="organisation-topup",
    ),
    path(
        f"{PREFIX}/topups/<id:intent_id>/sandbox-pay",
        views.OrganisationTopupSandboxPayApi.as_view(),
        name="organisation-topup-sandbox-pay",
    ),
    path(
        f"{PREFIX}/payouts", views.OrganisationPayoutListApi.as_view(), name="organisation-payouts"
    ),
    path(
        f"{PREFIX}/payouts/<id:payout_id>",
        views.OrganisationPayoutDetailApi.as_view(),
        name="organisation-payout",
    ),
]
