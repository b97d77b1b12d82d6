"""A store over HTTP, for its organisation's members: products, plans, samples, orders.

Every route resolves the store through ``get_store_for_member``: a non-member gets 404 (as for
a missing id), a member whose role may not act 403. Owners and managers edit; every member reads.
"""

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.generics import ListAPIView
from rest_framework.parsers import MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.accounts.organisation_selectors import ALL_ROLES, get_organisation_for_member
from apps.analytics import metrics_commerce
from apps.commerce import selectors
from apps.commerce.api import serializers as s
from apps.commerce.api.pagination import IdCursorPagination
from apps.commerce.models import Order, Plan, Product, SampleRequest, Store
from apps.commerce.services import catalog, orders, pool
from apps.commerce.services.access import (
    EDIT_ROLES,
    get_product_for_member,
    get_store_for_member,
)

TAGS = ["stores"]


class OrganisationStoreListApi(ListAPIView):
    """The organisation's stores (GET, any member) and opening one (POST, owners and managers)."""

    serializer_class = s.StoreSerializer
    pagination_class = IdCursorPagination
    queryset = Store.objects.none()

    def get_queryset(self) -> QuerySet[Store]:
        organisation = get_organisation_for_member(
            user=self.request.user,
            organisation_id=self.kwargs["organisation_id"],
            roles=ALL_ROLES,
        )
        return Store.objects.filter(organisation=organisation).order_by("-id")

    @extend_schema(tags=TAGS)
    def get(self, request: Request, *args: object, **kwargs: object) -> Response:
        """The organisation's stores."""
        return super().get(request, *args, **kwargs)

    @extend_schema(tags=TAGS, request=s.StoreInputSerializer, responses={201: s.StoreSerializer})
    def post(self, request: Request, organisation_id: int) -> Response:
        """Open a store for a verified brand."""
        data = s.StoreInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        store = catalog.store_create(
            user=request.user, organisation_id=organisation_id, **data.validated_data
        )
        return Response(s.StoreSerializer(store).data, status=status.HTTP_201_CREATED)


class StoreProductListApi(ListAPIView):
    serializer_class = s.ProductCardSerializer
    pagination_class = IdCursorPagination
    queryset = Product.objects.none()

    def get_queryset(self) -> QuerySet[Product]:
        store = get_store_for_member(user=self.request.user, store_id=self.kwargs["store_id"])
        return selectors.store_products(store=store)

    @extend_schema(tags=TAGS)
    def get(self, request: Request, *args: object, **kwargs: object) -> Response:
        """Every product of the store, drafts included."""
        return super().get(request, *args, **kwargs)

    @extend_schema(
        tags=TAGS, request=s.ProductInputSerializer, responses={201: s.ProductDetailSerializer}
    )
    def post(self, request: Request, store_id: int) -> Response:
        """Create a draft product (owners and managers)."""
        data = s.ProductInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        product = catalog.product_create(
            user=request.user, store_id=store_id, **data.validated_data
        )
        store = get_store_for_member(user=request.user, store_id=store_id)
        found = selectors.store_product(store=store, product_id=product.pk)
        return Response(s.ProductDetailSerializer(found).data, status=status.HTTP_201_CREATED)


class StoreProductDetailApi(APIView):
    @extend_schema(tags=TAGS, responses=s.ProductDetailSerializer)
    def get(self, request: Request, store_id: int, product_id: int) -> Response:
        """One product of the store."""
        store = get_store_for_member(user=request.user, store_id=store_id)
        product = selectors.store_product(store=store, product_id=product_id)
        return Response(s.ProductDetailSerializer(product).data)

    @extend_schema(
        tags=TAGS, request=s.ProductUpdateSerializer, responses=s.ProductDetailSerializer
    )
    def patch(self, request: Request, store_id: int, product_id: int) -> Response:
        """Change a product's listing, price or stock (owners and managers)."""
        data = s.ProductUpdateSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        catalog.product_update(
            user=request.user, store_id=store_id, product_id=product_id, **data.validated_data
        )
        store = get_store_for_member(user=request.user, store_id=store_id)
        product = selectors.store_product(store=store, product_id=product_id)
        return Response(s.ProductDetailSerializer(product).data)


class StoreProductStatusApi(APIView):
    @extend_schema(
        tags=TAGS, request=s.ProductActionSerializer, responses=s.ProductDetailSerializer
    )
    def post(self, request: Request, store_id: int, product_id: int) -> Response:
        """Publish or withdraw a product (owners and managers)."""
        data = s.ProductActionSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        catalog.product_move(
            user=request.user, store_id=store_id, product_id=product_id, **data.validated_data
        )
        store = get_store_for_member(user=request.user, store_id=store_id)
        product = selectors.store_product(store=store, product_id=product_id)
        return Response(s.ProductDetailSerializer(product).data)


class StoreProductImageApi(APIView):
    parser_classes = [MultiPartParser]  # an upload: multipart only

    @extend_schema(
        tags=TAGS,
        request={"multipart/form-data": s.ImageUploadSerializer},
        responses={201: s.ImageSerializer},
    )
    def post(self, request: Request, store_id: int, product_id: int) -> Response:
        """Add an image to a product (at most nine; the first is the cover)."""
        get_product_for_member(
            user=request.user, store_id=store_id, product_id=product_id, roles=EDIT_ROLES
        )
        data = s.ImageUploadSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        upload = data.validated_data["image"]
        image = catalog.product_image_add(
            user=request.user,
            store_id=store_id,
            product_id=product_id,
            upload=upload,
            size=upload.size,
        )
        return Response(s.ImageSerializer(image).data, status=status.HTTP_201_CREATED)


