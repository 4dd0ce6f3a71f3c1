from __future__ import annotations

from django.urls import path

from .views import backoffice, invoice, portal

portal_urlpatterns = [
    path("orders/", portal.order_list_view, name="order_list"),
    path("orders/new/", portal.order_create, name="order_create"),
    path("orders/new/preview.json", portal.order_preview, name="order_preview"),
    path("orders/<int:pk>/", portal.order_detail, name="order_detail"),
]

backoffice_urlpatterns = [
    path("orders/", backoffice.order_list_view, name="order_list"),
    path("orders/<int:pk>/", backoffice.order_detail, name="order_detail"),
    path("orders/<int:pk>/hold/", backoffice.order_hold, name="order_hold"),
    path("orders/<int:pk>/release/", backoffice.order_release, name="order_release"),
    path("orders/<int:pk>/close/", backoffice.order_close, name="order_close"),
    path("resellers/<int:pk>/orders/", backoffice.reseller_orders, name="reseller_orders"),
]

# Invoices: a printable page and its PDF, beside the order they belong to.
portal_urlpatterns += [
    path("orders/<int:pk>/invoice/", invoice.portal_invoice, name="order_invoice"),
    path("orders/<int:pk>/invoice.pdf", invoice.portal_invoice_pdf, name="order_invoice_pdf"),
]
backoffice_urlpatterns += [
    path("orders/<int:pk>/invoice/", invoice.backoffice_invoice, name="order_invoice"),
    path("orders/<int:pk>/invoice.pdf", invoice.backoffice_invoice_pdf, name="order_invoice_pdf"),
]
