"""Commerce over HTTP for creators and buyers: the pool, showcase, samples, tags, links,
orders, commissions, returns per note and recommendations; and the public product pages."""

import csv
import hashlib
import io

from django.conf import settings
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.exceptions import AuthenticationFailed
from rest_framework.generics import ListAPIView
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView
from rest_framework_simplejwt.authentication import JWTAuthentication
from rest_framework_simplejwt.exceptions import InvalidToken, TokenError

from apps.analytics import metrics_commerce
from apps.commerce import selectors
from apps.commerce.api import serializers as s
from apps.commerce.api.pagination import IdCursorPagination
from apps.commerce.models import Commission, Order, Product, SampleRequest
from apps.commerce.recommendations import bought_together, picks_for_creator
from apps.commerce.returns import note_returns
from apps.commerce.services import checkout, links, orders, pool
from apps.core.errors import DomainError
from apps.core.idempotency import IDEMPOTENCY_KEY_PARAMETER, idempotent
from apps.core.negotiation import JsonErrorsNegotiation

TAGS_PRODUCTS = ["products"]
TAGS_CREATOR = ["creator commerce"]
TAGS_ORDERS = ["orders"]


class ProductListApi(ListAPIView):
    """Products on sale, newest first; filter by store or category."""

    permission_classes = [AllowAny]
    serializer_class = s.ProductCardSerializer
    pagination_class = IdCursorPagination
    queryset = Product.objects.none()

    def get_queryset(self) -> QuerySet[Product]:
        query = s.ProductListQuerySerializer(data=self.request.query_params)
        query.is_valid(raise_exception=True)
        return selectors.products_on_sale(
            store_id=query.validated_data.get("store"),
            category_id=query.validated_data.get("category"),
        )

    @extend_schema(tags=TAGS_PRODUCTS, parameters=[s.ProductListQuerySerializer])
    def get(self, request: Request, *args: object, **kwargs: object) -> Response:
        """Products on sale, newest first."""
        return super().get(request, *args, **kwargs)


class ProductDetailApi(APIView):
    permission_classes = [AllowAny]

    @extend_schema(tags=TAGS_PRODUCTS, responses=s.ProductDetailSerializer)
    def get(self, request: Request, product_id: int) -> Response:
        """A product on sale."""
        return Response(
            s.ProductDetailSerializer(selectors.product_on_sale(product_id=product_id)).data
        )


class BoughtTogetherApi(APIView):
    permission_classes = [AllowAny]

    @extend_schema(tags=TAGS_PRODUCTS, responses=s.RecommendedProductSerializer(many=True))
    def get(self, request: Request, product_id: int) -> Response:
        """Products bought together with this one (computed nightly from orders)."""
        selectors.product_on_sale(product_id=product_id)
        return Response(s.RecommendedProductSerializer(bought_together(product_id), many=True).data)


class PoolApi(ListAPIView):
    """The selection pool for the signed-in creator, with their own rate; filters."""

    serializer_class = s.PoolProductSerializer
    pagination_class = IdCursorPagination
    queryset = Product.objects.none()

    def get_queryset(self) -> QuerySet[Product]:
        query = s.PoolQuerySerializer(data=self.request.query_params)
        query.is_valid(raise_exception=True)
        return selectors.pool_for_creator(creator=self.request.user, filters=query.validated_data)

    @extend_schema(tags=TAGS_CREATOR, parameters=[s.PoolQuerySerializer])
    def get(self, request: Request, *args: object, **kwargs: object) -> Response:
        """Products a creator may pick, with their rate."""
        return super().get(request, *args, **kwargs)


class ShowcaseApi(ListAPIView):
    """My showcase (GET) and adding a pool product to it (POST)."""

    serializer_class = s.ShowcaseItemSerializer
    pagination_class = IdCursorPagination
    queryset = Product.objects.none()

    def get_queryset(self) -> QuerySet:
        return selectors.showcase_of(creator=self.request.user)

    @extend_schema(tags=TAGS_CREATOR)
    def get(self, request: Request, *args: object, **kwargs: object) -> Response:
        """My showcase, newest first."""
        return super().get(request, *args, **kwargs)

    @extend_schema(
        tags=TAGS_CREATOR, request=s.ProductIdSerializer, responses={201: s.ShowcaseItemSerializer}
    )
    def post(self, request: Request) -> Response:
        """Add a product from the pool to my showcase."""
        data = s.ProductIdSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        item = pool.showcase_add(creator=request.user, **data.validated_data)
        found = selectors.showcase_of(creator=request.user).get(pk=item.pk)
        return Response(s.ShowcaseItemSerializer(found).data, status=status.HTTP_201_CREATED)


