from __future__ import annotations

from django.urls import path

from .views import backoffice, portal

portal_urlpatterns = [
    path("settings/", portal.settings_page, name="settings"),
    path("settings/api-keys/new/", portal.apikey_create, name="apikey_create"),
    path("settings/api-keys/<int:pk>/rotate/", portal.apikey_rotate, name="apikey_rotate"),
    path("settings/api-keys/<int:pk>/revoke/", portal.apikey_revoke, name="apikey_revoke"),
]

backoffice_urlpatterns = [
    path("api-keys/<int:pk>/revoke/", backoffice.apikey_revoke, name="apikey_revoke"),
]
