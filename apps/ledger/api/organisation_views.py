"""An organisation's money over HTTP: wallet, entries, statement, top-ups and payouts.

Only ``owner`` and ``finance`` members see or move the organisation's money; any other member
gets 403 and a non-member 404 (``get_organisation_for_member``). Top-ups and payouts need a
verified organisation (409 ``organisation.not_verified``) and an ``Idempotency-Key``. The shapes
are the user wallet's, with who started each top-up or payout.
"""

from django.db.models import QuerySet
from django.http import StreamingHttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.generics import ListAPIView
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.accounts.organisation_selectors import MONEY_ROLES, get_organisation_for_member
from apps.core.idempotency import IDEMPOTENCY_KEY_PARAMETER, idempotent
from apps.ledger import selectors, services
from apps.ledger.api import serializers as s
from apps.ledger.api.views import JsonErrorsNegotiation
from apps.ledger.models import Entry, OwnerType, PaymentIntent, Payout

TAGS = ["organisation money"]
ORG = OwnerType.ORGANISATION


def _organisation_id(request: Request, organisation_id: int) -> int:
    """The organisation's id once the requester is known to be its owner or finance member."""
    return get_organisation_for_member(
        user=request.user, organisation_id=organisation_id, roles=MONEY_ROLES
    ).pk


class OrganisationWalletApi(APIView):
    @extend_schema(tags=TAGS, responses=s.WalletSerializer)
    def get(self, request: Request, organisation_id: int) -> Response:
        """The organisation's balance: available and held (pending payouts), in fen."""
        owner_id = _organisation_id(request, organisation_id)
        balance = selectors.wallet_balance(owner_type=ORG, owner_id=owner_id)
        return Response(
            s.WalletSerializer({"available": balance.available, "held": balance.held}).data
        )


@extend_schema(tags=TAGS)
class OrganisationEntryListApi(ListAPIView):
    """The organisation's wallet history, newest first (cursor pagination)."""

    serializer_class = s.EntrySerializer
    queryset = Entry.objects.none()

    def get_queryset(self) -> QuerySet:
        owner_id = _organisation_id(self.request, self.kwargs["organisation_id"])
        return selectors.owner_wallet_entries(owner_type=ORG, owner_id=owner_id)


class OrganisationStatementApi(APIView):
    content_negotiation_class = JsonErrorsNegotiation

    @extend_schema(
        tags=TAGS,
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
    def get(self, request: Request, organisation_id: int) -> StreamingHttpResponse:
        """The organisation's wallet statement for one month as CSV."""
        owner_id = _organisation_id(request, organisation_id)
        query = s.StatementQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        month = query.validated_data["month"]
        response = StreamingHttpResponse(
            selectors.owner_statement_lines(owner_type=ORG, owner_id=owner_id, month=month),
            content_type="text/csv; charset=utf-8",
        )
        filename = f"organisation-{owner_id}-statement-{month:%Y-%m}.csv"
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response


class OrganisationTopupListApi(ListAPIView):
    """The organisation's top-ups (GET) and starting one (POST)."""

    serializer_class = s.OwnerPaymentIntentSerializer
    queryset = PaymentIntent.objects.none()

    def get_queryset(self) -> QuerySet:
        owner_id = _organisation_id(self.request, self.kwargs["organisation_id"])
        return selectors.owner_payment_intent_list(owner_type=ORG, owner_id=owner_id)

    @extend_schema(tags=TAGS)
    def get(self, request: Request, *args: object, **kwargs: object) -> Response:
        """The organisation's top-ups, newest first."""
        return super().get(request, *args, **kwargs)

    @extend_schema(
        tags=TAGS,
        request=s.TopupInputSerializer,
        responses={201: s.OwnerPaymentIntentSerializer},
        parameters=[IDEMPOTENCY_KEY_PARAMETER],
    )
    @idempotent
    def post(self, request: Request, organisation_id: int) -> Response:
        """Top up the (verified) organisation's wallet: the intent and what to open to pay."""
        data = s.TopupInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        intent = services.organisation_topup_create(
            organisation_id=organisation_id, user=request.user, **data.validated_data
        )
        return Response(s.OwnerPaymentIntentSerializer(intent).data, status=status.HTTP_201_CREATED)


class OrganisationTopupDetailApi(APIView):
    @extend_schema(tags=TAGS, responses=s.OwnerPaymentIntentSerializer)
    def get(self, request: Request, organisation_id: int, intent_id: int) -> Response:
        """One of the organisation's top-ups (poll it after paying)."""
        owner_id = _organisation_id(request, organisation_id)
        intent = selectors.get_payment_intent_for_owner(
            owner_type=ORG, owner_id=owner_id, intent_id=intent_id
        )
        return Response(s.OwnerPaymentIntentSerializer(intent).data)


class OrganisationTopupSandboxPayApi(APIView):
    @extend_schema(
        tags=TAGS, request=s.SandboxPayInputSerializer, responses=s.OwnerPaymentIntentSerializer
    )
    def post(self, request: Request, organisation_id: int, intent_id: int) -> Response:
        """Sandbox cashier for the organisation's sandbox top-ups (see the user wallet's)."""
        data = s.SandboxPayInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        owner_id = _organisation_id(request, organisation_id)
        intent = selectors.get_payment_intent_for_owner(
            owner_type=ORG, owner_id=owner_id, intent_id=intent_id
        )
        result = services.sandbox_payment_complete(
            intent=intent, succeed=data.validated_data["outcome"] == "succeeded"
        )
        return Response(s.OwnerPaymentIntentSerializer(result.intent).data)


class OrganisationPayoutListApi(ListAPIView):
    serializer_class = s.OwnerPayoutSerializer
    queryset = Payout.objects.none()

    def get_queryset(self) -> QuerySet:
        owner_id = _organisation_id(self.request, self.kwargs["organisation_id"])
        return selectors.owner_payout_list(owner_type=ORG, owner_id=owner_id)

    @extend_schema(tags=TAGS)
    def get(self, request: Request, *args: object, **kwargs: object) -> Response:
        """The organisation's payouts, newest first."""
        return super().get(request, *args, **kwargs)

    @extend_schema(
        tags=TAGS,
        request=s.PayoutInputSerializer,
        responses={201: OpenApiResponse(s.OwnerPayoutSerializer, "Requested; the amount is held.")},
        parameters=[IDEMPOTENCY_KEY_PARAMETER],
    )
    @idempotent
    def post(self, request: Request, organisation_id: int) -> Response:
        """Withdraw from the (verified) organisation's wallet; an operator decides."""
        data = s.PayoutInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        payout = services.organisation_payout_request(
            organisation_id=organisation_id, user=request.user, **data.validated_data
        )
        return Response(s.OwnerPayoutSerializer(payout).data, status=status.HTTP_201_CREATED)


class OrganisationPayoutDetailApi(APIView):
    @extend_schema(tags=TAGS, responses=s.OwnerPayoutSerializer)
    def get(self, request: Request, organisation_id: int, payout_id: int) -> Response:
        """One of the organisation's payouts."""
        owner_id = _organisation_id(request, organisation_id)
        payout = selectors.get_payout_for_owner(
            owner_type=ORG, owner_id=owner_id, payout_id=payout_id
        )
        return Response(s.OwnerPayoutSerializer(payout).data)
