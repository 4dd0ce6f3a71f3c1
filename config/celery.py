from __future__ import annotations

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("reseller_portal")
# Every CELERY_* setting in config/settings.py configures this app (eager mode, broker, beat).
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
