from __future__ import annotations

import django_filters
from django import forms
from django.db.models import Exists, OuterRef, Q, QuerySet

from resellers.models import Reseller

from .choices import OrderSource, OrderStatus, PaymentStatus
from .export import has_field
from .models import Order, OrderLine
from .queues import overdue_condition


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


class AllOrdersFilter(OrderFilter):
    """The back office's every-reseller list (and its export) also filters by reseller.

    Only there: the portal and a reseller's own Orders tab are one reseller's orders already,
    and the portal must never list other resellers' names.
    """

    # Labelled "Payment" (as the list's column is), not "Payment status": a label that contains
    # "Status" would make the Status filter ambiguous to anyone finding fields by label.
    payment_status = django_filters.ChoiceFilter(
        label="Payment", choices=PaymentStatus.choices, empty_label="Any payment status"
    )
    reseller = django_filters.ModelChoiceFilter(
        label="Reseller",
        queryset=Reseller.objects.order_by("company_name", "id"),
        empty_label="Any reseller",
    )

    overdue = django_filters.ChoiceFilter(
        label="Invoice",
        choices=[("yes", "Overdue")],
        method="filter_overdue",
        empty_label="Any invoice",
    )

    class Meta(OrderFilter.Meta):
        fields = [
            "q",
            "reseller",
            "status",
            "source",
            "payment_status",
            "created_from",
            "created_to",
        ]

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # Overdue needs invoice due dates on orders (the invoicing work adds them).
        if not has_field(Order, "due_date"):
            self.filters.pop("overdue")

    def filter_overdue(self, queryset: QuerySet[Order], name: str, value: str) -> QuerySet[Order]:
        return queryset.filter(overdue_condition()) if value == "yes" else queryset


def order_filter_for(*, reseller: Reseller | None) -> type[OrderFilter]:
    """The filter of the list a download or job comes from: every reseller's, or one's."""
    return AllOrdersFilter if reseller is None else OrderFilter
