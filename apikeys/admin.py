from __future__ import annotations

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from . import services
from .models import ApiKey, IdempotencyKey


@admin.register(ApiKey)
class ApiKeyAdmin(admin.ModelAdmin):
    """For looking only: keys are created, rotated and revoked by the audited services (the
    portal, the back office, or the action below), never edited or deleted as raw rows."""

    list_display = ["prefix", "name", "reseller", "created_at", "last_used_at", "revoked_at"]
    list_filter = ["revoked_at"]
    search_fields = ["prefix", "name", "reseller__company_name"]
    list_select_related = ["reseller"]
    actions = ["revoke_selected"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: ApiKey | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: ApiKey | None = None) -> bool:
        return False

    # Like the back office's Revoke button: any staff member may revoke any key.
    @admin.action(description="Revoke selected keys")
    def revoke_selected(self, request: HttpRequest, queryset: QuerySet[ApiKey]) -> None:
        revoked = 0
        for api_key in queryset:
            if api_key.revoked_at is None:
                services.apikey_revoke(api_key=api_key, actor=request.user)
                revoked += 1
        already = len(queryset) - revoked
        message = f"Revoked {revoked} key{'s' if revoked != 1 else ''}."
        if already:
            message += f" {already} {'was' if already == 1 else 'were'} already revoked."
        self.message_user(request, message, messages.SUCCESS)


@admin.register(IdempotencyKey)
class IdempotencyKeyAdmin(admin.ModelAdmin):
    """For looking only: deleting a completed record would let a client's retry place a
    second order, so rows leave only through the expiry purge."""

    list_display = ["key", "reseller", "status", "response_status", "created_at", "expires_at"]
    list_filter = ["status"]
    search_fields = ["key", "reseller__company_name"]
    list_select_related = ["reseller"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(
        self, request: HttpRequest, obj: IdempotencyKey | None = None
    ) -> bool:
        return False

    def has_delete_permission(
        self, request: HttpRequest, obj: IdempotencyKey | None = None
    ) -> bool:
        return False
