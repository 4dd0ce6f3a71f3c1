from __future__ import annotations

from django.urls import path

from .views import backoffice, portal, webhooks

portal_urlpatterns = [
    path("settings/payment-methods/add/", portal.payment_method_add, name="payment_method_add"),
    path(
        "settings/payment-methods/<int:pk>/default/",
        portal.payment_method_make_default,
        name="payment_method_make_default",
    ),
    path(
        "settings/payment-methods/<int:pk>/remove/",
        portal.payment_method_remove,
        name="payment_method_remove",
    ),
    path("settings/payments/", portal.payment_settings_update, name="payment_settings_update"),
    path(
        "orders/<int:pk>/authorize-payment/",
        portal.order_authorize_payment,
        name="order_authorize_payment",
    ),
    path("orders/<int:pk>/retry-payment/", portal.order_payment_retry, name="order_payment_retry"),
]

backoffice_urlpatterns = [
    path(
        "orders/<int:pk>/payment/capture/",
        backoffice.order_payment_capture,
        name="order_payment_capture",
    ),
    path(
        "orders/<int:pk>/payment/mark-paid/",
        backoffice.order_payment_mark_paid,
        name="order_payment_mark_paid",
    ),
    path(
        "orders/<int:pk>/payment/refund/",
        backoffice.order_payment_refund,
        name="order_payment_refund",
    ),
]

public_urlpatterns = [
    path("payments/stripe/webhook/", webhooks.stripe_webhook, name="stripe_webhook"),
]
