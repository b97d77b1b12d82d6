from django.urls import path

from apps.commerce.api import store_views as sv
from apps.commerce.api import views as v
from apps.core import converters  # noqa: F401  (registers <id:...>)

STORE = "stores/<id:store_id>"
PRODUCT = f"{STORE}/products/<id:product_id>"

urlpatterns = [
    path(
        "organisations/<id:organisation_id>/stores",
        sv.OrganisationStoreListApi.as_view(),
        name="commerce-organisation-stores",
    ),
    path(f"{STORE}/products", sv.StoreProductListApi.as_view(), name="commerce-store-products"),
    path(PRODUCT, sv.StoreProductDetailApi.as_view(), name="commerce-store-product"),
    path(
        f"{PRODUCT}/status",
        sv.StoreProductStatusApi.as_view(),
        name="commerce-store-product-status",
    ),
    path(
        f"{PRODUCT}/images", sv.StoreProductImageApi.as_view(), name="commerce-store-product-images"
    ),
    path(f"{PRODUCT}/plans", sv.StoreProductPlanListApi.as_view(), name="commerce-store-plans"),
    path(
        f"{PRODUCT}/open-plan",
        sv.StoreProductOpenPlanApi.as_view(),
        name="commerce-store-open-plan",
    ),
    path(f"{STORE}/samples", sv.StoreSampleListApi.as_view(), name="commerce-store-samples"),
    path(
        f"{STORE}/samples/<id:sample_id>/decision",
        sv.StoreSampleDecisionApi.as_view(),
        name="commerce-store-sample-decision",
    ),
    path(f"{STORE}/orders", sv.StoreOrderListApi.as_view(), name="commerce-store-orders"),
    path(
        f"{STORE}/orders/<id:order_id>",
        sv.StoreOrderDetailApi.as_view(),
        name="commerce-store-order",
    ),
    path(
        f"{STORE}/orders/<id:order_id>/action",
        sv.StoreOrderActionApi.as_view(),
        name="commerce-store-order-action",
    ),
    path(f"{STORE}/dashboard", sv.StoreDashboardApi.as_view(), name="commerce-store-dashboard"),
    path("products", v.ProductListApi.as_view(), name="commerce-products"),
    path("products/<id:product_id>", v.ProductDetailApi.as_view(), name="commerce-product"),
    path(
        "products/<id:product_id>/bought-together",
        v.BoughtTogetherApi.as_view(),
        name="commerce-product-bought-together",
    ),
    path(
        "products/<id:product_id>/samples",
        v.ProductSampleApi.as_view(),
        name="commerce-product-samples",
    ),
    path("pool", v.PoolApi.as_view(), name="commerce-pool"),
    path("me/showcase", v.ShowcaseApi.as_view(), name="commerce-showcase"),
    path("me/showcase/<id:product_id>", v.ShowcaseItemApi.as_view(), name="commerce-showcase-item"),
    path("me/samples", v.MySampleListApi.as_view(), name="commerce-my-samples"),
    path(
        "me/samples/<id:sample_id>/receive",
        v.MySampleReceiveApi.as_view(),
        name="commerce-my-sample-receive",
    ),
    path("notes/<id:note_id>/products", v.NoteProductsApi.as_view(), name="commerce-note-products"),
    path("me/links", v.MyLinkApi.as_view(), name="commerce-my-links"),
    path("orders", v.OrderCreateApi.as_view(), name="commerce-orders"),
    path("me/orders", v.MyOrderListApi.as_view(), name="commerce-my-orders"),
    path("me/orders/<id:order_id>", v.MyOrderDetailApi.as_view(), name="commerce-my-order"),
    path(
        "me/orders/<id:order_id>/action",
        v.MyOrderActionApi.as_view(),
        name="commerce-my-order-action",
    ),
    path("me/commissions", v.MyCommissionListApi.as_view(), name="commerce-my-commissions"),
    path(
        "me/commission-dashboard",
        v.MyCommissionDashboardApi.as_view(),
        name="commerce-my-commission-dashboard",
    ),
    path("me/note-returns", v.MyNoteReturnsApi.as_view(), name="commerce-my-note-returns"),
    path(
        "me/product-recommendations",
        v.MyProductRecommendationsApi.as_view(),
        name="commerce-my-product-recommendations",
    ),
]
