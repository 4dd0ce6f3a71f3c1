from __future__ import annotations

from django.apps import AppConfig


class ResellersConfig(AppConfig):
    name = "resellers"
    verbose_name = "Resellers"
