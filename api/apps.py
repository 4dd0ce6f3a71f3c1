from __future__ import annotations

from django.apps import AppConfig


class ApiConfig(AppConfig):
    """The one JSON API router: mounts each app's `api.py` router at /api/v1/."""

    name = "api"
    verbose_name = "API"
