from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.urls import path, re_path

from .api import api, error_response
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


def api_not_found(request: HttpRequest, unknown: str) -> HttpResponse:
    """Unknown paths under /api/v1/ answer in JSON too, never with the HTML 404 page."""
    return error_response(
        request,
        404,
        f"There is no API endpoint at /api/v1/{unknown}. See /api/v1/docs for the endpoints.",
    )


api_urlpatterns = [
    path("api/v1/", api.urls),
    re_path(r"^api/v1/(?P<unknown>.*)$", api_not_found),
]
