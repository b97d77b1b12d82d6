"""Fries API: quote, pay (Idempotency-Key), my orders, stop, report and its CSV.

Every order route answers only for the signed-in creator's own orders (another user's id is a
404, like a missing one).
"""

import django_filters
from django.db.models import QuerySet
from django.http import StreamingHttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.generics import ListAPIView
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.core.idempotency import IDEMPOTENCY_KEY_PARAMETER, idempotent
from apps.core.negotiation import JsonErrorsNegotiation
from apps.promotion import reports, selectors, services
from apps.promotion.api import serializers as s
from apps.promotion.models import OrderStatus, PromotionOrder
from apps.promotion.quotes import Quote, QuoteRequest

TAGS = ["promotion"]


def _request_from(data: dict) -> QuoteRequest:
    return QuoteRequest(
        note_id=data["note_id"],
        objective=data["objective"],
        budget=data["budget"],
        duration_hours=int(data["duration_hours"]),
        targeting_mode=data["targeting_mode"],
        targeting=dict(data.get("targeting") or {}),
        starts_at=data.get("starts_at"),
    )


def _quote_body(quote: Quote) -> dict:
    return {
        "note_id": quote.note.pk,
        "objective": quote.request.objective,
        "budget": quote.request.budget,
        "cpm": quote.cpm,
        "audience": quote.audience,
        "audience_size": quote.audience_size,
        "estimated_impressions": quote.estimated_impressions,
        "rate": quote.rate,
        "rate_source": quote.rate_source,
        "results_low": quote.results_low,
        "results_high": quote.results_high,
        "starts_at": quote.starts_at,
        "ends_at": quote.ends_at,
    }


class QuoteApi(APIView):
    @extend_schema(
        tags=TAGS,
        operation_id="promotion_quotes_create",
        request=s.PromotionQuoteInputSerializer,
        responses={200: s.PromotionQuoteSerializer},
    )
    def post(self, request: Request) -> Response:
        """Quote a promotion of one of my notes: audience, impressions, expected results."""
        data = s.PromotionQuoteInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        quote = services.promotion_quote(
            creator=request.user, request=_request_from(data.validated_data)
        )
        return Response(s.PromotionQuoteSerializer(_quote_body(quote)).data)


class OrderFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=OrderStatus.choices)

    class Meta:
        model = PromotionOrder
        fields = ("status",)


class OrderListApi(ListAPIView):
    """My promotion orders, newest first (GET), and paying for a new one (POST)."""

    serializer_class = s.PromotionOrderSerializer
    queryset = PromotionOrder.objects.none()
    filterset_class = OrderFilter

    def get_queryset(self) -> QuerySet:
        return selectors.orders_of(creator=self.request.user)

    @extend_schema(tags=TAGS, operation_id="promotion_orders_list")
    def get(self, request: Request, *args: object, **kwargs: object) -> Response:
        """My promotion orders, newest first; filter by status."""
        return super().get(request, *args, **kwargs)

    @extend_schema(
        tags=TAGS,
        operation_id="promotion_orders_create",
        request=s.PromotionQuoteInputSerializer,
        responses={201: s.PromotionOrderSerializer},
        parameters=[IDEMPOTENCY_KEY_PARAMETER],
    )
    @idempotent
    def post(self, request: Request) -> Response:
        """Pay for a promotion from my wallet (held in escrow); screening reviews it at once."""
        data = s.PromotionQuoteInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        order = services.promotion_order_create(
            creator=request.user, request=_request_from(data.validated_data)
        )
        return Response(s.PromotionOrderSerializer(order).data, status=status.HTTP_201_CREATED)


class OrderDetailApi(APIView):
    @extend_schema(
        tags=TAGS, operation_id="promotion_orders_retrieve", responses=s.PromotionOrderSerializer
    )
    def get(self, request: Request, order_id: int) -> Response:
        """One of my promotion orders."""
        order = services.order_get_for_creator(creator=request.user, order_id=order_id)
        return Response(s.PromotionOrderSerializer(order).data)


class OrderStopApi(APIView):
    @extend_schema(
        tags=TAGS,
        operation_id="promotion_orders_stop",
        request=None,
        responses={200: s.PromotionOrderSerializer},
        parameters=[IDEMPOTENCY_KEY_PARAMETER],
    )
    @idempotent
    def post(self, request: Request, order_id: int) -> Response:
        """Stop my order: serving ends and the unspent budget returns to my wallet."""
        order = services.promotion_order_stop(creator=request.user, order_id=order_id)
        return Response(s.PromotionOrderSerializer(order).data)


class OrderReportApi(APIView):
    @extend_schema(
        tags=TAGS,
        operation_id="promotion_orders_report_retrieve",
        responses=s.PromotionReportSerializer,
    )
    def get(self, request: Request, order_id: int) -> Response:
        """My order's results per hour, totals, cost per result, against organic figures."""
        order = services.order_get_for_creator(creator=request.user, order_id=order_id)
        report = reports.order_report(order)
        body = {
            "order": order,
            "hours": report.hours,
            "totals": report.totals,
            "ctr": report.ctr,
            "results": report.results,
            "cost_per_result": report.cost_per_result,
            "organic": report.organic,
            "organic_ctr": report.organic_ctr,
        }
        return Response(s.PromotionReportSerializer(body).data)


class OrderReportCsvApi(APIView):
    content_negotiation_class = JsonErrorsNegotiation

    @extend_schema(
        tags=TAGS,
        operation_id="promotion_orders_report_csv_retrieve",
        responses={(200, "text/csv"): OpenApiTypes.STR},
    )
    def get(self, request: Request, order_id: int) -> StreamingHttpResponse:
        """My order's hourly results as CSV."""
        order = services.order_get_for_creator(creator=request.user, order_id=order_id)
        response = StreamingHttpResponse(
            reports.order_report_csv(order), content_type="text/csv; charset=utf-8"
        )
        response["Content-Disposition"] = f'attachment; filename="promotion-{order.pk}.csv"'
        return response
