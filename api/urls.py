from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.urls import path, re_path

from .v1 import api, error_response


def api_not_found(request: HttpRequest, unknown: str) -> HttpResponse:
    """Unknown paths under /api/v1/ answer in JSON too, never with the HTML 404 page."""
    return error_response(
        request,
        404,
        f"There is no API endpoint at /api/v1/{unknown}. See /api/v1/docs for the endpoints.",
    )


urlpatterns = [
    path("api/v1/", api.urls),
    re_path(r"^api/v1/(?P<unknown>.*)$", api_not_found),
]
