"""Creator-center analytics for the signed-in creator: overview, fans, notes, one note, CSV.

Every figure is the requester's own: the creator is always ``request.user`` (no creator id is
ever taken from the request), and a note id that is not one of theirs is 404.
"""

from collections.abc import Iterable
from typing import Any

from django.http import StreamingHttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.core.negotiation import JsonErrorsNegotiation
from apps.creators import exports, selectors
from apps.creators.api import analytics_serializers as s

TAGS = ["creator center"]
NOTE_ID = OpenApiParameter(
    "note_id", OpenApiTypes.INT64, OpenApiParameter.PATH, description="One of your notes."
)
CSV_RESPONSE = {(200, "text/csv"): OpenApiResponse(OpenApiTypes.STR, description="CSV, UTF-8.")}


def _query(
    serializer_class: type[s.AnalyticsPeriodQuerySerializer], request: Request
) -> dict[str, Any]:
    query = serializer_class(data=request.query_params)
    query.is_valid(raise_exception=True)
    return query.validated_data


def _csv(
    filename: str, columns: list[str], rows: Iterable[dict[str, Any]]
) -> StreamingHttpResponse:
    response = StreamingHttpResponse(
        exports.csv_lines(columns, rows), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


class CreatorOverviewApi(APIView):
    @extend_schema(
        operation_id="creator_analytics_overview",
        tags=TAGS,
        parameters=[s.AnalyticsPeriodQuerySerializer],
        responses=s.AnalyticsOverviewSerializer,
    )
    def get(self, request: Request) -> Response:
        """My overview: the period's figures against the previous period's, daily, and today."""
        query = _query(s.AnalyticsPeriodQuerySerializer, request)
        data = selectors.creator_overview(creator_id=request.user.pk, period=query["range"])
        return Response(s.AnalyticsOverviewSerializer(data).data)


class CreatorOverviewExportApi(APIView):
    content_negotiation_class = JsonErrorsNegotiation

    @extend_schema(
        operation_id="creator_analytics_overview_export",
        tags=TAGS,
        parameters=[s.AnalyticsPeriodQuerySerializer],
        responses=CSV_RESPONSE,
    )
    def get(self, request: Request) -> StreamingHttpResponse:
        """My overview's daily series as CSV."""
        period = _query(s.AnalyticsPeriodQuerySerializer, request)["range"]
        data = selectors.creator_overview(creator_id=request.user.pk, period=period)
        filename = f"overview-{period.start}-{period.end}.csv"
        return _csv(filename, exports.OVERVIEW_COLUMNS, data["series"])


class CreatorFansApi(APIView):
    @extend_schema(
        operation_id="creator_analytics_fans",
        tags=TAGS,
        parameters=[s.AnalyticsPeriodQuerySerializer],
        responses=s.AnalyticsFansSerializer,
    )
    def get(self, request: Request) -> Response:
        """My fans: trend, gained and lost, active fans, demographics, sources, active hours.

        Demographic buckets that could hold fewer than 50 people are withheld.
        """
        period = _query(s.AnalyticsPeriodQuerySerializer, request)["range"]
        data = selectors.fan_analytics(creator_id=request.user.pk, period=period)
        return Response(s.AnalyticsFansSerializer(data).data)


class CreatorFansExportApi(APIView):
    content_negotiation_class = JsonErrorsNegotiation

    @extend_schema(
        operation_id="creator_analytics_fans_export",
        tags=TAGS,
        parameters=[s.AnalyticsFansExportQuerySerializer],
        responses=CSV_RESPONSE,
    )
    def get(self, request: Request) -> StreamingHttpResponse:
        """One table of my fans screen as CSV (withheld buckets have no count)."""
        query = _query(s.AnalyticsFansExportQuerySerializer, request)
        period = query["range"]
        data = selectors.fan_analytics(creator_id=request.user.pk, period=period)
        columns, rows = exports.fans_table(data, query["table"])
        return _csv(f"fans-{query['table']}-{period.start}-{period.end}.csv", columns, rows)


def _note_filters(query: dict[str, Any]) -> dict[str, Any]:
    return {
        "period": query["range"],
        "sort": query["sort"],
        "kind": query.get("kind"),
        "published_after": query.get("published_after"),
        "published_before": query.get("published_before"),
    }


class CreatorNoteListApi(APIView):
    @extend_schema(
        operation_id="creator_analytics_notes_list",
        tags=TAGS,
        parameters=[s.AnalyticsNotesListQuerySerializer],
        responses=s.AnalyticsNoteListSerializer,
    )
    def get(self, request: Request) -> Response:
        """My published notes with their figures over the period: sortable, filterable, paged."""
        query = _query(s.AnalyticsNotesListQuerySerializer, request)
        data = selectors.note_analytics_list(
            creator_id=request.user.pk,
            page=query["page"],
            page_size=query["page_size"],
            **_note_filters(query),
        )
        return Response(s.AnalyticsNoteListSerializer(data).data)


class CreatorNoteListExportApi(APIView):
    content_negotiation_class = JsonErrorsNegotiation

    @extend_schema(
        operation_id="creator_analytics_notes_export",
        tags=TAGS,
        parameters=[s.AnalyticsNotesFilterQuerySerializer],
        responses=CSV_RESPONSE,
    )
    def get(self, request: Request) -> StreamingHttpResponse:
        """My notes table as CSV: every note matching the filters, in the same order."""
        query = _query(s.AnalyticsNotesFilterQuerySerializer, request)
        period = query["range"]
        rows = selectors.note_analytics_export(creator_id=request.user.pk, **_note_filters(query))
        return _csv(f"notes-{period.start}-{period.end}.csv", exports.NOTE_COLUMNS, rows)


class CreatorNoteDetailApi(APIView):
    @extend_schema(
        operation_id="creator_analytics_note",
        tags=TAGS,
        parameters=[NOTE_ID, s.AnalyticsPeriodQuerySerializer],
        responses=s.AnalyticsNoteDetailSerializer,
    )
    def get(self, request: Request, note_id: int) -> Response:
        """One of my notes: totals, daily series, traffic sources, audience, video retention."""
        period = _query(s.AnalyticsPeriodQuerySerializer, request)["range"]
        note = selectors.get_note_for_creator(creator_id=request.user.pk, note_id=note_id)
        data = selectors.note_analytics_detail(note=note, period=period)
        return Response(s.AnalyticsNoteDetailSerializer(data).data)


class CreatorNoteExportApi(APIView):
    content_negotiation_class = JsonErrorsNegotiation

    @extend_schema(
        operation_id="creator_analytics_note_export",
        tags=TAGS,
        parameters=[NOTE_ID, s.AnalyticsNoteExportQuerySerializer],
        responses=CSV_RESPONSE,
    )
    def get(self, request: Request, note_id: int) -> StreamingHttpResponse:
        """One table of one of my notes' page as CSV."""
        query = _query(s.AnalyticsNoteExportQuerySerializer, request)
        period = query["range"]
        note = selectors.get_note_for_creator(creator_id=request.user.pk, note_id=note_id)
        data = selectors.note_analytics_detail(note=note, period=period)
        columns, rows = exports.note_table(data, query["table"])
        filename = f"note-{note.pk}-{query['table']}-{period.start}-{period.end}.csv"
        return _csv(filename, columns, rows)
