from __future__ import annotations

from django.db import models

# The vocabulary the rules decide in (order source, capture mode, payment status, invoice line
# kind) lives in rules, which sits below orders; orders re-exports it under its usual names.
from rules.choices import CaptureMode, InvoiceLineKind, OrderSource, PaymentStatus

__all__ = [
    "ALLOWED_TRANSITIONS",
    "SHIPPING_METHODS",
    "STATUS_ACTIONS",
    "shipping_method_canonical",
    "CaptureMode",
    "InvoiceLineKind",
    "OrderSource",
    "OrderEventKind",
    "OrderStatus",
    "PaymentStatus",
]


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


# The shipping methods an order may name, in the portal's order pad and in the API alike
# (order_place checks them). seed_bench uses the same values, so shipping rules match bench
# data the way they match real orders.
SHIPPING_METHODS: tuple[str, ...] = ("Ground", "2-day", "Overnight")


def shipping_method_canonical(value: str) -> str | None:
    """The listed spelling of `value` in any letter case ("ground" -> "Ground"); "" for none
    chosen (an API order may leave it out); None when it is not a method we ship with."""
    value = value.strip()
    if not value:
        return ""
    return next((m for m in SHIPPING_METHODS if m.casefold() == value.casefold()), None)


class OrderEventKind(models.TextChoices):
    """What an order history row records. Each kind's parameters (OrderEvent.params) and the
    sentence rendered from them are listed in orders.models.OrderEvent."""

    CREATED = "created", "Order placed"
    STATUS_CHANGED = "status_changed", "Status changed"
    # Payment steps recorded on the order before the payments app kept its own history
    # (payments.PaymentAttempt); kept so those rows still read.
    PAYMENT_AUTHORIZED = "payment_authorized", "Payment authorized"
    PAYMENT_CAPTURED = "payment_captured", "Payment captured"
