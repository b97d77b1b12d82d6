"""Agency contracts: the agency's side (under its organisation) and the creator's side.

Agency routes fetch the organisation through ``get_organisation_for_member`` (404 to outsiders,
403 to a role not allowed); creator routes find only the caller's own contracts (404 otherwise).
The dashboard shows only signed creators who consented to share their data.
"""

import csv
from collections.abc import Iterator
from io import StringIO
from typing import Any

from django.db.models import QuerySet
from django.http import StreamingHttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.generics import ListAPIView
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.analytics.days import local_yesterday
from apps.analytics.periods import period_ending
from apps.core.throttles import WriteRateThrottle
from apps.programs import selectors, services
from apps.programs.api import serializers as s
from apps.programs.models import AgencyContract

TAGS = ["programs"]
DAYS_PARAMETER = OpenApiParameter(
    "days", int, enum=[7, 30, 90], description="The period: this many days up to yesterday."
)


def _contract(contract: AgencyContract) -> dict:
    return s.AgencyContractSerializer(contract).data


class AgencyContractListApi(ListAPIView):
    """The agency's contracts (GET, any member); request one (POST, owner or manager)."""

    serializer_class = s.AgencyContractSerializer
    queryset = AgencyContract.objects.none()
    throttle_classes = [WriteRateThrottle]

    def get_queryset(self) -> QuerySet:
        agency = selectors.get_agency_for_member(
            user=self.request.user, agency_id=self.kwargs["agency_id"]
        )
        return selectors.contracts_for_agency(agency=agency).select_related("agency")

    @extend_schema(tags=TAGS)
    def get(self, request: Request, *args: object, **kwargs: object) -> Response:
        """Contracts and requests of the agency, newest first."""
        return super().get(request, *args, **kwargs)

    @extend_schema(
        tags=TAGS,
        request=s.AgencyContractRequestSerializer,
        responses={201: s.AgencyContractSerializer},
    )
    def post(self, request: Request, agency_id: int) -> Response:
        """Send a contract request to a creator (verified MCN agencies; expires after 7 days)."""
        data = s.AgencyContractRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        contract = services.contract_request(
            agency_id=agency_id, actor=request.user, **data.validated_data
        )
        return Response(_contract(contract), status=status.HTTP_201_CREATED)


class AgencyContractWithdrawApi(APIView):
    throttle_classes = [WriteRateThrottle]

    @extend_schema(tags=TAGS, request=None, responses=s.AgencyContractSerializer)
    def post(self, request: Request, agency_id: int, contract_id: int) -> Response:
        """Withdraw a request the creator has not answered (owner or manager)."""
        contract = services.contract_withdraw(
            agency_id=agency_id, contract_id=contract_id, actor=request.user
        )
        return Response(_contract(contract))


class AgencyContractTerminateApi(APIView):
    throttle_classes = [WriteRateThrottle]

    @extend_schema(tags=TAGS, request=None, responses=s.AgencyContractSerializer)
    def post(self, request: Request, agency_id: int, contract_id: int) -> Response:
        """Ask to end a contract, or accept the creator's request to (owner or manager).

        Unanswered, a termination is approved automatically after 7 days."""
        contract = services.contract_terminate_by_agency(
            agency_id=agency_id, contract_id=contract_id, actor=request.user
        )
        return Response(_contract(contract))


def _dashboard(request: Request, agency_id: int) -> tuple[Any, list[dict]]:
    query = s.AgencyDashboardQuerySerializer(data=request.query_params)
    query.is_valid(raise_exception=True)
    agency = selectors.get_agency_for_member(user=request.user, agency_id=agency_id)
    period = period_ending(end=local_yesterday(), days=int(query.validated_data["days"]))
    return period, selectors.agency_dashboard(agency=agency, period=period)


class AgencyDashboardApi(APIView):
    @extend_schema(tags=TAGS, parameters=[DAYS_PARAMETER], responses=s.AgencyDashboardSerializer)
    def get(self, request: Request, agency_id: int) -> Response:
        """Signed creators who share their data: fans, growth, reads, engagement, income."""
        period, rows = _dashboard(request, agency_id)
        # The rows are already the serializer's plain values (documented by it in the schema);
        # running a thousand of them through DRF fields would double the response time.
        return Response({**period.as_dict(), "creators": rows})


def _cell(value: object) -> object:
    if value is None:
        return ""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return f"'{value}"  # a spreadsheet would run it as a formula
    return value


def _csv(rows: list[dict], chunk: int = 200) -> Iterator[str]:
    """The header, then the rows, ``chunk`` rows a piece (a thousand tiny pieces cost more)."""
    buffer = StringIO()
    writer = csv.writer(buffer)
    writer.writerow(selectors.DASHBOARD_COLUMNS)
    for index, row in enumerate(rows, start=1):
        writer.writerow([_cell(row[column]) for column in selectors.DASHBOARD_COLUMNS])
        if index % chunk == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


class AgencyDashboardExportApi(APIView):
    @extend_schema(
        tags=TAGS, parameters=[DAYS_PARAMETER], responses={(200, "text/csv"): OpenApiTypes.STR}
    )
    def get(self, request: Request, agency_id: int) -> StreamingHttpResponse:
        """The dashboard as CSV (UTF-8), one row per creator."""
        period, rows = _dashboard(request, agency_id)
        response = StreamingHttpResponse(_csv(rows), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = (
            f'attachment; filename="agency-{agency_id}-{period.start}-{period.end}.csv"'
        )
        return response


# --- The creator's side ---------------------------------------------------------------------


class MyContractListApi(ListAPIView):
    """My contracts and contract requests, newest first."""

    serializer_class = s.AgencyContractSerializer
    queryset = AgencyContract.objects.none()

    def get_queryset(self) -> QuerySet:
        return selectors.contracts_for_creator(user=self.request.user)

    @extend_schema(tags=TAGS)
    def get(self, request: Request, *args: object, **kwargs: object) -> Response:
        """My contracts and requests, newest first."""
        return super().get(request, *args, **kwargs)


class _CreatorContractAction(APIView):
    throttle_classes = [WriteRateThrottle]
    action_service: Any = None

    def _act(self, request: Request, contract_id: int) -> Response:
        contract = type(self).action_service(contract_id=contract_id, user=request.user)
        return Response(_contract(contract))


class ContractAcceptApi(_CreatorContractAction):
    action_service = staticmethod(services.contract_accept)

    @extend_schema(tags=TAGS, request=None, responses=s.AgencyContractSerializer)
    def post(self, request: Request, contract_id: int) -> Response:
        """Sign: one running contract per creator (409 ``contract.creator_signed``)."""
        return self._act(request, contract_id)


class ContractDeclineApi(_CreatorContractAction):
    action_service = staticmethod(services.contract_decline)

    @extend_schema(tags=TAGS, request=None, responses=s.AgencyContractSerializer)
    def post(self, request: Request, contract_id: int) -> Response:
        """Decline a contract request."""
        return self._act(request, contract_id)


class ContractTerminateApi(_CreatorContractAction):
    action_service = staticmethod(services.contract_terminate_by_creator)

    @extend_schema(tags=TAGS, request=None, responses=s.AgencyContractSerializer)
    def post(self, request: Request, contract_id: int) -> Response:
        """Ask to end my contract, or accept the agency's request to.

        Unanswered, a termination is approved automatically after 7 days."""
        return self._act(request, contract_id)
