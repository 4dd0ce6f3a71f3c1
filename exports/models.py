from __future__ import annotations

from django.conf import settings
from django.core.files.storage import Storage, storages
from django.db import models
from django.urls import reverse

from .choices import ExportAudience, ExportFormat, ExportStatus


def export_storage() -> Storage:
    """Where finished export files go: settings.STORAGES["exports"] (local files under
    MEDIA_ROOT by default, an S3-compatible bucket when configured)."""
    return storages["exports"]


class ExportJob(models.Model):
    """An order export too large for a web request, written by a Celery task to storage.

    Only `requested_by` may see or download it. `reseller` is the scope (a portal user's own
    reseller, or the reseller whose Orders tab staff exported); empty means every reseller's
    orders (the back office's all-orders export). `filters` is the list page's query string,
    read again through the same OrderFilter when the task runs.
    """

    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    audience = models.CharField(max_length=20, choices=ExportAudience.choices)
    reseller = models.ForeignKey(
        "resellers.Reseller", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    format = models.CharField(max_length=10, choices=ExportFormat.choices)
    filters = models.JSONField(default=dict, blank=True)
    status = models.CharField(
        max_length=20, choices=ExportStatus.choices, default=ExportStatus.QUEUED
    )
    rows_total = models.PositiveIntegerField(default=0)
    rows_done = models.PositiveIntegerField(default=0)
    # Bumped by every run of the task; only the run holding the latest number may finish the
    # job, so a redelivered task racing a slow first run cannot leave two files.
    attempt = models.PositiveIntegerField(default=0)
    filename = models.CharField(max_length=200)
    file = models.FileField(max_length=300, blank=True, storage=export_storage)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["requested_by", "-created_at"])]

    def __str__(self) -> str:
        return f"export {self.pk} ({self.filename})"

    def get_absolute_url(self) -> str:
        return reverse(f"{self.audience}:export_detail", args=[self.pk])

    @property
    def percent(self) -> int:
        if self.status == ExportStatus.DONE:
            return 100
        if not self.rows_total:
            return 0
        return min(99, self.rows_done * 100 // self.rows_total)

    @property
    def is_finished(self) -> bool:
        return self.status in (ExportStatus.DONE, ExportStatus.FAILED, ExportStatus.EXPIRED)
