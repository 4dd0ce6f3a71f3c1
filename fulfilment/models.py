from __future__ import annotations

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models

from .choices import OrderEmailKind


class Shipment(models.Model):
    """A parcel that left the warehouse: which order lines and units it holds, and its tracking."""

    order = models.ForeignKey("orders.Order", on_delete=models.PROTECT, related_name="shipments")
    carrier = models.CharField(max_length=50)
    service = models.CharField(max_length=100, blank=True)
    tracking_number = models.CharField(max_length=100)
    tracking_url = models.URLField(max_length=500, blank=True)
    shipped_at = models.DateTimeField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["shipped_at", "id"]
        indexes = [models.Index(fields=["updated_at", "id"])]

    def __str__(self) -> str:
        return f"{self.carrier} {self.tracking_number}"


class ShipmentLine(models.Model):
    shipment = models.ForeignKey(Shipment, on_delete=models.CASCADE, related_name="lines")
    order_line = models.ForeignKey(
        "orders.OrderLine", on_delete=models.PROTECT, related_name="shipment_lines"
    )
    quantity = models.PositiveIntegerField(validators=[MinValueValidator(1)])

    class Meta:
        ordering = ["shipment", "id"]

    def __str__(self) -> str:
        return f"{self.quantity} × line {self.order_line_id}"


class OrderEmail(models.Model):
    """An order e-mail owed to the reseller: written in the transaction that made it due,
    sent once by a task after commit (`sent_at` is claimed before sending)."""

    order = models.ForeignKey("orders.Order", on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=30, choices=OrderEmailKind.choices)
    shipment = models.ForeignKey(
        Shipment, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    # For a shipment: it completed the order (the e-mail says "has shipped", not "part of").
    final = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    claim = models.CharField(max_length=16, blank=True, editable=False)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["claim"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} for order {self.order_id}"
