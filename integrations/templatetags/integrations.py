"""Sections other apps' pages include (Catalog, Settings, the back-office reseller page).

Inclusion tags keep the layering: the lower app's template names the tag, and no lower app's
Python imports this one.
"""

from __future__ import annotations

from typing import Any

from django import template

from .. import selectors
from ..forms import WebhookEndpointForm

register = template.Library()


@register.inclusion_tag("portal/integrations/_catalog_feed.html", takes_context=True)
def catalog_feed_section(context: template.Context, reseller: Any) -> dict[str, Any]:
    return {
        "request": context.get("request"),
        "csrf_token": context.get("csrf_token"),
        "reseller": reseller,
        "feed_token": selectors.feed_token_for(reseller=reseller),
    }


@register.inclusion_tag("portal/integrations/_settings_webhooks.html", takes_context=True)
def webhook_settings_section(context: template.Context, reseller: Any) -> dict[str, Any]:
    return {
        "request": context.get("request"),
        "csrf_token": context.get("csrf_token"),
        "reseller": reseller,
        "endpoints": list(selectors.webhook_endpoint_list(reseller=reseller)),
        "form": WebhookEndpointForm(),
    }


@register.inclusion_tag("backoffice/integrations/_reseller_section.html", takes_context=True)
def reseller_integrations_section(context: template.Context, reseller: Any) -> dict[str, Any]:
    return {
        "request": context.get("request"),
        "csrf_token": context.get("csrf_token"),
        "reseller": reseller,
        "feed_token": selectors.feed_token_for(reseller=reseller),
        "endpoints": list(selectors.webhook_endpoint_list(reseller=reseller)),
    }
