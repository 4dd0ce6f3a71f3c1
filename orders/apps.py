from __future__ import annotations

from django.apps import AppConfig


class OrdersConfig(AppConfig):
    name = "orders"
    verbose_name = "Orders"

    def ready(self) -> None:
        from rules.preview import register_order_lookup

        from .selectors import order_for_rule_preview

        # Rules sit below orders: they preview a saved order through this lookup.
        register_order_lookup(order_for_rule_preview)
