from __future__ import annotations

from django.urls import path

from .views import backoffice

# The catalog shows a reseller's channel prices: it lives in `pages`.
portal_urlpatterns: list = []

backoffice_urlpatterns = [
    path("channels/", backoffice.channel_list_view, name="channel_list"),
    path("channels/new/", backoffice.channel_edit, name="channel_create"),
    path("channels/<int:pk>/", backoffice.channel_edit, name="channel_edit"),
    path("products/", backoffice.product_list_view, name="product_list"),
    path("products/new/", backoffice.product_edit, name="product_create"),
    path("products/stock-import/", backoffice.stock_import, name="stock_import"),
    path("products/<int:pk>/", backoffice.product_edit, name="product_edit"),
    path("listings/", backoffice.listing_list_view, name="listing_list"),
    path("listings/new/", backoffice.listing_edit, name="listing_create"),
    path("listings/import/", backoffice.listing_import, name="listing_import"),
    path("listings/<int:pk>/", backoffice.listing_edit, name="listing_edit"),
]
