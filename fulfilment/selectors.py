from __future__ import annotations

from django.db.models import QuerySet

from orders.models import Order
from resellers.models import Reseller

from .models import Shipment
from .services import order_states


def shipment_list(*, reseller: Reseller | None) -> QuerySet[Shipment]:
    """Shipments as the asker may see them: one reseller's, or all for staff (None)."""
    shipments = Shipment.objects.select_related("order").prefetch_related("lines__order_line")
    if reseller is not None:
        shipments = shipments.filter(order__reseller=reseller)
    return shipments


def shipments_for_order(*, order: Order) -> list[Shipment]:
    return list(shipment_list(reseller=None).filter(order=order).order_by("shipped_at", "pk"))


def lines_left(*, order: Order) -> list[tuple]:
    """(order line, units left to ship) for each line of the order, without locking."""
    state = order_states([order.pk], lock=False)[order.pk]
    return [(line, state.left(line)) for line in state.lines]
