from __future__ import annotations

from django.db.models import QuerySet

from orders.choices import OrderStatus
from orders.models import Order
from resellers.models import Reseller

from .choices import NEEDS_ATTENTION
from .models import PaymentAttempt, PaymentMethod, PaymentProfile


def payment_method_list(*, reseller: Reseller) -> QuerySet[PaymentMethod]:
    """The reseller's own cards, default first. The only way views reach payment methods."""
    return PaymentMethod.objects.filter(reseller=reseller)


def payment_profile(*, reseller: Reseller) -> PaymentProfile | None:
    return PaymentProfile.objects.filter(reseller=reseller).first()


def attempt_history(*, order: Order) -> list[PaymentAttempt]:
    return list(
        PaymentAttempt.objects.filter(order=order).select_related("actor", "payment_method")
    )


def orders_needing_attention() -> QuerySet[Order]:
    """Orders whose payment waits for someone: failed, awaiting capture or a card."""
    return (
        Order.objects.filter(payment_status__in=NEEDS_ATTENTION)
        .exclude(status=OrderStatus.CANCELED)
        .select_related("reseller")
        .order_by("-updated_at", "-id")
    )
