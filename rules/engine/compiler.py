"""Compiling rules: validate what each rule says once and turn its conditions into tests."""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Iterable
from decimal import Decimal

from ..exceptions import RuleValidationError
from ..schema import FIELDS, ID, LIST_OPERATORS, NUMBER, SET, rule_validate
from .types import SCOPE_RANK, CompiledCondition, CompiledRule, RuleInput


def _operand(field_type: str, raw: str) -> object:
    if field_type == NUMBER:
        return Decimal(raw)
    if field_type == ID:
        return int(Decimal(raw))
    return raw.casefold()


def _make_test(field_type: str, operator: str, value: object) -> Callable[[object], bool]:
    if operator in LIST_OPERATORS:
        options = frozenset(_operand(field_type, item) for item in value)  # type: ignore[union-attr]
        if field_type == SET:
            if operator == "in":
                return lambda actual: not options.isdisjoint(actual)
            return lambda actual: options.isdisjoint(actual)
        if operator == "in":
            return lambda actual: actual in options
        return lambda actual: actual not in options
    operand = _operand(field_type, value)  # type: ignore[arg-type]
    if operator == "contains":
        # A set field holds this exact label/SKU; a text field has it as a substring.
        return lambda actual: operand in actual
    if operator == "equals":
        return lambda actual: actual == operand
    if operator == "not_equals":
        return lambda actual: actual != operand
    if operator == "gt":
        return lambda actual: actual > operand
    if operator == "gte":
        return lambda actual: actual >= operand
    if operator == "lt":
        return lambda actual: actual < operand
    if operator == "lte":
        return lambda actual: actual <= operand
    raise ValueError(operator)  # unreachable: rule_validate checked the operator


def _as_list(value: tuple | str) -> object:
    if isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError:
            return None  # rule_validate says "must be a list"
    return list(value)


def _compile_parts(kind: str, match: str, conditions: tuple | str, actions: tuple | str) -> tuple:
    """Validate and compile what a rule says: (compiled conditions, normalised actions)."""
    validated = rule_validate(
        kind=kind, match=match, conditions=_as_list(conditions), actions=_as_list(actions)
    )
    compiled_conditions = tuple(
        CompiledCondition(
            field=condition["field"],
            operator=condition["operator"],
            value=condition["value"],
            test=_make_test(
                FIELDS[condition["field"]].type, condition["operator"], condition["value"]
            ),
        )
        for condition in validated.conditions
    )
    return compiled_conditions, tuple(validated.actions)


def _assemble(rule: RuleInput, conditions: tuple, actions: tuple, error: str) -> CompiledRule:
    rank = SCOPE_RANK.get(rule.scope, 0)
    return CompiledRule(
        rule=rule,
        conditions=conditions,
        actions=actions,
        scope_rank=rank,
        sort_key=(rank, rule.priority, rule.id if rule.id is not None else math.inf),
        error=error,
    )


# What a rule says (kind, match, conditions, actions) → its compiled parts or its error.
# Keyed on the content itself (the stored JSON text, or the repr of the dicts), so an edited
# rule can never hit a stale entry. Validating and compiling costs tens of µs a rule and
# every order needs every rule in scope; with this, a rule is compiled once per process.
_COMPILED: dict[tuple, tuple] = {}
_COMPILED_LIMIT = 10_000


def compile_rules(rules: Iterable[RuleInput]) -> list[CompiledRule]:
    """Compile each rule. A malformed one (only possible if it bypassed validation, e.g. a
    raw SQL update) is kept with its error so the engine ignores it and the trace says why,
    instead of refusing every order."""
    compiled = []
    for rule in rules:
        if isinstance(rule.conditions, str) and isinstance(rule.actions, str):
            key = (rule.kind, rule.match, rule.conditions, rule.actions)
        else:
            key = (rule.kind, rule.match, repr(rule.conditions), repr(rule.actions))
        parts = _COMPILED.get(key)
        if parts is None:
            try:
                parts = (*_compile_parts(rule.kind, rule.match, rule.conditions, rule.actions), "")
            except RuleValidationError as error:
                parts = ((), (), str(error))
            if len(_COMPILED) >= _COMPILED_LIMIT:
                _COMPILED.clear()
            _COMPILED[key] = parts
        compiled.append(_assemble(rule, *parts))
    return compiled
