from __future__ import annotations

from django.apps import AppConfig


class PagesConfig(AppConfig):
    """The top layer: pages that show several apps' data side by side."""

    name = "pages"
    verbose_name = "Composed pages"
