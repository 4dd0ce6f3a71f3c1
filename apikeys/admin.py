from __future__ import annotations

from django.contrib import admin

from .models import ApiKey, IdempotencyKey


@admin.register(ApiKey)
class ApiKeyAdmin(admin.ModelAdmin):
    list_display = ["prefix", "name", "reseller", "created_at", "last_used_at", "revoked_at"]
    list_filter = ["revoked_at"]
    search_fields = ["prefix", "name", "reseller__company_name"]
    raw_id_fields = ["reseller", "created_by", "revoked_by", "rotated_from"]
    # Keys are created, rotated and revoked through the portal and back office (audited);
    # the admin is for looking only.
    readonly_fields = [
        "prefix",
        "hash",
        "created_by",
        "created_at",
        "last_used_at",
        "expires_at",
        "revoked_at",
        "revoked_by",
        "rotated_from",
    ]

    def has_add_permission(self, request) -> bool:
        return False


@admin.register(IdempotencyKey)
class IdempotencyKeyAdmin(admin.ModelAdmin):
    list_display = ["key", "reseller", "status", "response_status", "created_at", "expires_at"]
    list_filter = ["status"]
    search_fields = ["key", "reseller__company_name"]
    raw_id_fields = ["reseller", "order"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
