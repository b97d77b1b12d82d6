"""Request and response shapes of the commerce API. Money is integer fen, rates basis points."""

from rest_framework import serializers

from apps.commerce.models import (
    RATE_MAX_BP,
    RATE_MIN_BP,
    Commission,
    CommissionStatus,
    Order,
    OrderLine,
    Plan,
    Product,
    SampleRequest,
    Store,
)
from apps.commerce.services.catalog import MAX_PRICE_FEN, MAX_STOCK
from apps.commerce.services.checkout import MAX_LINES, MAX_QUANTITY
from apps.commerce.services.pool import MAX_TAGS
from apps.core.serializers import StrictCharField

MAX_ID = 2**63 - 1
FEN = "Integer fen (1 yuan = 100 fen)."
RATE = "Basis points: 100 = 1 %, 8000 = 80 %."


def _id(**kwargs: object) -> serializers.IntegerField:
    return serializers.IntegerField(min_value=1, max_value=MAX_ID, **kwargs)


def _rate() -> serializers.IntegerField:
    return serializers.IntegerField(min_value=RATE_MIN_BP, max_value=RATE_MAX_BP, help_text=RATE)


class StoreSerializer(serializers.ModelSerializer):
    organisation_id = serializers.IntegerField(read_only=True)

    class Meta:
        model = Store
        fields = ("id", "organisation_id", "name", "description", "created_at")


class StoreInputSerializer(serializers.Serializer):
    name = StrictCharField(max_length=60)
    description = StrictCharField(max_length=500, required=False, allow_blank=True)


class StoreRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class ProductCardSerializer(serializers.ModelSerializer):
    """A product as a card: what lists, note tags and live shelves show."""

    store = StoreRefSerializer()
    category_id = serializers.IntegerField(allow_null=True)
    price = serializers.IntegerField(help_text=FEN)
    open_rate_bp = serializers.IntegerField(
        allow_null=True, help_text="The open plan's rate, null outside the pool."
    )
    cover = serializers.SerializerMethodField(help_text="The cover thumbnail's path, or null.")

    class Meta:
        model = Product
        fields = (
            "id",
            "title",
            "price",
            "cover",
            "category_id",
            "status",
            "stock",
            "sales",
            "store",
            "open_rate_bp",
            "created_at",
        )

    def get_cover(self, product: Product) -> str | None:
        return product.cover.url if product.cover else None


class ProductDetailSerializer(ProductCardSerializer):
    images = serializers.SerializerMethodField()

    class Meta(ProductCardSerializer.Meta):
        fields = (*ProductCardSerializer.Meta.fields, "description", "images")

    def get_images(self, product: Product) -> list[str]:
        return [image.file.url for image in product.images.all()]


class ProductInputSerializer(serializers.Serializer):
    title = StrictCharField(max_length=80)
    description = StrictCharField(max_length=2000, required=False, allow_blank=True)
    category = _id(required=False, allow_null=True)
    price = serializers.IntegerField(min_value=1, max_value=MAX_PRICE_FEN, help_text=FEN)
    stock = serializers.IntegerField(min_value=0, max_value=MAX_STOCK, required=False)


class ProductUpdateSerializer(ProductInputSerializer):
    title = StrictCharField(max_length=80, required=False)
    price = serializers.IntegerField(
        min_value=1, max_value=MAX_PRICE_FEN, help_text=FEN, required=False
    )


class ProductActionSerializer(serializers.Serializer):
    action = serializers.ChoiceField(choices=["publish", "withdraw"])


class ImageUploadSerializer(serializers.Serializer):
    image = serializers.ImageField(help_text="JPEG, PNG or WebP.")


class ImageSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    url = serializers.CharField(source="file.url")
    width = serializers.IntegerField()
    height = serializers.IntegerField()
    position = serializers.IntegerField()


class PlanSerializer(serializers.ModelSerializer):
    creator_id = serializers.IntegerField(allow_null=True)
    rate_bp = serializers.IntegerField(help_text=RATE)

    class Meta:
        model = Plan
        fields = (
            "id",
            "kind",
            "creator_id",
            "rate_bp",
            "starts_at",
            "ends_at",
            "is_active",
            "created_at",
        )


class OpenPlanInputSerializer(serializers.Serializer):
    rate_bp = _rate()


class TargetedPlanInputSerializer(serializers.Serializer):
    creator_id = _id()
    rate_bp = _rate()
    starts_at = serializers.DateTimeField(required=False, allow_null=True)
    ends_at = serializers.DateTimeField(required=False, allow_null=True)


class PoolProductSerializer(ProductCardSerializer):
    rate_bp = serializers.IntegerField(help_text="Your rate: a targeted plan's, else the open one.")

    class Meta(ProductCardSerializer.Meta):
        fields = (*ProductCardSerializer.Meta.fields, "rate_bp")


class PoolQuerySerializer(serializers.Serializer):
    category = _id(required=False)
    min_rate_bp = serializers.IntegerField(min_value=0, max_value=RATE_MAX_BP, required=False)
    min_price = serializers.IntegerField(min_value=0, max_value=MAX_PRICE_FEN, required=False)
    max_price = serializers.IntegerField(min_value=0, max_value=MAX_PRICE_FEN, required=False)
    min_sales = serializers.IntegerField(min_value=0, max_value=MAX_ID, required=False)


class ShowcaseItemSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    product = ProductCardSerializer()
    created_at = serializers.DateTimeField()


class ProductIdSerializer(serializers.Serializer):
    product_id = _id()


