"""The payment part of the order page, for both audiences (templates/payments/…)."""

from __future__ import annotations

from django import template

from payments import selectors, services
from payments.choices import PaymentStatus
from payments.gateways import configured_gateway_name

register = template.Library()


@register.simple_tag
def order_payment(order, audience: str) -> dict:
    """What the order page's Payment section shows to `audience` ("backoffice" or "portal").

    The back office gets the staff buttons (Capture, Mark paid, Refund) and references; the
    portal gets the reseller's (Authorize payment, Retry) and the gateway's message in words
    a person can act on. Anything but "backoffice" is the portal.
    """
    staff = audience == "backoffice"
    status = order.payment_status
    panel = {
        "staff": staff,
        "attempts": selectors.attempt_history(order=order),
        "by_invoice": configured_gateway_name() == "offline",
        "failed": status == PaymentStatus.FAILED,
        "needs_card": status == PaymentStatus.AWAITING_PAYMENT_METHOD,
    }
    if staff:
        refusal = services.capture_refusal(order)
        panel.update(
            can_capture=not refusal,
            capture_refusal=refusal,
            can_mark_paid=not services.mark_paid_refusal(order),
            refundable=services.refundable_amount(order),
        )
    else:
        panel.update(
            can_authorize=not services.authorization_refusal(order),
            can_retry=not services.retry_refusal(order) and status == PaymentStatus.FAILED,
        )
    return panel


@register.simple_tag
def payment_methods_panel(reseller) -> dict:
    """The Payment methods section of the portal's Settings page."""
    profile = selectors.payment_profile(reseller=reseller)
    by_invoice = configured_gateway_name() == "offline"
    return {
        "by_invoice": by_invoice,
        "methods": [] if by_invoice else list(selectors.payment_method_list(reseller=reseller)),
        "auto_authorize_limit": profile.auto_authorize_limit if profile else None,
        "may_add": reseller.may_order,
    }


@register.simple_tag
def payments_needing_attention(limit: int = 20) -> dict:
    """The back-office dashboard's list of payments waiting for someone, with the total."""
    orders = selectors.orders_needing_attention()
    rows = list(orders[: limit + 1])
    # One query in the usual case (a short list); the count only when the list is cut.
    count = len(rows) if len(rows) <= limit else orders.count()
    return {"rows": rows[:limit], "count": count}
