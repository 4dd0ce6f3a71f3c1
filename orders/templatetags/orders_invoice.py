"""Template helpers for the invoice partial (templates/orders/_invoice.html)."""

from __future__ import annotations

from django import template

register = template.Library()


@register.simple_tag
def invoice_view(order, audience: str) -> dict:
    """What the invoice partial shows to `audience`, "backoffice" or "portal".

    Rule names and the auto-capture limit are supplier internals: shown in the back office
    (staff only), never in the portal. The including page says which it is; anything else is
    treated as the portal, so a forgotten audience hides the internals.
    """
    return {"show_rule_names": audience == "backoffice"}
