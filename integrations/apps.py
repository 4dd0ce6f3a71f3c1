from __future__ import annotations

from django.apps import AppConfig


class IntegrationsConfig(AppConfig):
    """Product feeds and signed webhooks: above orders, payments and fulfilment."""

    name = "integrations"
    verbose_name = "Integrations"

    def ready(self) -> None:
        from orders import signals

        from . import receivers

        signals.order_placed.connect(receivers.on_order_placed, dispatch_uid="integrations.placed")
        signals.order_status_changed.connect(
            receivers.on_order_status_changed, dispatch_uid="integrations.status"
        )
        signals.shipment_created.connect(
            receivers.on_shipment_created, dispatch_uid="integrations.shipment"
        )
        signals.payment_captured.connect(
            receivers.on_payment_captured, dispatch_uid="integrations.captured"
        )
        signals.payment_failed.connect(
            receivers.on_payment_failed, dispatch_uid="integrations.failed"
        )
