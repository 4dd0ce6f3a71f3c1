"""Template helpers for the invoice partial (templates/orders/_invoice.html)."""

from __future__ import annotations

from django import template

from orders.payments import authorization_refusal, capture_refusal

register = template.Library()


@register.simple_tag(takes_context=True)
def invoice_view(context, order) -> dict:
    """What the invoice partial shows on this page.

    Rule names, the auto-capture limit and the capture button are supplier internals: shown
    in the back office (staff only), never in the portal.
    """
    area = context.get("nav_area")
    refusal = capture_refusal(order)
    return {
        "show_rule_names": area == "backoffice",
        "staff_actions": area == "backoffice",
        "can_capture": not refusal,
        "capture_refusal": refusal,
        "can_authorize": area == "portal" and not authorization_refusal(order),
    }
