from __future__ import annotations

from decimal import Decimal

from django.core.validators import MinValueValidator
from django.db import models
from django.urls import reverse

from core.money import format_money


class Channel(models.Model):
    """A group of resellers sharing a catalog, prices and invoicing rules."""

    name = models.CharField(max_length=100, unique=True)
    slug = models.SlugField(max_length=100, unique=True)
    currency = models.CharField(max_length=3, default="USD", help_text="ISO 4217 code, e.g. USD.")
    is_active = models.BooleanField("active", default=True)
    is_default = models.BooleanField(
        "default channel",
        default=False,
        help_text="New enrollments wait here until staff approve them.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    # Bumped by every change through the services; edit forms send it back (core.concurrency).
    version = models.PositiveIntegerField(default=1, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["is_default"],
                condition=models.Q(is_default=True),
                name="channels_single_default_channel",
            )
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("backoffice:channel_edit", args=[self.pk])


class Product(models.Model):
    sku = models.CharField("SKU", max_length=64, unique=True)
    title = models.CharField(max_length=255)
    description = models.TextField(blank=True)
    cost = models.DecimalField(
        max_digits=12, decimal_places=2, default=Decimal("0"), validators=[MinValueValidator(0)]
    )
    msrp = models.DecimalField(
        "MSRP",
        max_digits=12,
        decimal_places=2,
        default=Decimal("0"),
        validators=[MinValueValidator(0)],
    )
    weight = models.DecimalField(
        "weight (lb)",
        max_digits=10,
        decimal_places=3,
        default=Decimal("0"),
        validators=[MinValueValidator(0)],
    )
    stock = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    # Bumped by every change through the services; edit forms send it back (core.concurrency).
    version = models.PositiveIntegerField(default=1, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["sku"]

    def __str__(self) -> str:
        return f"{self.sku} — {self.title}"


class Listing(models.Model):
    """A product offered on one channel at that channel's price."""

    channel = models.ForeignKey(Channel, on_delete=models.CASCADE, related_name="listings")
    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="listings")
    price = models.DecimalField(
        max_digits=12, decimal_places=2, validators=[MinValueValidator(Decimal("0"))]
    )
    is_active = models.BooleanField("active", default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # Bumped by every change through the services; edit forms send it back (core.concurrency).
    version = models.PositiveIntegerField(default=1, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["channel", "product__sku"]
        # Incremental catalog reads (`updated_since`) walk this index in keyset order.
        indexes = [
            models.Index(fields=["channel", "updated_at", "id"], name="channels_listing_changes")
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["channel", "product"], name="channels_one_listing_per_product"
            )
        ]

    def __str__(self) -> str:
        return f"{self.product.sku} on {self.channel} at {format_money(self.price)}"
