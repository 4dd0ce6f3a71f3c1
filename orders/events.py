"""Writing order history rows (Saleor's order/events.py): one function per kind, each saying
which parameters its kind carries. The sentence shown is rendered by OrderEvent.message."""

from __future__ import annotations

from accounts.models import User

from .choices import OrderEventKind
from .models import Order, OrderEvent


def order_placed_event(*, order: Order, actor: User | None) -> OrderEvent:
    return OrderEvent.objects.create(
        order=order,
        kind=OrderEventKind.CREATED,
        to_status=order.status,
        params={"source": order.source},
        actor=actor,
    )


def order_status_changed_event(
    *, order: Order, from_status: str, to_status: str, actor: User | None, note: str = ""
) -> OrderEvent:
    return OrderEvent.objects.create(
        order=order,
        kind=OrderEventKind.STATUS_CHANGED,
        from_status=from_status,
        to_status=to_status,
        params={"note": note},
        actor=actor,
    )


def shipment_added_event(
    *, order: Order, carrier: str, tracking_number: str, units: int, actor: User | None
) -> OrderEvent:
    """Unsaved: the fulfilment app saves a tracking import's events with one bulk_create."""
    return OrderEvent(
        order=order,
        kind=OrderEventKind.SHIPMENT_ADDED,
        params={"carrier": carrier, "tracking_number": tracking_number, "units": units},
        actor=actor,
    )


def remainder_canceled_event(
    *, order: Order, units: int, reason: str, actor: User | None
) -> OrderEvent:
    return OrderEvent.objects.create(
        order=order,
        kind=OrderEventKind.REMAINDER_CANCELED,
        params={"units": units, "reason": reason},
        actor=actor,
    )
