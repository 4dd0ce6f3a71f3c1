from __future__ import annotations

from django.contrib import admin

from .models import Rule


@admin.register(Rule)
class RuleAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "scope", "priority", "enabled", "stop_further_rules"]
    list_filter = ["kind", "scope", "enabled"]
    search_fields = ["name"]
    raw_id_fields = ["reseller"]
