from __future__ import annotations

from django.db.models import QuerySet

from resellers.models import Reseller

from .models import Order


def order_list(*, reseller: Reseller | None) -> QuerySet[Order]:
    """Orders as the asker may see them: one reseller's, or every order for staff (None).

    This is the one place order visibility is decided; portal and API views always pass the
    reseller resolved from the logged-in user or the API key.
    """
    orders = Order.objects.select_related("reseller", "channel")
    if reseller is not None:
        orders = orders.filter(reseller=reseller)
    return orders.order_by("-created_at", "-id")


def order_get(*, reseller: Reseller | None, pk: int) -> Order:
    """One order, or Order.DoesNotExist when it is not the asker's (callers answer 404)."""
    return order_list(reseller=reseller).get(pk=pk)


def order_for_rule_preview(number: str) -> tuple[Order, list] | None:
    """A saved order and its lines for the back-office rule preview (staff: any reseller)."""
    order = order_list(reseller=None).filter(number__iexact=number).first()
    if order is None:
        return None
    return order, list(order.lines.all())
