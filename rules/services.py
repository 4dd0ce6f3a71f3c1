"""Writes to rules. Every change is validated by `rule_validate` and leaves a RuleChange row."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from core.concurrency import version_check

from .choices import RuleChangeAction, RuleKind, RuleScope
from .exceptions import MissingValue, RuleMoveNotPossible, RuleValidationError
from .models import Rule, RuleChange
from .schema import rule_validate_object
from .selectors import rule_neighbours

RULE_FIELDS = (
    "kind",
    "scope",
    "channel",
    "reseller",
    "name",
    "priority",
    "enabled",
    "match",
    "conditions",
    "actions",
    "stop_further_rules",
)
PRIORITY_STEP = 10


def _snapshot(rule: Rule) -> dict:
    return {
        "kind": rule.kind,
        "scope": rule.scope,
        "channel_id": rule.channel_id,
        "reseller_id": rule.reseller_id,
        "name": rule.name,
        "priority": rule.priority,
        "enabled": rule.enabled,
        "match": rule.match,
        "conditions": rule.conditions,
        "actions": rule.actions,
        "stop_further_rules": rule.stop_further_rules,
    }


def _record(*, rule: Rule, action: str, actor: User | None, params: dict | None = None) -> None:
    RuleChange.objects.create(
        rule=rule if rule.pk else None,
        rule_name=rule.name,
        action=action,
        actor=actor,
        params=params or {},
        snapshot=_snapshot(rule),
    )


@transaction.atomic
def rule_save(
    *,
    rule: Rule | None = None,
    data: dict,
    actor: User | None,
    expected_version: int | None = None,
) -> Rule:
    """Create a rule (rule=None) or change one. Raises RuleValidationError when malformed.

    `expected_version` is the version the edit form was drawn from: a colleague's save,
    enable/disable or move since then raises StaleEdit and nothing is saved (the stale form
    would otherwise put back what they changed).

    The scope decides the target: a global rule drops any channel or reseller it was given,
    so switching a rule's scope in the form cannot trip the database's scope constraint.
    """
    target = Rule() if rule is None else Rule.objects.select_for_update().get(pk=rule.pk)
    if rule is not None:
        version_check(target, expected_version, noun="rule")
    before = None if rule is None else _snapshot(target)
    for name in RULE_FIELDS:
        if name in data:
            setattr(target, name, data[name])
    target.name = (target.name or "").strip()
    if target.scope != RuleScope.CHANNEL:
        target.channel = None
    if target.scope != RuleScope.RESELLER:
        target.reseller = None

    problems = []
    if not target.name:
        problems.append(MissingValue("Give the rule a name staff will recognise.", path="name"))
    try:
        validated = rule_validate_object(target)
    except RuleValidationError as error:
        raise RuleValidationError([*problems, *error.problems]) from error
    if problems:
        raise RuleValidationError(problems)
    target.conditions = validated.conditions
    target.actions = validated.actions
    after = _snapshot(target)
    if before is not None and after == before:
        # Saving the form unchanged is not a change: no new updated_at, no history row.
        return target
    if before is not None:
        target.version += 1
    target.save()
    if before is None:
        _record(rule=target, action=RuleChangeAction.CREATED, actor=actor)
    else:
        changed = [name for name in after if after[name] != before.get(name)]
        _record(
            rule=target, action=RuleChangeAction.UPDATED, actor=actor, params={"changed": changed}
        )
    return target


@transaction.atomic
def rule_set_enabled(*, rule: Rule, enabled: bool, actor: User | None) -> Rule:
    locked = Rule.objects.select_for_update().get(pk=rule.pk)
    if locked.enabled != enabled:
        locked.enabled = enabled
        locked.version += 1
        locked.save(update_fields=["enabled", "version", "updated_at"])
        _record(
            rule=locked,
            action=RuleChangeAction.ENABLED if enabled else RuleChangeAction.DISABLED,
            actor=actor,
        )
    return locked


@transaction.atomic
def rule_reorder(*, rule: Rule, direction: str, actor: User | None) -> Rule:
    """Move a rule up or down among the rules it competes with.

    Neighbours are rules of the same kind, scope and target (only those can outrank each
    other). Moving swaps priorities with the neighbour; when the two share a priority (order
    then falls back to id) the group is first renumbered 10, 20, 30… so the swap means
    something.
    """
    if direction not in ("up", "down"):
        raise RuleMoveNotPossible("Move a rule up or down.")
    # Lock the whole group: two staff members moving rules at once must not interleave swaps.
    group = list(rule_neighbours(rule=rule).select_for_update())
    locked = next(item for item in group if item.pk == rule.pk)
    index = group.index(locked)
    other_index = index - 1 if direction == "up" else index + 1
    if not 0 <= other_index < len(group):
        raise RuleMoveNotPossible(
            f"“{locked}” is already {'first' if direction == 'up' else 'last'} among its "
            f"{RuleScope(locked.scope).label.lower()} {RuleKind(locked.kind).label.lower()} rules."
        )
    other = group[other_index]
    from_priority = locked.priority
    changed: set[Rule] = set()
    if locked.priority == other.priority:
        for position, item in enumerate(group, start=1):
            if item.priority != position * PRIORITY_STEP:
                item.priority = position * PRIORITY_STEP
                changed.add(item)
    locked.priority, other.priority = other.priority, locked.priority
    changed.update({locked, other})
    now = timezone.now()
    for item in changed:
        item.updated_at = now
        item.version += 1  # an edit form opened before the move must not put the priority back
    Rule.objects.bulk_update(changed, ["priority", "version", "updated_at"])
    _record(
        rule=locked,
        action=RuleChangeAction.MOVED,
        actor=actor,
        params={"from_priority": from_priority, "to_priority": locked.priority},
    )
    return locked


@transaction.atomic
def rule_delete(*, rule: Rule, actor: User | None) -> None:
    """Delete a rule. Invoices it produced keep their lines and the rule's name."""
    locked = Rule.objects.select_for_update().get(pk=rule.pk)
    _record(rule=locked, action=RuleChangeAction.DELETED, actor=actor)
    locked.delete()
