"""Receivers of orders.signals: each writes the webhook outbox rows in the sender's transaction.

No network here (see orders.signals): delivery is a task enqueued after the commit.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from orders.models import Order

from . import payloads, services
from .choices import EventType


def on_order_placed(*, order: Order, **kwargs: Any) -> None:
    services.webhook_event_record(
        reseller_id=order.reseller_id,
        event_type=EventType.ORDER_CREATED,
        data=lambda: payloads.order_event_data(order),
    )


def on_order_status_changed(
    *, order: Order, from_status: str, to_status: str, **kwargs: Any
) -> None:
    services.webhook_event_record(
        reseller_id=order.reseller_id,
        event_type=EventType.ORDER_UPDATED,
        data=lambda: payloads.order_event_data(
            order, changes={"status": {"from": from_status, "to": to_status}}
        ),
    )


def on_shipment_created(*, order: Order, shipment: Any, **kwargs: Any) -> None:
    services.webhook_event_record(
        reseller_id=order.reseller_id,
        event_type=EventType.SHIPMENT_CREATED,
        data=lambda: payloads.order_event_data(
            order, shipment=payloads.shipment_data(shipment), final=bool(kwargs.get("final"))
        ),
    )


def on_payment_captured(*, order: Order, amount: Decimal | None = None, **kwargs: Any) -> None:
    services.webhook_event_record(
        reseller_id=order.reseller_id,
        event_type=EventType.PAYMENT_CAPTURED,
        data=lambda: payloads.order_event_data(order, payment=payloads.payment_data(amount=amount)),
    )


def on_payment_failed(*, order: Order, message: str = "", **kwargs: Any) -> None:
    services.webhook_event_record(
        reseller_id=order.reseller_id,
        event_type=EventType.PAYMENT_FAILED,
        data=lambda: payloads.order_event_data(
            order, payment=payloads.payment_data(message=message)
        ),
    )
