"""Presentation helpers shared by the portal and back-office order pages."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from orders.choices import OrderStatus, PaymentStatus
from orders.models import OrderEvent

# The order pages list the order's shipments (the fulfilment app's, reached through the
# reverse relation, so orders imports nothing from above it).
SHIPMENT_PREFETCH = ("shipments__lines__order_line",)

# Order-status and payment-status events share the from/to columns.
STATUS_LABELS = {**dict(OrderStatus.choices), **dict(PaymentStatus.choices)}


@dataclass(frozen=True)
class EventRow:
    created_at: datetime
    title: str
    change: str
    message: str
    actor: str


def _status_label(value: str) -> str:
    return STATUS_LABELS.get(value, value)


def event_rows(events) -> list[EventRow]:
    rows = []
    for event in events:
        if event.from_status and event.to_status:
            change = f"{_status_label(event.from_status)} → {_status_label(event.to_status)}"
        elif event.to_status:
            change = _status_label(event.to_status)
        else:
            change = ""
        rows.append(
            EventRow(
                created_at=event.created_at,
                title=event.title,
                change=change,
                message=event.message,
                actor=event.actor_display,
            )
        )
    return rows


def order_events(order) -> list[EventRow]:
    return event_rows(OrderEvent.objects.filter(order=order).select_related("actor"))
