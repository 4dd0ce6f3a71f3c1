from __future__ import annotations

import django_filters
from django import forms
from django.db.models import Exists, OuterRef, Q, QuerySet

from .choices import OrderSource, OrderStatus
from .models import Order, OrderLine


class OrderFilter(django_filters.FilterSet):
    """Filters for every order list and export (back office, reseller tab, portal)."""

    q = django_filters.CharFilter(label="Reference or SKU", method="search")
    status = django_filters.ChoiceFilter(
        label="Status", choices=OrderStatus.choices, empty_label="Any status"
    )
    source = django_filters.ChoiceFilter(
        label="Source", choices=OrderSource.choices, empty_label="Any source"
    )
    created_from = django_filters.DateFilter(
        label="Placed from",
        field_name="created_at",
        lookup_expr="date__gte",
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    created_to = django_filters.DateFilter(
        label="Placed to",
        field_name="created_at",
        lookup_expr="date__lte",
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    class Meta:
        model = Order
        fields = ["q", "status", "source", "created_from", "created_to"]

    def search(self, queryset: QuerySet[Order], name: str, value: str) -> QuerySet[Order]:
        value = value.strip()
        if not value:
            return queryset
        has_sku = OrderLine.objects.filter(order=OuterRef("pk"), sku__iexact=value)
        return queryset.filter(
            Q(reference_number__icontains=value) | Q(number__iexact=value) | Exists(has_sku)
        )