class StoreProductPlanListApi(ListAPIView):
    """The product's commission plans (GET) and a targeted plan for one creator (POST)."""

    serializer_class = s.PlanSerializer
    pagination_class = IdCursorPagination
    queryset = Plan.objects.none()

    def get_queryset(self) -> QuerySet[Plan]:
        store = get_store_for_member(user=self.request.user, store_id=self.kwargs["store_id"])
        product = selectors.store_product(store=store, product_id=self.kwargs["product_id"])
        return selectors.product_plans(product=product)

    @extend_schema(tags=TAGS)
    def get(self, request: Request, *args: object, **kwargs: object) -> Response:
        """The product's plans, current and past."""
        return super().get(request, *args, **kwargs)

    @extend_schema(
        tags=TAGS, request=s.TargetedPlanInputSerializer, responses={201: s.PlanSerializer}
    )
    def post(self, request: Request, store_id: int, product_id: int) -> Response:
        """A targeted plan: one creator's own rate for a period (owners and managers)."""
        data = s.TargetedPlanInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        plan = pool.plan_targeted_create(
            user=request.user,
            store_id=store_id,
            product_id=product_id,
            creator_id=values["creator_id"],
            rate_bp=values["rate_bp"],
            starts_at=values.get("starts_at"),
            ends_at=values.get("ends_at"),
        )
        return Response(s.PlanSerializer(plan).data, status=status.HTTP_201_CREATED)


class StoreProductOpenPlanApi(APIView):
    @extend_schema(tags=TAGS, request=s.OpenPlanInputSerializer, responses=s.PlanSerializer)
    def put(self, request: Request, store_id: int, product_id: int) -> Response:
        """Enroll the product in the pool with an open plan, or change its rate."""
        data = s.OpenPlanInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        plan = pool.plan_open_set(
            user=request.user, store_id=store_id, product_id=product_id, **data.validated_data
        )
        return Response(s.PlanSerializer(plan).data)


class StoreSampleListApi(ListAPIView):
    """Sample requests for the store's products."""

    serializer_class = s.SampleSerializer
    pagination_class = IdCursorPagination
    queryset = SampleRequest.objects.none()

    def get_queryset(self) -> QuerySet[SampleRequest]:
        store = get_store_for_member(user=self.request.user, store_id=self.kwargs["store_id"])
        return selectors.store_samples(store=store)

    @extend_schema(tags=TAGS)
    def get(self, request: Request, *args: object, **kwargs: object) -> Response:
        """Sample requests for the store's products."""
        return super().get(request, *args, **kwargs)


class StoreSampleDecisionApi(APIView):
    @extend_schema(tags=TAGS, request=s.SampleDecisionSerializer, responses=s.SampleSerializer)
    def post(self, request: Request, store_id: int, sample_id: int) -> Response:
        """Approve, decline or ship a sample (owners and managers)."""
        data = s.SampleDecisionSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        sample = pool.sample_decide(
            user=request.user, store_id=store_id, sample_id=sample_id, **data.validated_data
        )
        return Response(s.SampleSerializer(sample).data)


class StoreOrderListApi(ListAPIView):
    """The store's orders, newest first."""

    serializer_class = s.StoreOrderSerializer
    pagination_class = IdCursorPagination
    queryset = Order.objects.none()

    def get_queryset(self) -> QuerySet[Order]:
        store = get_store_for_member(user=self.request.user, store_id=self.kwargs["store_id"])
        return selectors.store_orders(store=store)

    @extend_schema(tags=TAGS)
    def get(self, request: Request, *args: object, **kwargs: object) -> Response:
        """The store's orders, newest first."""
        return super().get(request, *args, **kwargs)


class StoreOrderDetailApi(APIView):
    @extend_schema(tags=TAGS, responses=s.StoreOrderSerializer)
    def get(self, request: Request, store_id: int, order_id: int) -> Response:
        """One of the store's orders."""
        store = get_store_for_member(user=request.user, store_id=store_id)
        return Response(
            s.StoreOrderSerializer(selectors.store_order(store=store, order_id=order_id)).data
        )


class StoreOrderActionApi(APIView):
    @extend_schema(
        tags=TAGS, request=s.StoreOrderActionSerializer, responses=s.StoreOrderSerializer
    )
    def post(self, request: Request, store_id: int, order_id: int) -> Response:
        """Ship, mark delivered, or accept a refund request (owners and managers)."""
        data = s.StoreOrderActionSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        action = data.validated_data["action"]
        arguments = {"user": request.user, "store_id": store_id, "order_id": order_id}
        if action == "ship":
            orders.order_ship(**arguments)
        elif action == "deliver":
            orders.order_deliver(**arguments)
        else:
            orders.order_refund(**arguments)
        store = get_store_for_member(user=request.user, store_id=store_id, roles=EDIT_ROLES)
        return Response(
            s.StoreOrderSerializer(selectors.store_order(store=store, order_id=order_id)).data
        )


class StoreDashboardApi(APIView):
    @extend_schema(
        tags=TAGS, parameters=[s.DashboardQuerySerializer], responses=s.StoreDashboardSerializer
    )
    def get(self, request: Request, store_id: int) -> Response:
        """Clicks, add-to-cart, orders, GMV and conversion of the store's products."""
        store = get_store_for_member(user=request.user, store_id=store_id)
        query = s.DashboardQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        days = query.validated_data["days"]
        titles = dict(Product.objects.filter(store=store).values_list("pk", "title"))
        figures = metrics_commerce.store_dashboard(product_titles=titles, days=days)
        return Response(s.StoreDashboardSerializer({"days": days, **figures}).data)
