from __future__ import annotations

from django.urls import path

from .views import backoffice, feeds, portal

portal_urlpatterns = [
    path("catalog/products.csv", portal.catalog_csv, name="catalog_csv"),
    path("catalog/products.xlsx", portal.catalog_xlsx, name="catalog_xlsx"),
    path("catalog/feed/", portal.feed_token_issue, name="feed_token_issue"),
    path("catalog/feed/revoke/", portal.feed_token_revoke, name="feed_token_revoke"),
    path("settings/webhooks/new/", portal.webhook_create, name="webhook_create"),
    path("settings/webhooks/<int:pk>/", portal.webhook_detail, name="webhook_detail"),
    path("settings/webhooks/<int:pk>/rotate/", portal.webhook_rotate, name="webhook_rotate"),
    path("settings/webhooks/<int:pk>/disable/", portal.webhook_disable, name="webhook_disable"),
    path("settings/webhooks/<int:pk>/enable/", portal.webhook_enable, name="webhook_enable"),
    path("settings/webhooks/<int:pk>/delete/", portal.webhook_delete, name="webhook_delete"),
    path("settings/webhooks/<int:pk>/test/", portal.webhook_test, name="webhook_test"),
    path(
        "settings/webhooks/<int:pk>/deliveries/<int:delivery_pk>/resend/",
        portal.webhook_resend,
        name="webhook_resend",
    ),
]

backoffice_urlpatterns = [
    path("webhooks/<int:pk>/disable/", backoffice.webhook_disable, name="webhook_disable"),
]

feed_urlpatterns = [
    path("feeds/<str:token>/products.csv", feeds.product_feed, name="product_feed"),
]
