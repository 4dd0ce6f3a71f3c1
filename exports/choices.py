from __future__ import annotations

from django.db import models


class ExportFormat(models.TextChoices):
    CSV = "csv", "CSV"
    XLSX = "xlsx", "XLSX"


class ExportStatus(models.TextChoices):
    QUEUED = "queued", "Waiting to start"
    RUNNING = "running", "Running"
    DONE = "done", "Ready to download"
    FAILED = "failed", "Failed"
    EXPIRED = "expired", "Expired"


class ExportAudience(models.TextChoices):
    """Which site asked: decides the links in the page and the e-mail."""

    BACKOFFICE = "backoffice", "Back office"
    PORTAL = "portal", "Portal"


# A job in one of these may still be (re)started by its task; any other status is final.
RUNNABLE = frozenset({ExportStatus.QUEUED, ExportStatus.RUNNING})
