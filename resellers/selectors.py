from __future__ import annotations

from django.db.models import Count, QuerySet

from core.selectors import related_count

from .choices import ResellerStatus
from .models import Reseller, StatusChange


def reseller_list() -> QuerySet[Reseller]:
    """Back-office list: staff see every reseller. Annotated so each row needs no queries."""
    return (
        Reseller.objects.select_related("channel")
        .annotate(order_count=related_count(Reseller, "orders"))
        .order_by("-created_at", "-id")
    )


def pending_resellers() -> QuerySet[Reseller]:
    return Reseller.objects.filter(status=ResellerStatus.PENDING).order_by("created_at", "id")


def reseller_status_history(*, reseller: Reseller) -> QuerySet[StatusChange]:
    return reseller.status_changes.select_related("actor")


def reseller_status_counts() -> dict[str, int]:
    """How many resellers are in each status, in one query."""
    return dict(Reseller.objects.values_list("status").annotate(count=Count("id")).order_by())
