"""Receivers of the orders hooks (orders/signals.py). Each runs inside the transaction that
sent it and only writes rows; gateway calls are scheduled for after commit by the services."""

from __future__ import annotations

from orders.choices import OrderStatus

from . import services


def on_order_placed(sender, *, order, **kwargs) -> None:
    services.payment_start(order=order)


def on_order_status_changed(sender, *, order, to_status, actor=None, **kwargs) -> None:
    if to_status == OrderStatus.CANCELED:
        services.payment_cancel(order=order, actor=actor)


def on_shipment_created(sender, *, order, amount, final, actor=None, **kwargs) -> None:
    services.payment_capture_shipment(order=order, amount=amount, final=final, actor=actor)
