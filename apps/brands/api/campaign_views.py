"""Campaigns over HTTP: a brand's campaigns (members read; owner and manager write), the cart of
invitations, open campaigns creators may apply to."""

from django.db.models import QuerySet
from django.http import StreamingHttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.generics import ListAPIView
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.accounts.organisation_selectors import get_organisation_for_member
from apps.brands import campaigns, reports, selectors
from apps.brands.api import serializers as s
from apps.brands.cooperation_models import Campaign, Cooperation
from apps.core.idempotency import IDEMPOTENCY_KEY_PARAMETER, idempotent
from apps.core.negotiation import JsonErrorsNegotiation

TAGS = ["brand campaigns"]


def _data(serializer_class: type, request: Request) -> dict:
    data = serializer_class(data=request.data)
    data.is_valid(raise_exception=True)
    return dict(data.validated_data)


class BrandCampaignListApi(ListAPIView):
    serializer_class = s.CampaignSerializer
    queryset = Campaign.objects.none()

    def get_queryset(self) -> QuerySet:
        organisation = get_organisation_for_member(
            user=self.request.user, organisation_id=self.kwargs["organisation_id"]
        )
        return selectors.brand_campaigns(brand_id=organisation.pk).select_related("brand")

    @extend_schema(tags=TAGS)
    def get(self, request: Request, *args: object, **kwargs: object) -> Response:
        """The brand's campaigns, newest first (any member)."""
        return super().get(request, *args, **kwargs)

    @extend_schema(
        tags=TAGS, request=s.CampaignInputSerializer, responses={201: s.CampaignSerializer}
    )
    def post(self, request: Request, organisation_id: int) -> Response:
        """Post a campaign (verified brand; owner or manager); its texts are screened."""
        values = _data(s.CampaignInputSerializer, request)
        campaign = campaigns.campaign_create(
            user=request.user, organisation_id=organisation_id, **values
        )
        return Response(s.CampaignSerializer(campaign).data, status=status.HTTP_201_CREATED)


class BrandCampaignDetailApi(APIView):
    @extend_schema(tags=TAGS, responses=s.CampaignSerializer)
    def get(self, request: Request, organisation_id: int, campaign_id: int) -> Response:
        """One of the brand's campaigns (any member)."""
        campaign = campaigns.get_campaign_for_member(
            user=request.user, organisation_id=organisation_id, campaign_id=campaign_id
        )
        return Response(s.CampaignSerializer(campaign).data)

    @extend_schema(tags=TAGS, request=s.CampaignUpdateSerializer, responses=s.CampaignSerializer)
    def patch(self, request: Request, organisation_id: int, campaign_id: int) -> Response:
        """Edit the brief or close the campaign (owner or manager)."""
        changes = _data(s.CampaignUpdateSerializer, request)
        campaign = campaigns.campaign_update(
            user=request.user, organisation_id=organisation_id, campaign_id=campaign_id, **changes
        )
        return Response(s.CampaignSerializer(campaign).data)


class CampaignInvitationsApi(APIView):
    @extend_schema(
        tags=TAGS,
        request=s.CartSerializer,
        responses={201: s.CooperationSerializer(many=True)},
        parameters=[IDEMPOTENCY_KEY_PARAMETER],
    )
    @idempotent
    def post(self, request: Request, organisation_id: int, campaign_id: int) -> Response:
        """Send a cart of invitations: all are created or none (see docs/brands.md)."""
        data = _data(s.CartSerializer, request)
        created = campaigns.campaign_invite(
            user=request.user,
            organisation_id=organisation_id,
            campaign_id=campaign_id,
            invitations=[dict(item) for item in data["invitations"]],
        )
        ids = [cooperation.pk for cooperation in created]
        rows = Cooperation.objects.filter(pk__in=ids).select_related("campaign", "brand")
        return Response(
            s.CooperationSerializer(rows.order_by("pk"), many=True).data,
            status=status.HTTP_201_CREATED,
        )


class OpenCampaignListApi(ListAPIView):
    serializer_class = s.CampaignSerializer
    queryset = Campaign.objects.none()

    def get_queryset(self) -> QuerySet:
        return campaigns.open_campaigns()

    @extend_schema(tags=TAGS)
    def get(self, request: Request, *args: object, **kwargs: object) -> Response:
        """Campaigns open to applications, newest first."""
        return super().get(request, *args, **kwargs)


class OpenCampaignDetailApi(APIView):
    @extend_schema(tags=TAGS, responses=s.CampaignSerializer)
    def get(self, request: Request, campaign_id: int) -> Response:
        """One campaign open to applications."""
        return Response(
            s.CampaignSerializer(campaigns.get_open_campaign(campaign_id=campaign_id)).data
        )


class CampaignApplicationApi(APIView):
    @extend_schema(
        tags=TAGS, request=s.ApplicationSerializer, responses={201: s.CooperationSerializer}
    )
    def post(self, request: Request, campaign_id: int) -> Response:
        """Apply to an open campaign with a price and a pitch (screened)."""
        values = _data(s.ApplicationSerializer, request)
        cooperation = campaigns.campaign_apply(user=request.user, campaign_id=campaign_id, **values)
        return Response(s.CooperationSerializer(cooperation).data, status=status.HTTP_201_CREATED)


class CampaignReportApi(APIView):
    @extend_schema(tags=TAGS, responses=s.CampaignReportSerializer)
    def get(self, request: Request, organisation_id: int, campaign_id: int) -> Response:
        """Per sponsored note: reads, engagement, fans gained, CPM, cost per engagement; totals."""
        campaign = campaigns.get_campaign_for_member(
            user=request.user, organisation_id=organisation_id, campaign_id=campaign_id
        )
        return Response(s.CampaignReportSerializer(reports.campaign_report(campaign=campaign)).data)


class CampaignReportCsvApi(APIView):
    content_negotiation_class = JsonErrorsNegotiation

    @extend_schema(tags=TAGS, responses={(200, "text/csv"): OpenApiTypes.STR})
    def get(
        self, request: Request, organisation_id: int, campaign_id: int
    ) -> StreamingHttpResponse:
        """The campaign report as CSV (one line per note, then the totals)."""
        campaign = campaigns.get_campaign_for_member(
            user=request.user, organisation_id=organisation_id, campaign_id=campaign_id
        )
        response = StreamingHttpResponse(
            reports.campaign_report_csv(campaign=campaign), content_type="text/csv; charset=utf-8"
        )
        response["Content-Disposition"] = f'attachment; filename="campaign-{campaign.pk}.csv"'
        return response
