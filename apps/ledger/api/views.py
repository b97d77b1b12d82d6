"""Wallet and payments API: balance, history, statement, transfers, top-ups, payouts, webhooks.

Every POST that moves money takes an ``Idempotency-Key`` header (``apps.core.idempotency``).
The provider webhook is the exception: providers cannot send our header, so it is authenticated
by its signature and made idempotent by the provider's event id.
"""

from django.db.models import QuerySet
from django.http import StreamingHttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.generics import ListAPIView
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.core.idempotency import IDEMPOTENCY_KEY_PARAMETER, idempotent
from apps.ledger import selectors, services
from apps.ledger.api import serializers as s
from apps.ledger.models import Entry, PaymentIntent, Payout
from apps.ledger.providers import enabled_provider_names
from apps.ledger.providers.sandbox import SIGNATURE_HEADER


def _wallet_payload(request: Request) -> dict:
    balance = selectors.user_wallet_balance(user=request.user)
    return s.WalletSerializer({"available": balance.available, "held": balance.held}).data


class WalletApi(APIView):
    @extend_schema(tags=["wallet"], responses=s.WalletSerializer)
    def get(self, request: Request) -> Response:
        """My balance: available and held (pending payouts), in fen."""
        return Response(_wallet_payload(request))


@extend_schema(tags=["wallet"])
class WalletEntryListApi(ListAPIView):
    """My wallet history, newest first (cursor pagination)."""

    serializer_class = s.EntrySerializer
    queryset = Entry.objects.none()  # for the schema; get_queryset() scopes to the user

    def get_queryset(self) -> QuerySet:
        return selectors.wallet_entries(user=self.request.user)


class JsonErrorsNegotiation(BaseContentNegotiation):
    """The statement is CSV whatever the Accept header says; its errors are JSON."""

    def select_parser(self, request: Request, parsers: list) -> object:
        return parsers[0] if parsers else None

    def select_renderer(self, request: Request, renderers: list, format_suffix: str | None = None):
        return renderers[0], renderers[0].media_type


class WalletStatementApi(APIView):
    content_negotiation_class = JsonErrorsNegotiation

    @extend_schema(
        tags=["wallet"],
        parameters=[
            OpenApiParameter(
                "month",
                OpenApiTypes.STR,
                required=True,
                pattern=s.MONTH_PATTERN,
                description="Calendar month (Asia/Shanghai), YYYY-MM.",
            )
        ],
        responses={(200, "text/csv"): OpenApiTypes.STR},
    )
    def get(self, request: Request) -> StreamingHttpResponse:
        """My wallet statement for one month as CSV: every entry with the balance after it."""
        query = s.StatementQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        month = query.validated_data["month"]
        response = StreamingHttpResponse(
            selectors.wallet_statement_lines(user=request.user, month=month),
            content_type="text/csv; charset=utf-8",
        )
        filename = f"wallet-statement-{month:%Y-%m}.csv"
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response


class WalletTransferApi(APIView):
    @extend_schema(
        tags=["wallet"],
        request=s.TransferInputSerializer,
        responses={201: s.TransferResultSerializer},
        parameters=[IDEMPOTENCY_KEY_PARAMETER],
    )
    @idempotent
    def post(self, request: Request) -> Response:
        """Send money from my wallet to another user's."""
        data = s.TransferInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        posted = services.wallet_transfer(
            sender=request.user,
            recipient_id=data.validated_data["to_user_id"],
            amount=data.validated_data["amount"],
        )
        body = {
            "transaction_id": posted.pk,
            "to_user_id": data.validated_data["to_user_id"],
            "amount": data.validated_data["amount"],
            "created_at": posted.created_at,
            "wallet": _wallet_payload(request),
        }
        return Response(s.TransferResultSerializer(body).data, status=status.HTTP_201_CREATED)


