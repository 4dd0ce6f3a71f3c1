from __future__ import annotations

from django.db import models


class OrderStatus(models.TextChoices):
    OPEN = "open", "Open"
    ON_HOLD = "on_hold", "On hold"
    SHIPPED = "shipped", "Shipped"
    CLOSED = "closed", "Closed"
    CANCELED = "canceled", "Canceled"


# The one place that says which order status may follow which.
ALLOWED_TRANSITIONS: dict[str, frozenset[str]] = {
    OrderStatus.OPEN: frozenset({OrderStatus.ON_HOLD, OrderStatus.SHIPPED, OrderStatus.CANCELED}),
    OrderStatus.ON_HOLD: frozenset({OrderStatus.OPEN, OrderStatus.CANCELED}),
    OrderStatus.SHIPPED: frozenset({OrderStatus.CLOSED}),
    OrderStatus.CLOSED: frozenset(),
    OrderStatus.CANCELED: frozenset(),
}

# Back-office buttons: action name -> (target status, button label).
STATUS_ACTIONS: dict[str, tuple[str, str]] = {
    "hold": (OrderStatus.ON_HOLD, "Hold"),
    "release": (OrderStatus.OPEN, "Release"),
    "ship": (OrderStatus.SHIPPED, "Ship"),
    "close": (OrderStatus.CLOSED, "Close"),
    "cancel": (OrderStatus.CANCELED, "Cancel"),
}


# The shipping methods the portal's order pad offers. seed_bench uses the same values, so
# shipping rules match bench data the way they match real orders. The order column itself is
# free text: the API and Inventory Source may send other carriers' names.
SHIPPING_METHODS: tuple[str, ...] = ("Ground", "2-day", "Overnight")


class OrderSource(models.TextChoices):
    PORTAL = "portal", "Portal"
    API = "api", "API"
    INVENTORY_SOURCE = "inventory_source", "Inventory Source"


class CaptureMode(models.TextChoices):
    CAPTURE_NOW = "capture_now", "Capture now"
    ON_SHIPMENT = "on_shipment", "Authorize, capture on shipment"
    DEFERRED = "deferred", "Deferred (net terms)"
    RESELLER_AUTHORIZATION = "reseller_authorization", "Needs reseller authorization"


class PaymentStatus(models.TextChoices):
    AWAITING_CAPTURE = "awaiting_capture", "Awaiting capture"
    AWAITING_AUTHORIZATION = "awaiting_authorization", "Awaiting reseller authorization"
    AUTHORIZED = "authorized", "Authorized"
    CAPTURED = "captured", "Captured"
    ON_TERMS = "on_terms", "Invoiced on terms"
    VOIDED = "voided", "Voided"


class InvoiceLineKind(models.TextChoices):
    SHIPPING = "shipping", "Shipping"
    FEE = "fee", "Fees"
    OTHER = "other", "Other"
    DISCOUNT = "discount", "Discounts and credits"


class OrderEventKind(models.TextChoices):
    """What an order history row records. Each kind's parameters (OrderEvent.params) and the
    sentence rendered from them are listed in orders.models.OrderEvent."""

    CREATED = "created", "Order placed"
    STATUS_CHANGED = "status_changed", "Status changed"
    PAYMENT_AUTHORIZED = "payment_authorized", "Payment authorized"
    PAYMENT_CAPTURED = "payment_captured", "Payment captured"
