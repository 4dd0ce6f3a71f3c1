from __future__ import annotations

import django_filters
from django import forms
from django.db.models import Q, QuerySet

from .models import Channel, Listing, Product

ACTIVE_CHOICES = [("", "Any"), ("true", "Active only"), ("false", "Inactive only")]


def _sku_or_title(queryset: QuerySet, value: str, *, prefix: str = "") -> QuerySet:
    value = value.strip()
    if not value:
        return queryset
    return queryset.filter(
        Q(**{f"{prefix}sku__icontains": value}) | Q(**{f"{prefix}title__icontains": value})
    )


class ProductFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label="SKU or title", method="search")

    class Meta:
        model = Product
        fields = ["q"]

    def search(self, queryset: QuerySet[Product], name: str, value: str) -> QuerySet[Product]:
        return _sku_or_title(queryset, value)


class ListingFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label="SKU or title", method="search")
    channel = django_filters.ModelChoiceFilter(
        label="Channel", queryset=Channel.objects.order_by("name"), empty_label="Any channel"
    )
    is_active = django_filters.BooleanFilter(
        label="Active", widget=forms.Select(choices=ACTIVE_CHOICES)
    )

    class Meta:
        model = Listing
        fields = ["q", "channel", "is_active"]

    def search(self, queryset: QuerySet[Listing], name: str, value: str) -> QuerySet[Listing]:
        return _sku_or_title(queryset, value, prefix="product__")


class CatalogFilter(django_filters.FilterSet):
    """The portal catalog's search box; the queryset is already the reseller's listings."""

    q = django_filters.CharFilter(label="Search by SKU or title", method="search")

    class Meta:
        model = Listing
        fields = ["q"]

    def search(self, queryset: QuerySet[Listing], name: str, value: str) -> QuerySet[Listing]:
        return _sku_or_title(queryset, value, prefix="product__")
