from __future__ import annotations

from django.contrib import admin

from .models import PortalSettings, Reseller, StatusChange


class StatusChangeInline(admin.TabularInline):
    model = StatusChange
    extra = 0
    fields = readonly_fields = [
        "kind",
        "from_status",
        "to_status",
        "actor",
        "sentence",
        "created_at",
    ]
    can_delete = False


@admin.register(Reseller)
class ResellerAdmin(admin.ModelAdmin):
    list_display = ["company_name", "contact_name", "email", "status", "channel", "created_at"]
    list_filter = ["status", "channel"]
    search_fields = ["company_name", "contact_name", "email"]
    inlines = [StatusChangeInline]
    # Status moves go through the back office so they are validated and audited.
    readonly_fields = ["status", "status_reason"]


@admin.register(StatusChange)
class StatusChangeAdmin(admin.ModelAdmin):
    list_display = [
        "reseller",
        "kind",
        "from_status",
        "to_status",
        "sentence",
        "actor",
        "created_at",
    ]
    list_filter = ["kind", "to_status"]
    raw_id_fields = ["reseller", "actor"]


@admin.register(PortalSettings)
class PortalSettingsAdmin(admin.ModelAdmin):
    list_display = ["__str__", "auto_approve_resellers", "updated_at"]
