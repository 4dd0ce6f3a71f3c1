from __future__ import annotations

import django_filters
from django.db.models import Q, QuerySet

from channels.models import Channel

from .choices import ResellerStatus
from .models import Reseller


class ResellerFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label="Search", method="search")
    status = django_filters.ChoiceFilter(
        label="Status", choices=ResellerStatus.choices, empty_label="Any status"
    )
    channel = django_filters.ModelChoiceFilter(
        label="Channel", queryset=Channel.objects.order_by("name"), empty_label="Any channel"
    )
    ordering = django_filters.OrderingFilter(
        label="Sort by",
        fields=(
            ("company_name", "company"),
            ("created_at", "created"),
            ("status", "status"),
        ),
        field_labels={
            "company": "Company (A–Z)",
            "-company": "Company (Z–A)",
            "created": "Oldest first",
            "-created": "Newest first",
            "status": "Status",
            "-status": "Status (reverse)",
        },
        empty_label="Default order",
    )

    class Meta:
        model = Reseller
        fields = ["q", "status", "channel"]

    def search(self, queryset: QuerySet[Reseller], name: str, value: str) -> QuerySet[Reseller]:
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(company_name__icontains=value)
            | Q(contact_name__icontains=value)
            | Q(email__icontains=value)
        )
