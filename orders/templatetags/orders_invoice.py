"""Template helpers for the invoice partial (templates/orders/_invoice.html)."""

from __future__ import annotations

from django import template

from orders.payments import authorization_refusal, capture_refusal

register = template.Library()


@register.simple_tag
def invoice_view(order, audience: str) -> dict:
    """What the invoice partial shows to `audience`, "backoffice" or "portal".

    Rule names, the auto-capture limit and the capture button are supplier internals: shown
    in the back office (staff only), never in the portal. The including page says which it
    is; anything else is treated as the portal, so a forgotten audience hides the internals.
    """
    staff = audience == "backoffice"
    refusal = capture_refusal(order)
    return {
        "show_rule_names": staff,
        "staff_actions": staff,
        "can_capture": not refusal,
        "capture_refusal": refusal,
        "can_authorize": not staff and not authorization_refusal(order),
    }
