from __future__ import annotations

from django.urls import path

from .views import backoffice, portal

portal_urlpatterns = [
    path("orders/<int:pk>/cancel/", portal.order_cancel_view, name="order_cancel"),
]

backoffice_urlpatterns = [
    path("orders/<int:pk>/shipments/new/", backoffice.shipment_add, name="shipment_create"),
    path("orders/<int:pk>/cancel/", backoffice.order_cancel_view, name="order_cancel"),
    path("shipments/import/", backoffice.tracking_import, name="tracking_import"),
]
