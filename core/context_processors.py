from __future__ import annotations

from django.http import HttpRequest


def navigation(request: HttpRequest) -> dict:
    path = request.path
    if path.startswith("/backoffice/"):
        area = "backoffice"
    elif path.startswith("/portal/"):
        area = "portal"
    else:
        area = "public"
    return {"nav_area": area}
