from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.urls import reverse

from core.money import format_money

from .choices import StockAdjustmentKind, StockPolicy


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
    stock_policy = models.CharField(
        max_length=20,
        choices=StockPolicy.choices,
        default=StockPolicy.REFUSE,
        help_text="When an order asks for more than is available: refuse it, or accept it "
        "as a backorder.",
    )
    cancel_window_hours = models.PositiveIntegerField(
        "reseller cancel window (hours)",
        null=True,
        blank=True,
        help_text="How long after placing an order a reseller may cancel it. Empty: until it "
        "ships.",
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
    stock = models.PositiveIntegerField("stock on hand", default=0)
    # Units promised to placed orders that have not shipped yet. Only channels.services
    # changes it, with conditional UPDATEs (see stock_reserve).
    reserved = models.PositiveIntegerField(default=0, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    # Bumped by every change through the services; edit forms send it back (core.concurrency).
    version = models.PositiveIntegerField(default=1, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["sku"]

    def __str__(self) -> str:
        return f"{self.sku} — {self.title}"

    @property
    def available(self) -> int:
        """What can still be ordered: on hand minus reserved (backorders make it 0, not less)."""
        return max(self.stock - self.reserved, 0)


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


class StockAdjustment(models.Model):
    """One change staff made to a product's stock on hand; the product page lists them."""

    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="adjustments")
    kind = models.CharField(max_length=20, choices=StockAdjustmentKind.choices)
    # {"from": 500, "to": 450}: the sentence shown is rendered from these (see `sentence`).
    params = models.JSONField(default=dict)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.product_id}: {self.sentence}"

    @property
    def sentence(self) -> str:
        before, after = self.params.get("from", 0), self.params.get("to", 0)
        change = after - before
        return (
            f"Stock on hand {before:,} → {after:,} ({change:+,}) "
            f"via {self.get_kind_display().lower()}."
        )

    @property
    def actor_display(self) -> str:
        return str(self.actor) if self.actor_id else "system"
