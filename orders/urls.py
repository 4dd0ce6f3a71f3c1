from __future__ import annotations

from django.urls import path

from .views import backoffice, payments, portal

portal_urlpatterns = [
    path("orders/", portal.order_list_view, name="order_list"),
    path("orders/new/", portal.order_create, name="order_create"),
    path("orders/<int:pk>/", portal.order_detail, name="order_detail"),
]

backoffice_urlpatterns = [
    path("orders/", backoffice.order_list_view, name="order_list"),
    path("orders/<int:pk>/", backoffice.order_detail, name="order_detail"),
    path("orders/<int:pk>/hold/", backoffice.order_hold, name="order_hold"),
    path("orders/<int:pk>/release/", backoffice.order_release, name="order_release"),
    path("orders/<int:pk>/ship/", backoffice.order_ship, name="order_ship"),
    path("orders/<int:pk>/close/", backoffice.order_close, name="order_close"),
    path("orders/<int:pk>/cancel/", backoffice.order_cancel, name="order_cancel"),
    path("resellers/<int:pk>/orders/", backoffice.reseller_orders, name="reseller_orders"),
]

# Payment actions (the rules work): a reseller authorizes, staff record a capture.
portal_urlpatterns += [
    path(
        "orders/<int:pk>/authorize-payment/",
        payments.order_authorize_payment,
        name="order_authorize_payment",
    ),
]
backoffice_urlpatterns += [
    path(
        "orders/<int:pk>/record-capture/",
        payments.order_record_capture,
        name="order_record_capture",
    ),
]
