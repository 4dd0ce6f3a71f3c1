from __future__ import annotations

from django.urls import path, re_path

from . import views

# Exports sit next to the list page they download (…/orders/ → …/orders/export.csv), which is
# how templates/orders/_export_buttons.html finds them.
portal_urlpatterns = [
    re_path(r"^orders/export\.(?P<fmt>csv|xlsx)$", views.portal_order_export, name="order_export"),
    path("exports/<int:pk>/", views.portal_export_detail, name="export_detail"),
    path("exports/<int:pk>/status.json", views.portal_export_status, name="export_status"),
    path("exports/<int:pk>/download/", views.portal_export_download, name="export_download"),
]

backoffice_urlpatterns = [
    re_path(r"^orders/export\.(?P<fmt>csv|xlsx)$", views.order_export, name="order_export"),
    re_path(
        r"^resellers/(?P<pk>[0-9]+)/orders/export\.(?P<fmt>csv|xlsx)$",
        views.reseller_orders_export,
        name="reseller_orders_export",
    ),
    path("exports/<int:pk>/", views.backoffice_export_detail, name="export_detail"),
    path("exports/<int:pk>/status.json", views.backoffice_export_status, name="export_status"),
    path("exports/<int:pk>/download/", views.backoffice_export_download, name="export_download"),
]