class SampleSerializer(serializers.ModelSerializer):
    creator_id = serializers.IntegerField()
    product_id = serializers.IntegerField()

    class Meta:
        model = SampleRequest
        fields = ("id", "creator_id", "product_id", "status", "created_at", "updated_at")


class SampleDecisionSerializer(serializers.Serializer):
    action = serializers.ChoiceField(choices=["approve", "decline", "ship"])


class NoteProductsSerializer(serializers.Serializer):
    product_ids = serializers.ListField(child=_id(), max_length=MAX_TAGS, allow_empty=True)


class LinkInputSerializer(serializers.Serializer):
    product_id = _id()
    note_id = _id(required=False, allow_null=True)


class LinkSerializer(serializers.Serializer):
    code = serializers.CharField()
    url = serializers.CharField(help_text="The short link to share.")


class OrderItemSerializer(serializers.Serializer):
    product_id = _id()
    quantity = serializers.IntegerField(min_value=1, max_value=MAX_QUANTITY)


class OrderInputSerializer(serializers.Serializer):
    store_id = _id()
    items = serializers.ListField(child=OrderItemSerializer(), min_length=1, max_length=MAX_LINES)


class OrderLineSerializer(serializers.ModelSerializer):
    product_id = serializers.IntegerField()
    unit_price = serializers.IntegerField(help_text=FEN)
    amount = serializers.IntegerField(help_text=FEN)

    class Meta:
        model = OrderLine
        fields = ("product_id", "quantity", "unit_price", "amount")


class OrderSerializer(serializers.ModelSerializer):
    """An order as its buyer sees it."""

    store_id = serializers.IntegerField()
    total = serializers.IntegerField(help_text=FEN)
    lines = OrderLineSerializer(many=True)

    class Meta:
        model = Order
        fields = (
            "id",
            "store_id",
            "status",
            "total",
            "lines",
            "created_at",
            "delivered_at",
            "return_deadline",
            "closed_at",
        )


class StoreOrderSerializer(OrderSerializer):
    """An order as the store sees it: with the buyer and the attribution."""

    buyer_id = serializers.IntegerField()
    creator_id = serializers.IntegerField(allow_null=True)
    source_note_id = serializers.IntegerField(allow_null=True)
    source_room_id = serializers.IntegerField(allow_null=True)
    commission_total = serializers.IntegerField(help_text=FEN)

    class Meta(OrderSerializer.Meta):
        fields = (
            *OrderSerializer.Meta.fields,
            "buyer_id",
            "creator_id",
            "source_note_id",
            "source_room_id",
            "commission_total",
        )


class StoreOrderActionSerializer(serializers.Serializer):
    action = serializers.ChoiceField(choices=["ship", "deliver", "refund"])


class BuyerOrderActionSerializer(serializers.Serializer):
    action = serializers.ChoiceField(choices=["confirm_receipt", "request_refund"])


class CommissionSerializer(serializers.ModelSerializer):
    order_id = serializers.IntegerField()
    amount = serializers.IntegerField(help_text=FEN)

    class Meta:
        model = Commission
        fields = ("id", "order_id", "amount", "status", "created_at", "closed_at")


class CommerceFiguresSerializer(serializers.Serializer):
    clicks = serializers.IntegerField()
    add_to_cart = serializers.IntegerField()
    orders = serializers.IntegerField()
    gmv = serializers.IntegerField(help_text=FEN)
    conversion_rate = serializers.FloatField(allow_null=True, help_text="Orders per click.")


class ProductFiguresSerializer(CommerceFiguresSerializer):
    product_id = serializers.IntegerField()
    title = serializers.CharField()


class StoreDashboardSerializer(serializers.Serializer):
    days = serializers.IntegerField()
    totals = CommerceFiguresSerializer()
    products = ProductFiguresSerializer(many=True)


class CommissionDashboardSerializer(serializers.Serializer):
    days = serializers.IntegerField()
    totals = CommerceFiguresSerializer()
    pending = serializers.IntegerField(help_text=FEN)
    settled = serializers.IntegerField(help_text=FEN)
    reversed = serializers.IntegerField(help_text=FEN)
    commission = serializers.IntegerField(help_text="Commission of the period's orders, fen.")


class DashboardQuerySerializer(serializers.Serializer):
    days = serializers.IntegerField(min_value=1, max_value=90, default=30)


class NoteReturnsQuerySerializer(DashboardQuerySerializer):
    output = serializers.ChoiceField(
        choices=["json", "csv"], default="json", help_text="csv: a spreadsheet download."
    )


class NoteReturnSerializer(serializers.Serializer):
    note_id = serializers.IntegerField()
    title = serializers.CharField()
    commission = serializers.IntegerField(help_text=FEN)
    cooperation_fee = serializers.IntegerField(help_text=FEN)
    promotion_spend = serializers.IntegerField(help_text=FEN)
    net = serializers.IntegerField(help_text="Income minus spend, fen.")
    return_ratio = serializers.FloatField(
        allow_null=True, help_text="Income per fen of spend (null without spend)."
    )


class RecommendedProductSerializer(ProductCardSerializer):
    score = serializers.FloatField()

    class Meta(ProductCardSerializer.Meta):
        fields = (*ProductCardSerializer.Meta.fields, "score")


class ProductListQuerySerializer(serializers.Serializer):
    store = _id(required=False)
    category = _id(required=False)


class CommissionQuerySerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=CommissionStatus.choices, required=False)
