from __future__ import annotations

from django.apps import AppConfig


class DevtoolsConfig(AppConfig):
    """Demo and benchmark seeding (`seed_demo`, `seed_bench`): above every product app, and
    imported by none of them."""

    name = "devtools"
    verbose_name = "Developer tools"
