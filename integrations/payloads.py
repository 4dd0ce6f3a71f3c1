"""The JSON bodies webhooks carry: `{id, type, timestamp, data}`.

`data.order` is exactly what `GET /api/v1/orders/{id}` answers, built by the API's own schema,
so a receiver parses one shape whichever way it learns about an order.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.utils import timezone

from orders.api import OrderOut, ShipmentOut
from orders.models import Order


def order_data(order: Order) -> dict[str, Any]:
    return OrderOut.model_validate(order).model_dump(mode="json")


def _money(amount: Decimal | None) -> str | None:
    return None if amount is None else str(amount)


def _moment(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


def shipment_data(shipment: Any) -> dict[str, Any]:
    """The shipment exactly as `GET /api/v1/orders/{id}` lists it (the API's own schema)."""
    return ShipmentOut.model_validate(shipment).model_dump(mode="json")


def body(*, event_id: str, event_type: str, data: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": event_id,
        "type": event_type,
        "timestamp": timezone.now().isoformat(),
        "data": data,
    }


def order_event_data(order: Order, **extra: Any) -> dict[str, Any]:
    return {"order": order_data(order), **extra}


def test_event_data(endpoint_url: str) -> dict[str, Any]:
    return {
        "message": "This is a test event from the Reseller Portal. Your endpoint is reachable.",
        "endpoint": endpoint_url,
    }


def payment_data(*, amount: Decimal | None = None, message: str = "") -> dict[str, Any]:
    payment: dict[str, Any] = {"amount": _money(amount)}
    if message:
        payment["message"] = message
    return payment