class TopupListApi(ListAPIView):
    """My top-ups (GET) and starting one (POST)."""

    serializer_class = s.PaymentIntentSerializer
    queryset = PaymentIntent.objects.none()

    def get_queryset(self) -> QuerySet:
        return selectors.payment_intent_list(user=self.request.user)

    @extend_schema(tags=["wallet"])
    def get(self, request: Request, *args: object, **kwargs: object) -> Response:
        """My top-ups, newest first."""
        return super().get(request, *args, **kwargs)

    @extend_schema(
        tags=["wallet"],
        request=s.TopupInputSerializer,
        responses={201: s.PaymentIntentSerializer},
        parameters=[IDEMPOTENCY_KEY_PARAMETER],
    )
    @idempotent
    def post(self, request: Request) -> Response:
        """Start a top-up: returns the payment intent and what the client opens to pay."""
        data = s.TopupInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        intent = services.payment_intent_create(user=request.user, **data.validated_data)
        return Response(s.PaymentIntentSerializer(intent).data, status=status.HTTP_201_CREATED)


class TopupDetailApi(APIView):
    @extend_schema(tags=["wallet"], responses=s.PaymentIntentSerializer)
    def get(self, request: Request, intent_id: int) -> Response:
        """One of my top-ups (poll it after paying)."""
        intent = selectors.get_payment_intent_for_user(user=request.user, intent_id=intent_id)
        return Response(s.PaymentIntentSerializer(intent).data)


class TopupSandboxPayApi(APIView):
    @extend_schema(
        tags=["payments"],
        request=s.SandboxPayInputSerializer,
        responses=s.PaymentIntentSerializer,
    )
    def post(self, request: Request, intent_id: int) -> Response:
        """Sandbox cashier: pay (or fail) one of my sandbox top-ups.

        Stands in for the provider's payment page; the sandbox then delivers its signed webhook
        through the same verification as any provider. Repeating it changes nothing once the
        intent is final.
        """
        data = s.SandboxPayInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        intent = selectors.get_payment_intent_for_user(user=request.user, intent_id=intent_id)
        result = services.sandbox_payment_complete(
            intent=intent, succeed=data.validated_data["outcome"] == "succeeded"
        )
        return Response(s.PaymentIntentSerializer(result.intent).data)


class PaymentWebhookApi(APIView):
    """Provider notifications: authenticated by their signature, not by a user."""

    permission_classes = [AllowAny]
    authentication_classes: list = []
    throttle_classes: list = []

    @extend_schema(
        tags=["payments"],
        auth=[],
        request=s.SandboxWebhookEventSerializer,
        responses={200: s.WebhookAckSerializer},
        parameters=[
            OpenApiParameter(
                "provider", OpenApiTypes.STR, OpenApiParameter.PATH, enum=enabled_provider_names()
            ),
            OpenApiParameter(
                SIGNATURE_HEADER,
                OpenApiTypes.STR,
                OpenApiParameter.HEADER,
                required=True,
                description="t=<unix seconds>,v1=<hex HMAC-SHA256 of '<t>.' + raw body>",
            ),
        ],
    )
    def post(self, request: Request, provider: str) -> Response:
        """Receive a payment notification; repeats and out-of-order deliveries change nothing."""
        result = services.payment_webhook_receive(
            provider=provider, headers=request.headers, body=request.body
        )
        return Response({"outcome": result.outcome, "intent_status": result.intent.status})


class PayoutListApi(ListAPIView):
    serializer_class = s.PayoutSerializer
    queryset = Payout.objects.none()

    def get_queryset(self) -> QuerySet:
        return selectors.payout_list(user=self.request.user)

    @extend_schema(tags=["wallet"])
    def get(self, request: Request, *args: object, **kwargs: object) -> Response:
        """My payouts, newest first."""
        return super().get(request, *args, **kwargs)

    @extend_schema(
        tags=["wallet"],
        request=s.PayoutInputSerializer,
        responses={201: OpenApiResponse(s.PayoutSerializer, "Requested; the amount is held.")},
        parameters=[IDEMPOTENCY_KEY_PARAMETER],
    )
    @idempotent
    def post(self, request: Request) -> Response:
        """Ask to withdraw: the amount is held at once; an operator approves or rejects it."""
        data = s.PayoutInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        payout = services.payout_request(user=request.user, **data.validated_data)
        return Response(s.PayoutSerializer(payout).data, status=status.HTTP_201_CREATED)


class PayoutDetailApi(APIView):
    @extend_schema(tags=["wallet"], responses=s.PayoutSerializer)
    def get(self, request: Request, payout_id: int) -> Response:
        """One of my payouts."""
        payout = selectors.get_payout_for_user(user=request.user, payout_id=payout_id)
        return Response(s.PayoutSerializer(payout).data)
