from django.urls import path

from apps.core import converters  # noqa: F401  (registers <id:...>)
from apps.ledger.api import views

urlpatterns = [
    path("wallet", views.WalletApi.as_view(), name="wallet"),
    path("wallet/entries", views.WalletEntryListApi.as_view(), name="wallet-entries"),
    path("wallet/statement", views.WalletStatementApi.as_view(), name="wallet-statement"),
    path("wallet/transfers", views.WalletTransferApi.as_view(), name="wallet-transfer"),
    path("wallet/topups", views.TopupListApi.as_view(), name="wallet-topups"),
    path("wallet/topups/<id:intent_id>", views.TopupDetailApi.as_view(), name="wallet-topup"),
    path(
        "wallet/topups/<id:intent_id>/sandbox-pay",
        views.TopupSandboxPayApi.as_view(),
        name="wallet-topup-sandbox-pay",
    ),
    path("wallet/payouts", views.PayoutListApi.as_view(), name="wallet-payouts"),
    path("wallet/payouts/<id:payout_id>", views.PayoutDetailApi.as_view(), name="wallet-payout"),
    path(
        "payments/webhooks/<slug:provider>",
        views.PaymentWebhookApi.as_view(),
        name="payment-webhook",
    ),
]
