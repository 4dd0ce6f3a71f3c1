from __future__ import annotations

from django.contrib import admin

from .models import Channel, Listing, Product


@admin.register(Channel)
class ChannelAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "currency", "is_active", "is_default"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Product)
class ProductAdmin(admin.ModelAdmin):
    list_display = ["sku", "title", "cost", "msrp", "weight", "stock"]
    search_fields = ["sku", "title"]


@admin.register(Listing)
class ListingAdmin(admin.ModelAdmin):
    list_display = ["product", "channel", "price", "is_active"]
    list_filter = ["channel", "is_active"]
    search_fields = ["product__sku", "product__title"]
    raw_id_fields = ["product"]
