from __future__ import annotations

from django.contrib import admin

from .models import ExportJob


@admin.register(ExportJob)
class ExportJobAdmin(admin.ModelAdmin):
    """View-only: jobs are created by the export views and finished by their task."""

    list_display = ["pk", "filename", "requested_by", "status", "rows_done", "rows_total"]
    list_filter = ["status", "format", "audience"]
    readonly_fields = [field.name for field in ExportJob._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
