"""Order pages (rendered by orders, below this app) ask fulfilment what may happen next."""

from __future__ import annotations

from django import template

from ..services import cancel_refusal, shipping_refusal

register = template.Library()


@register.simple_tag
def order_shipping_refusal(order) -> str:
    return shipping_refusal(order)


@register.simple_tag
def order_cancel_refusal(order, by_reseller: bool = False) -> str:
    return cancel_refusal(order, by_reseller=by_reseller)
