from __future__ import annotations

import django_filters
from django import forms
from django.db.models import QuerySet

from channels.models import Channel
from resellers.models import Reseller

from .choices import RuleKind, RuleScope
from .models import Rule

ENABLED_CHOICES = [("", "Any"), ("true", "Enabled only"), ("false", "Disabled only")]


class RuleFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label="Name", method="search")
    kind = django_filters.ChoiceFilter(
        label="Kind", choices=RuleKind.choices, empty_label="Any kind"
    )
    scope = django_filters.ChoiceFilter(
        label="Scope", choices=RuleScope.choices, empty_label="Any scope"
    )
    channel = django_filters.ModelChoiceFilter(
        label="Channel", queryset=Channel.objects.order_by("name"), empty_label="Any channel"
    )
    reseller = django_filters.ModelChoiceFilter(
        label="Reseller",
        queryset=Reseller.objects.order_by("company_name"),
        empty_label="Any reseller",
    )
    enabled = django_filters.BooleanFilter(
        label="Enabled", widget=forms.Select(choices=ENABLED_CHOICES)
    )

    class Meta:
        model = Rule
        fields = ["q", "kind", "scope", "channel", "reseller", "enabled"]

    def search(self, queryset: QuerySet[Rule], name: str, value: str) -> QuerySet[Rule]:
        value = value.strip()
        return queryset.filter(name__icontains=value) if value else queryset
