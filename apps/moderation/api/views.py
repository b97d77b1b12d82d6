"""Moderation API: reports, appeals, and account health for the creator center."""

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.generics import ListAPIView
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.core.throttles import WriteRateThrottle
from apps.moderation import selectors, services
from apps.moderation.api import serializers as s
from apps.moderation.models import Report


@extend_schema(tags=["moderation"])
class ReportListCreateApi(ListAPIView):
    """Report a note, comment or user (POST); the reports I made and their outcome (GET)."""

    serializer_class = s.ReportSerializer
    queryset = Report.objects.none()  # for the schema; get_queryset() scopes to the user
    throttle_classes = [WriteRateThrottle]
    filter_backends: list = []

    def get_queryset(self) -> QuerySet[Report]:
        return selectors.report_list(user=self.request.user)

    @extend_schema(
        request=s.ReportCreateSerializer,
        responses={201: s.ReportSerializer, 200: s.ReportSerializer},
        description=(
            "Reports on one item join one case; once enough distinct users report a note or "
            "comment it is hidden until an operator decides. Reporting the same item again "
            "returns the first report (200)."
        ),
    )
    def post(self, request: Request) -> Response:
        data = s.ReportCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        report, created = services.report_create(
            reporter=request.user,
            target_key=values["target"],
            object_id=values["object_id"],
            reason=values["reason"],
            detail=values["detail"],
        )
        report = selectors.report_list(user=request.user).get(pk=report.pk)
        return Response(
            s.ReportSerializer(report).data,
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )


class StrikeAppealApi(APIView):
    throttle_classes = [WriteRateThrottle]

    @extend_schema(
        tags=["moderation"],
        request=s.AppealCreateSerializer,
        responses={201: s.AppealSerializer},
        description="Appeal one of my strikes, once; another operator decides.",
    )
    def post(self, request: Request, strike_id: int) -> Response:
        data = s.AppealCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        appeal = services.appeal_create(
            user=request.user, strike_id=strike_id, reason=data.validated_data["reason"]
        )
        return Response(s.AppealSerializer(appeal).data, status=status.HTTP_201_CREATED)


class CreatorHealthApi(APIView):
    @extend_schema(tags=["creator"], responses=s.AccountHealthSerializer)
    def get(self, request: Request) -> Response:
        """My account health: strikes in the window, any posting restriction, appeal status."""
        health = selectors.account_health(user=request.user)
        body = {
            "status": health.status,
            "can_post": health.can_post,
            "restricted_until": health.restricted_until,
            "active_strikes": health.active_strikes,
            "policy": {
                "window_days": health.policy.window.days,
                "threshold": health.policy.threshold,
                "restriction_days": health.policy.restriction.days,
                "appeal_days": health.policy.appeal_window.days,
            },
            "strikes": health.strikes,
        }
        return Response(
            s.AccountHealthSerializer(
                body, context={"now": health.now, "policy": health.policy}
            ).data
        )