class ShowcaseItemApi(APIView):
    @extend_schema(tags=TAGS_CREATOR, responses={204: None})
    def delete(self, request: Request, product_id: int) -> Response:
        """Remove a product from my showcase."""
        pool.showcase_remove(creator=request.user, product_id=product_id)
        return Response(status=status.HTTP_204_NO_CONTENT)


class ProductSampleApi(APIView):
    @extend_schema(tags=TAGS_CREATOR, request=None, responses={201: s.SampleSerializer})
    def post(self, request: Request, product_id: int) -> Response:
        """Ask the store for a free sample of a pool product."""
        sample = pool.sample_request(creator=request.user, product_id=product_id)
        return Response(s.SampleSerializer(sample).data, status=status.HTTP_201_CREATED)


class MySampleListApi(ListAPIView):
    """My sample requests."""

    serializer_class = s.SampleSerializer
    pagination_class = IdCursorPagination
    queryset = SampleRequest.objects.none()

    def get_queryset(self) -> QuerySet[SampleRequest]:
        return selectors.creator_samples(creator=self.request.user)

    @extend_schema(tags=TAGS_CREATOR)
    def get(self, request: Request, *args: object, **kwargs: object) -> Response:
        """My sample requests."""
        return super().get(request, *args, **kwargs)


class MySampleReceiveApi(APIView):
    @extend_schema(tags=TAGS_CREATOR, request=None, responses=s.SampleSerializer)
    def post(self, request: Request, sample_id: int) -> Response:
        """Confirm a shipped sample arrived."""
        sample = pool.sample_receive(creator=request.user, sample_id=sample_id)
        return Response(s.SampleSerializer(sample).data)


class NoteProductsApi(APIView):
    @extend_schema(
        tags=TAGS_CREATOR, request=s.NoteProductsSerializer, responses=s.NoteProductsSerializer
    )
    def put(self, request: Request, note_id: int) -> Response:
        """Tag up to five showcase products in my note (replaces its tags)."""
        data = s.NoteProductsSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        ids = pool.note_products_set(creator=request.user, note_id=note_id, **data.validated_data)
        return Response({"product_ids": ids})


def _short_url(request: Request, code: str) -> str:
    return request.build_absolute_uri(f"/l/{code}")


class MyLinkApi(APIView):
    @extend_schema(tags=TAGS_CREATOR, request=s.LinkInputSerializer, responses=s.LinkSerializer)
    def post(self, request: Request) -> Response:
        """My tracked link for a showcase product, optionally for one of my notes."""
        data = s.LinkInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        code = links.tracked_link(
            creator_id=request.user.pk,
            product_id=data.validated_data["product_id"],
            note_id=data.validated_data.get("note_id"),
        )
        return Response({"code": code, "url": _short_url(request, code)})


class OrderCreateApi(APIView):
    @extend_schema(
        tags=TAGS_ORDERS,
        request=s.OrderInputSerializer,
        responses={201: s.OrderSerializer},
        parameters=[IDEMPOTENCY_KEY_PARAMETER],
    )
    @idempotent
    def post(self, request: Request) -> Response:
        """Buy products of one store, paid from my wallet."""
        data = s.OrderInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        order = checkout.order_checkout(
            buyer=request.user,
            store_id=data.validated_data["store_id"],
            items=[(i["product_id"], i["quantity"]) for i in data.validated_data["items"]],
        )
        found = selectors.buyer_order(buyer=request.user, order_id=order.pk)
        return Response(s.OrderSerializer(found).data, status=status.HTTP_201_CREATED)


class MyOrderListApi(ListAPIView):
    """My orders, newest first."""

    serializer_class = s.OrderSerializer
    pagination_class = IdCursorPagination
    queryset = Order.objects.none()

    def get_queryset(self) -> QuerySet[Order]:
        return selectors.buyer_orders(buyer=self.request.user)

    @extend_schema(tags=TAGS_ORDERS)
    def get(self, request: Request, *args: object, **kwargs: object) -> Response:
        """My orders, newest first."""
        return super().get(request, *args, **kwargs)


class MyOrderDetailApi(APIView):
    @extend_schema(tags=TAGS_ORDERS, responses=s.OrderSerializer)
    def get(self, request: Request, order_id: int) -> Response:
        """One of my orders."""
        return Response(
            s.OrderSerializer(selectors.buyer_order(buyer=request.user, order_id=order_id)).data
        )


