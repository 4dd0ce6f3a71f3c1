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
    PARTIALLY_SHIPPED = "partially_shipped", "Partially shipped"
    SHIPPED = "shipped", "Shipped"
    CLOSED = "closed", "Closed"
    CANCELED = "canceled", "Canceled"


# The one place that says which order status may follow which. The shipped statuses follow the
# shipped quantities (fulfilment's shipments): partially shipped -> shipped when the last unit
# ships or the rest is canceled. Only an order with nothing shipped can be canceled.
ALLOWED_TRANSITIONS: dict[str, frozenset[str]] = {
    OrderStatus.OPEN: frozenset(
        {
            OrderStatus.ON_HOLD,
            OrderStatus.PARTIALLY_SHIPPED,
            OrderStatus.SHIPPED,
            OrderStatus.CANCELED,
        }
    ),
    OrderStatus.ON_HOLD: frozenset({OrderStatus.OPEN, OrderStatus.CANCELED}),
    OrderStatus.PARTIALLY_SHIPPED: frozenset({OrderStatus.SHIPPED}),
    OrderStatus.SHIPPED: frozenset({OrderStatus.CLOSED}),
    OrderStatus.CLOSED: frozenset(),
    OrderStatus.CANCELED: frozenset(),
}

# Back-office buttons: action name -> (target status, button label). Shipping and canceling
# are not plain status moves (stock, shipments, payment): the fulfilment app's Add shipment
# and Cancel order do them.
STATUS_ACTIONS: dict[str, tuple[str, str]] = {
    "hold": (OrderStatus.ON_HOLD, "Hold"),
    "release": (OrderStatus.OPEN, "Release"),
    "close": (OrderStatus.CLOSED, "Close"),
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
    SHIPMENT_ADDED = "shipment_added", "Shipment added"
    REMAINDER_CANCELED = "remainder_canceled", "Unshipped units canceled"
