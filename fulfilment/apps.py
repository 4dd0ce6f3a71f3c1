from __future__ import annotations

from django.apps import AppConfig


class FulfilmentConfig(AppConfig):
    """Shipments, tracking, cancellations and the order e-mails (above orders and payments)."""

    name = "fulfilment"
    verbose_name = "Fulfilment"

    def ready(self) -> None:
        from . import receivers

        receivers.connect()
