from __future__ import annotations

from datetime import timedelta

from django import template

register = template.Library()

UNITS = (("day", 86400), ("hour", 3600), ("minute", 60))


@register.filter
def duration(value: timedelta | None) -> str:
    """A length of time in words: "15 minutes", "1 hour 30 minutes", "2 days"."""
    if not value:
        return ""
    remaining = max(round(value.total_seconds()), 0)
    parts = []
    for name, seconds in UNITS:
        count, remaining = divmod(remaining, seconds)
        if count:
            parts.append(f"{count} {name}{'' if count == 1 else 's'}")
    return " ".join(parts) or "less than a minute"