class MyOrderActionApi(APIView):
    @extend_schema(
        tags=TAGS_ORDERS, request=s.BuyerOrderActionSerializer, responses=s.OrderSerializer
    )
    def post(self, request: Request, order_id: int) -> Response:
        """Confirm receipt (opens the return window) or ask for a refund."""
        data = s.BuyerOrderActionSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        if data.validated_data["action"] == "confirm_receipt":
            orders.order_deliver(user=request.user, order_id=order_id)
        else:
            orders.order_refund_request(buyer=request.user, order_id=order_id)
        return Response(
            s.OrderSerializer(selectors.buyer_order(buyer=request.user, order_id=order_id)).data
        )


class MyCommissionListApi(ListAPIView):
    """My commissions, newest first; filter by state."""

    serializer_class = s.CommissionSerializer
    pagination_class = IdCursorPagination
    queryset = Commission.objects.none()

    def get_queryset(self) -> QuerySet[Commission]:
        query = s.CommissionQuerySerializer(data=self.request.query_params)
        query.is_valid(raise_exception=True)
        return selectors.creator_commissions(
            creator=self.request.user, status=query.validated_data.get("status")
        )

    @extend_schema(tags=TAGS_CREATOR, parameters=[s.CommissionQuerySerializer])
    def get(self, request: Request, *args: object, **kwargs: object) -> Response:
        """My commissions, newest first."""
        return super().get(request, *args, **kwargs)


class MyCommissionDashboardApi(APIView):
    @extend_schema(
        tags=TAGS_CREATOR,
        parameters=[s.DashboardQuerySerializer],
        responses=s.CommissionDashboardSerializer,
    )
    def get(self, request: Request) -> Response:
        """My commerce figures and commission by state."""
        query = s.DashboardQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        days = query.validated_data["days"]
        figures = metrics_commerce.creator_dashboard(creator_id=request.user.pk, days=days)
        sums = selectors.commission_sums(creator_id=request.user.pk)
        return Response(s.CommissionDashboardSerializer({"days": days, **figures, **sums}).data)


class MyNoteReturnsApi(APIView):
    content_negotiation_class = JsonErrorsNegotiation

    @extend_schema(
        tags=TAGS_CREATOR,
        parameters=[s.NoteReturnsQuerySerializer],
        responses={200: s.NoteReturnSerializer(many=True), (200, "text/csv"): OpenApiTypes.STR},
    )
    def get(self, request: Request) -> Response | HttpResponse:
        """Each of my notes' income (commission, cooperation fee) beside its promotion spend."""
        query = s.NoteReturnsQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        rows = note_returns(creator=request.user, days=query.validated_data["days"])
        if query.validated_data["output"] != "csv":
            return Response(s.NoteReturnSerializer(rows, many=True).data)
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        fields = list(s.NoteReturnSerializer().fields)
        writer.writerow(fields)
        for row in rows:
            writer.writerow([_cell(row[field]) for field in fields])
        response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="note-returns.csv"'
        return response


def _cell(value: object) -> object:
    """Text cells starting with = + - @ are neutralised (spreadsheet formulas)."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@"):
        return "'" + value
    return value


class MyProductRecommendationsApi(APIView):
    @extend_schema(tags=TAGS_CREATOR, responses=s.RecommendedProductSerializer(many=True))
    def get(self, request: Request) -> Response:
        """Products to pick: fit with my audience and the products' conversion."""
        return Response(
            s.RecommendedProductSerializer(picks_for_creator(request.user.pk), many=True).data
        )


def _visitor(request: HttpRequest, user: object | None) -> str:
    if user is not None:
        return f"u{user.pk}"
    raw = f"{request.META.get('REMOTE_ADDR', '')}|{request.META.get('HTTP_USER_AGENT', '')}"
    return "a" + hashlib.sha256(raw.encode()).hexdigest()[:32]


def _signed_in(request: HttpRequest) -> object | None:
    """The visitor's account: a session (web), or the app's bearer token when it sends one;
    a bad token is an anonymous click, never an error."""
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return user
    try:
        found = JWTAuthentication().authenticate(request)
    except (InvalidToken, AuthenticationFailed, TokenError):
        return None
    return found[0] if found else None


def link_redirect(request: HttpRequest, code: str) -> HttpResponse:
    """``GET /l/<code>``: count the click (once per visitor per 30 minutes; bots never) and
    redirect to the product. Outside the API: a browser follows it."""
    if request.method not in ("GET", "HEAD"):
        return HttpResponse("Method not allowed.", status=405, content_type="text/plain")
    user = _signed_in(request)
    try:
        outcome = links.link_click(
            code=code,
            buyer_id=user.pk if user is not None else None,
            visitor=_visitor(request, user),
            user_agent=request.META.get("HTTP_USER_AGENT", ""),
        )
    except DomainError:
        return HttpResponse("Unknown link.", status=404, content_type="text/plain")
    target = settings.COMMERCE_PRODUCT_URL.format(product_id=outcome.product_id)
    return HttpResponseRedirect(target)
