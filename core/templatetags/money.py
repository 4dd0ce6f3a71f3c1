from __future__ import annotations

from django import template

from core.money import format_money

register = template.Library()


@register.filter(is_safe=True)
def money(value) -> str:
    """`{{ order.total|money }}` → `60,000.50` (see core.money)."""
    return format_money(value)
