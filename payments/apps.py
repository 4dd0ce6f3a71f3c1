from __future__ import annotations

from django.apps import AppConfig


class PaymentsConfig(AppConfig):
    name = "payments"
    verbose_name = "Payments"

    def ready(self) -> None:
        from orders import signals

        from . import receivers

        signals.order_placed.connect(receivers.on_order_placed, dispatch_uid="payments.placed")
        signals.order_status_changed.connect(
            receivers.on_order_status_changed, dispatch_uid="payments.status_changed"
        )
        signals.shipment_created.connect(
            receivers.on_shipment_created, dispatch_uid="payments.shipment_created"
        )
