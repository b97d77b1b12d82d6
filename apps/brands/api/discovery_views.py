"""Discovery and data cards for members of a verified brand (any role).

Every route fetches the organisation through ``get_brand_for_member``: an outsider gets 404, a
member of an MCN agency 403, a member of a brand not yet verified 409. Creators appear only
while listed (opted in and eligible); any other creator id is 404.
"""

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.generics import ListAPIView
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.analytics.days import local_today
from apps.brands import data_card, discovery
from apps.brands.api import discovery_serializers as s
from apps.brands.profile_models import RATE_FIELDS, CreatorDiscoveryRow
from apps.core.pagination import CreatedCursorPagination

TAGS = ["brand cooperation"]
ORGANISATION_ID = OpenApiParameter(
    "organisation_id",
    OpenApiTypes.INT64,
    OpenApiParameter.PATH,
    description="A verified brand you are a member of.",
)


class DiscoveryPagination(CreatedCursorPagination):
    """Cursor pages in the order the request's sort asks for (``view.ordering``)."""

    def get_ordering(self, request: Request, queryset: QuerySet, view: Any) -> tuple[str, ...]:
        return getattr(view, "ordering", ("-fit_score", "-creator_id"))


def _card(row: dict[str, Any], slugs: dict[int, str], today: Any) -> dict[str, Any]:
    regions = sorted(row["region_shares"].items(), key=lambda item: (-item[1], item[0]))
    return {
        "creator_id": row["creator_id"],
        "display_name": row["display_name"],
        "fans": row["fans"],
        "categories": [slugs[c] for c in row["category_ids"] if c in slugs],
        "rates": {name: row[field] for name, field in RATE_FIELDS.items()},
        "availability": discovery.effective_availability(
            row["availability"], row["busy_until"], today
        ),
        "busy_until": row["busy_until"],
        "female_share": row["female_share"],
        "male_share": row["male_share"],
        "regions": [{"region": region, "share": share} for region, share in regions],
        "engagement_rate": row["engagement_rate"],
        "authenticity_score": row["authenticity_score"],
        "fit_score": row["fit_score"],
    }


class DiscoveryCreatorListApi(ListAPIView):
    serializer_class = s.DiscoveryCreatorSerializer
    pagination_class = DiscoveryPagination
    queryset = CreatorDiscoveryRow.objects.none()

    @extend_schema(
        operation_id="organisations_discovery_creators_list",
        tags=TAGS,
        parameters=[ORGANISATION_ID, s.DiscoveryQuerySerializer],
    )
    def get(self, request: Request, organisation_id: int) -> Response:
        """Listed creators matching the filters, in the sort's order (cursor pages)."""
        discovery.get_brand_for_member(user=request.user, organisation_id=organisation_id)
        params = s.DiscoveryQuerySerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        query = params.query()
        self.ordering = query.ordering()
        today = local_today()
        page = self.paginate_queryset(discovery.discovery_rows(query=query, today=today))
        slugs = discovery.category_slugs(page)
        rows = [_card(row, slugs, today) for row in page]
        return self.get_paginated_response(s.DiscoveryCreatorSerializer(rows, many=True).data)


class DiscoveryCreatorCardApi(APIView):
    @extend_schema(
        operation_id="organisations_discovery_creators_retrieve",
        tags=TAGS,
        parameters=[
            ORGANISATION_ID,
            OpenApiParameter(
                "creator_id",
                OpenApiTypes.INT64,
                OpenApiParameter.PATH,
                description="A listed creator.",
            ),
        ],
        responses=s.DataCardSerializer,
    )
    def get(self, request: Request, organisation_id: int, creator_id: int) -> Response:
        """A listed creator's data card: fans, audience, recent notes, cooperations, authenticity.

        Demographic buckets that could hold fewer than 50 people are withheld.
        """
        discovery.get_brand_for_member(user=request.user, organisation_id=organisation_id)
        card = data_card.data_card(creator_id=creator_id)
        return Response(s.DataCardSerializer(card).data)
