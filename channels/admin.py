from __future__ import annotations

from django.contrib import admin

from .models import Channel, Listing, Product, StockAdjustment


@admin.register(Channel)
class ChannelAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "currency", "is_active", "is_default"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Product)
class ProductAdmin(admin.ModelAdmin):
    list_display = ["sku", "title", "cost", "msrp", "weight", "stock", "reserved"]
    search_fields = ["sku", "title"]
    # Stock changes go through the back office's product page or stock import, which record
    # each adjustment; reservations only through order placement, shipping and canceling.
    readonly_fields = ["stock", "reserved"]


@admin.register(Listing)
class ListingAdmin(admin.ModelAdmin):
    list_display = ["product", "channel", "price", "is_active"]
    list_filter = ["channel", "is_active"]
    search_fields = ["product__sku", "product__title"]
    raw_id_fields = ["product"]


@admin.register(StockAdjustment)
class StockAdjustmentAdmin(admin.ModelAdmin):
    list_display = ["product", "kind", "sentence", "actor", "created_at"]
    list_filter = ["kind"]
    search_fields = ["product__sku"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
