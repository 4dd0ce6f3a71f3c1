from __future__ import annotations

from django.db.models import Case, IntegerField, Q, QuerySet, TextField, Value, When
from django.db.models.functions import Cast

from .choices import RuleScope
from .engine import SCOPE_RANK
from .facts import RULE_INPUT_COLUMNS
from .models import Rule, RuleChange


def rules_in_scope(*, reseller, channel, include_disabled: bool = False) -> QuerySet[Rule]:
    """The rules that can apply to one reseller's order on one channel: one query.

    Global rules, the channel's rules and the reseller's own. Disabled rules are left out
    unless asked for (the preview shows them in the trace). The engine sorts them itself.
    """
    scope = Q(scope=RuleScope.GLOBAL)
    if channel is not None:
        scope |= Q(scope=RuleScope.CHANNEL, channel_id=channel.pk)
    if reseller is not None:
        scope |= Q(scope=RuleScope.RESELLER, reseller_id=reseller.pk)
    rules = Rule.objects.filter(scope)
    if not include_disabled:
        rules = rules.filter(enabled=True)
    return rules.order_by("kind", "priority", "id")


# The engine's evaluation order (global, channel, reseller), for sorting in SQL.
SCOPE_ORDER = Case(
    *(When(scope=scope, then=Value(rank)) for scope, rank in SCOPE_RANK.items()),
    output_field=IntegerField(),
)


def rule_rows_in_scope(*, reseller, channel, include_disabled: bool = False) -> QuerySet:
    """`rules_in_scope` as plain rows with conditions and actions as their JSON text: what
    order placement needs, without building model instances or parsing JSON per order."""
    return (
        rules_in_scope(reseller=reseller, channel=channel, include_disabled=include_disabled)
        .annotate(
            conditions_text=Cast("conditions", TextField()),
            actions_text=Cast("actions", TextField()),
        )
        .values_list(*RULE_INPUT_COLUMNS)
    )


def rule_list() -> QuerySet[Rule]:
    """Back-office list: every rule with what it targets, in evaluation order per kind."""
    return (
        Rule.objects.select_related("channel", "reseller")
        .annotate(scope_rank=SCOPE_ORDER)
        .order_by("kind", "scope_rank", "channel__name", "reseller__company_name", "priority", "id")
    )


def rule_list_for_reseller(*, reseller) -> QuerySet[Rule]:
    """The rules written for this one reseller (shown on its back-office page)."""
    return Rule.objects.filter(scope=RuleScope.RESELLER, reseller=reseller).order_by(
        "kind", "priority", "id"
    )


def rule_history(*, rule: Rule, limit: int = 20) -> QuerySet[RuleChange]:
    """The rule's latest changes, newest first, with who made them (its back-office page)."""
    return rule.changes.select_related("actor").order_by("-created_at", "-id")[:limit]


def rule_neighbours(*, rule: Rule) -> QuerySet[Rule]:
    """Rules competing with `rule` for the same slot order: same kind, scope and target."""
    return Rule.objects.filter(
        kind=rule.kind, scope=rule.scope, channel_id=rule.channel_id, reseller_id=rule.reseller_id
    ).order_by("priority", "id")
