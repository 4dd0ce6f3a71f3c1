from __future__ import annotations

from django.contrib import admin

from .models import OrderEmail, Shipment, ShipmentLine


class ShipmentLineInline(admin.TabularInline):
    model = ShipmentLine
    extra = 0
    raw_id_fields = ["order_line"]


# View-only: a shipment consumes stock and moves the order's status, so it is recorded
# through the back office (Add shipment, Import tracking), never edited raw.
class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Shipment)
class ShipmentAdmin(ReadOnlyAdmin):
    list_display = ["order", "carrier", "tracking_number", "shipped_at", "updated_at"]
    search_fields = ["tracking_number", "order__number", "order__reference_number"]
    inlines = [ShipmentLineInline]


@admin.register(ShipmentLine)
class ShipmentLineAdmin(ReadOnlyAdmin):
    list_display = ["shipment", "order_line", "quantity"]


@admin.register(OrderEmail)
class OrderEmailAdmin(ReadOnlyAdmin):
    list_display = ["order", "kind", "created_at", "sent_at"]
    list_filter = ["kind"]
