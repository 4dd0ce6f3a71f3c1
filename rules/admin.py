from __future__ import annotations

from django.contrib import admin

from .models import Rule, RuleChange
from .services import RULE_FIELDS, rule_delete, rule_save


@admin.register(Rule)
class RuleAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "scope", "priority", "enabled", "stop_further_rules"]
    list_filter = ["kind", "scope", "enabled"]
    search_fields = ["name"]
    raw_id_fields = ["reseller"]

    # Raw data edits still go through the services, so the rule history stays complete.
    def save_model(self, request, obj, form, change) -> None:
        saved = rule_save(
            rule=obj if change else None,
            data={
                name: form.cleaned_data[name] for name in RULE_FIELDS if name in form.cleaned_data
            },
            actor=request.user,
        )
        obj.pk = saved.pk

    def delete_model(self, request, obj) -> None:
        rule_delete(rule=obj, actor=request.user)

    def delete_queryset(self, request, queryset) -> None:
        for rule in queryset:
            rule_delete(rule=rule, actor=request.user)


@admin.register(RuleChange)
class RuleChangeAdmin(admin.ModelAdmin):
    """Read-only: the history is written by rules.services, never by hand."""

    list_display = ["created_at", "rule_name", "action", "sentence", "actor"]
    list_filter = ["action"]
    search_fields = ["rule_name"]
    readonly_fields = [
        "rule",
        "rule_name",
        "action",
        "sentence",
        "params",
        "actor",
        "snapshot",
        "created_at",
    ]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
