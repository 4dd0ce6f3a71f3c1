from __future__ import annotations

from django.contrib import admin

from .models import InvoiceLine, InvoiceSequence, Order, OrderEvent, OrderLine


class OrderLineInline(admin.TabularInline):
    model = OrderLine
    extra = 0
    raw_id_fields = ["product"]


class InvoiceLineInline(admin.TabularInline):
    model = InvoiceLine
    extra = 0
    raw_id_fields = ["rule"]


@admin.register(Order)
class OrderAdmin(admin.ModelAdmin):
    list_display = [
        "number",
        "invoice_number",
        "reseller",
        "reference_number",
        "status",
        "source",
        "total",
    ]
    list_filter = ["status", "source", "payment_status"]
    search_fields = ["number", "invoice_number", "reference_number", "reseller__company_name"]
    raw_id_fields = ["reseller", "created_by"]
    # Status and payment status change only through their services (order_transition, the
    # payment actions), which check the move and record the event; the admin shows them.
    # An invoice number is issued once and never changes.
    readonly_fields = ["status", "payment_status", "invoice_number"]
    inlines = [OrderLineInline, InvoiceLineInline]


@admin.register(OrderEvent)
class OrderEventAdmin(admin.ModelAdmin):
    list_display = ["order", "kind", "from_status", "to_status", "message", "actor", "created_at"]
    list_filter = ["kind"]
    raw_id_fields = ["order", "actor"]


@admin.register(OrderLine)
class OrderLineAdmin(admin.ModelAdmin):
    list_display = ["order", "sku", "title", "quantity", "unit_price", "line_total"]
    search_fields = ["sku", "order__number"]
    raw_id_fields = ["order", "product"]


@admin.register(InvoiceLine)
class InvoiceLineAdmin(admin.ModelAdmin):
    list_display = ["order", "kind", "label", "amount", "rule_name"]
    list_filter = ["kind"]
    search_fields = ["order__number", "label", "rule_name"]
    raw_id_fields = ["order", "rule"]


@admin.register(InvoiceSequence)
class InvoiceSequenceAdmin(admin.ModelAdmin):
    """The invoice-number counter, for reading: editing it by hand would break the gap-free
    sequence (order_place is its only writer)."""

    list_display = ["__str__", "last_value"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
