"""Gifts, the product shelf and post-live reports."""

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.generics import ListAPIView
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.core.idempotency import IDEMPOTENCY_KEY_PARAMETER, idempotent
from apps.live import selectors, services
from apps.live.api import serializers as s
from apps.live.api.room_views import TAGS, validated
from apps.live.models import GiftKind, Report


@extend_schema(tags=TAGS)
class GiftKindListApi(ListAPIView):
    """The gift catalogue, cheapest first."""

    serializer_class = s.GiftKindSerializer
    pagination_class = None
    queryset = GiftKind.objects.none()

    def get_queryset(self) -> QuerySet:
        return GiftKind.objects.filter(active=True).order_by("price", "id")


class RoomGiftSendApi(APIView):
    @extend_schema(
        tags=TAGS,
        parameters=[IDEMPOTENCY_KEY_PARAMETER],
        request=s.GiftSendSerializer,
        responses={201: s.RoomGiftSerializer},
    )
    @idempotent
    def post(self, request: Request, room_id: int) -> Response:
        """Send a gift to the host from my wallet (shown in the room's chat)."""
        data = validated(s.GiftSendSerializer, request.data)
        room_gift = services.gift_send(
            room_id=room_id,
            sender=request.user,
            key=request.headers["Idempotency-Key"],
            **data,
        )
        return Response(s.RoomGiftSerializer(room_gift).data, status=status.HTTP_201_CREATED)


def _shelf(room_id: int) -> list:
    room = selectors.room_get(room_id=room_id)
    items = services.shelf_cards(room=room, items=selectors.shelf_items(room_id=room.pk))
    return s.ShelfItemSerializer(items, many=True).data


class ShelfApi(APIView):
    @extend_schema(tags=TAGS, responses=s.ShelfItemSerializer(many=True))
    def get(self, request: Request, room_id: int) -> Response:
        """The room's shelf in order, with commerce's product cards."""
        return Response(_shelf(room_id))

    @extend_schema(
        tags=TAGS,
        request=s.ShelfProductsSerializer,
        responses={201: s.ShelfItemSerializer(many=True)},
    )
    def post(self, request: Request, room_id: int) -> Response:
        """Add products from my showcase to my room's shelf (host only)."""
        room = selectors.room_for_host(room_id=room_id, host=request.user)
        data = validated(s.ShelfProductsSerializer, request.data)
        services.shelf_add(room=room, product_ids=data["product_ids"])
        return Response(_shelf(room.pk), status=status.HTTP_201_CREATED)


class ShelfOrderApi(APIView):
    @extend_schema(
        tags=TAGS, request=s.ShelfProductsSerializer, responses=s.ShelfItemSerializer(many=True)
    )
    def put(self, request: Request, room_id: int) -> Response:
        """Reorder my room's shelf: every product on it, once, in the new order."""
        room = selectors.room_for_host(room_id=room_id, host=request.user)
        data = validated(s.ShelfProductsSerializer, request.data)
        services.shelf_reorder(room=room, product_ids=data["product_ids"])
        return Response(_shelf(room.pk))


class ShelfPinApi(APIView):
    @extend_schema(
        tags=TAGS, request=s.ShelfPinSerializer, responses=s.ShelfItemSerializer(many=True)
    )
    def post(self, request: Request, room_id: int) -> Response:
        """Pin a shelf product as "explaining now" (null unpins); the room hears it."""
        room = selectors.room_for_host(room_id=room_id, host=request.user)
        data = validated(s.ShelfPinSerializer, request.data)
        services.shelf_pin(room=room, product_id=data["product_id"])
        return Response(_shelf(room.pk))


class ShelfItemApi(APIView):
    @extend_schema(tags=TAGS, responses={204: None})
    def delete(self, request: Request, room_id: int, product_id: int) -> Response:
        """Take a product off my room's shelf."""
        room = selectors.room_for_host(room_id=room_id, host=request.user)
        services.shelf_remove(room=room, product_id=product_id)
        return Response(status=status.HTTP_204_NO_CONTENT)


class RoomReportApi(APIView):
    @extend_schema(tags=TAGS, responses=s.LiveReportSerializer)
    def get(self, request: Request, room_id: int) -> Response:
        """My room's post-live report (404 until it is computed, shortly after the end)."""
        report = selectors.report_for_host(room_id=room_id, host=request.user)
        return Response(s.LiveReportSerializer(report).data)


@extend_schema(tags=TAGS)
class ReportListApi(ListAPIView):
    """My post-live reports, newest first (also shown in the creator center)."""

    serializer_class = s.LiveReportSerializer
    queryset = Report.objects.none()

    def get_queryset(self) -> QuerySet:
        return selectors.reports_of(host=self.request.user)
