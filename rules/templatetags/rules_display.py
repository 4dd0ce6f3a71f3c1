"""Plain-language summaries of a rule's conditions and actions for lists and pages."""

from __future__ import annotations

from django import template

from ..choices import RuleMatch
from ..schema import ACTIONS, condition_text, tiers_to_text

register = template.Library()


def action_text(action: dict) -> str:
    spec = ACTIONS.get(action.get("type"))
    if spec is None:
        return str(action.get("type"))
    parts = [spec.label]
    if "amount" in action:
        parts.append(action["amount"])
    if "percent" in action:
        parts.append(f"{action['percent']}%")
    if "tiers" in action:
        parts.append(tiers_to_text(action["tiers"]))
    if action.get("label"):
        parts.append(f"“{action['label']}”")
    return " ".join(parts)


@register.filter
def conditions_summary(rule) -> str:
    if not rule.conditions:
        return "Always"
    joiner = " and " if rule.match == RuleMatch.ALL else " or "
    return joiner.join(
        condition_text(condition.get("field"), condition.get("operator"), condition.get("value"))
        for condition in rule.conditions
    )


@register.filter
def actions_summary(rule) -> str:
    return "; ".join(action_text(action) for action in rule.actions) or "—"
