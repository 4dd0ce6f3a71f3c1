from __future__ import annotations

from django.http import HttpRequest, JsonResponse
from django.urls import URLPattern, URLResolver, path, re_path

from .api import api
from .security import guard_body_size
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


def _guarded(patterns: list) -> list:
    """ninja's URL patterns with every view behind the request-size guard."""
    guarded: list[URLPattern | URLResolver] = []
    for pattern in patterns:
        if isinstance(pattern, URLPattern):
            pattern = URLPattern(
                pattern.pattern,
                guard_body_size(pattern.callback),
                pattern.default_args,
                pattern.name,
            )
        guarded.append(pattern)
    return guarded


def api_not_found(request: HttpRequest, unknown: str) -> JsonResponse:
    """Unknown paths under /api/v1/ answer in JSON too, never with the HTML 404 page."""
    return JsonResponse(
        {
            "detail": f"There is no API endpoint at /api/v1/{unknown}. "
            "See /api/v1/docs for the endpoints.",
            "errors": [],
        },
        status=404,
    )


api_patterns, api_app_name, api_namespace = api.urls
api_urlpatterns = [
    path("api/v1/", (_guarded(api_patterns), api_app_name, api_namespace)),
    re_path(r"^api/v1/(?P<unknown>.*)$", api_not_found),
]
