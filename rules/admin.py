from __future__ import annotations

from django.contrib import admin

from .models import Rule, RuleChange


@admin.register(Rule)
class RuleAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "scope", "priority", "enabled", "stop_further_rules"]
    list_filter = ["kind", "scope", "enabled"]
    search_fields = ["name"]
    raw_id_fields = ["reseller"]


@admin.register(RuleChange)
class RuleChangeAdmin(admin.ModelAdmin):
    """Read-only: the history is written by rules.services, never by hand."""

    list_display = ["created_at", "rule_name", "action", "actor"]
    list_filter = ["action"]
    search_fields = ["rule_name"]
    readonly_fields = ["rule", "rule_name", "action", "actor", "snapshot", "created_at"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
