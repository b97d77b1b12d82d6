from django.urls import path

from apps.core import converters  # noqa: F401  (registers <id:...>)
from apps.promotion.api import views

urlpatterns = [
    path("promotion/quotes", views.QuoteApi.as_view(), name="promotion-quotes"),
    path("promotion/orders", views.OrderListApi.as_view(), name="promotion-orders"),
    path("promotion/orders/<id:order_id>", views.OrderDetailApi.as_view(), name="promotion-order"),
    path(
        "promotion/orders/<id:order_id>/stop",
        views.OrderStopApi.as_view(),
        name="promotion-order-stop",
    ),
    path(
        "promotion/orders/<id:order_id>/report",
        views.OrderReportApi.as_view(),
        name="promotion-order-report",
    ),
    path(
        "promotion/orders/<id:order_id>/report/csv",
        views.OrderReportCsvApi.as_view(),
        name="promotion-order-report-csv",
    ),
]
