"""Stores, products and their images: what a brand sells on the platform."""

from django.conf import settings
from django.db import models
from django.db.models import Q

from apps.accounts.models import Category
from apps.accounts.organisation_models import Organisation


class Store(models.Model):
    """A verified brand organisation's shop; its members with an editing role manage it."""

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="stores")
    name = models.CharField(max_length=60)
    description = models.TextField(max_length=500, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organisation", "name"], name="store_unique_name"),
        ]
        indexes = [models.Index(fields=["organisation"], name="store_organisation_idx")]

    def __str__(self) -> str:
        return self.name


class ProductStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    ON_SALE = "on_sale", "On sale"
    OFF_SHELF = "off_shelf", "Off shelf"


class Product(models.Model):
    store = models.ForeignKey(Store, on_delete=models.PROTECT, related_name="products")
    title = models.CharField(max_length=80)
    description = models.TextField(max_length=2000, blank=True)
    category = models.ForeignKey(
        Category, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    price = models.PositiveIntegerField(help_text="Fen.")
    stock = models.IntegerField(default=0)
    status = models.CharField(
        max_length=10, choices=ProductStatus.choices, default=ProductStatus.DRAFT
    )
    # The first image's thumbnail, shown on cards.
    cover = models.ImageField(upload_to="products/", blank=True, max_length=200)
    sales = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            # The checkout's conditional UPDATE never lets stock below 0; this refuses any
            # other writer that would.
            models.CheckConstraint(condition=Q(stock__gte=0), name="product_stock_not_negative"),
            models.CheckConstraint(condition=Q(price__gt=0), name="product_price_positive"),
        ]
        indexes = [
            models.Index(fields=["store", "status", "-id"], name="product_store_idx"),
            models.Index(fields=["status", "category", "-sales"], name="product_browse_idx"),
            models.Index(fields=["status", "-sales", "-id"], name="product_sales_idx"),
        ]

    def __str__(self) -> str:
        return self.title


class ProductImage(models.Model):
    """One product image, checked like note images; the first one is the cover."""

    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="images")
    file = models.ImageField(upload_to="products/", max_length=200)
    thumbnail = models.ImageField(upload_to="products/", max_length=200)
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    position = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ("position",)
        constraints = [
            models.UniqueConstraint(fields=["product", "position"], name="product_image_position")
        ]

    def __str__(self) -> str:
        return f"image {self.position} of product {self.product_id}"
