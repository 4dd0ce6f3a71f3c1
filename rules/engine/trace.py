"""The trace: what happened to each rule, and the sentences (notes) the preview shows.

Notes are kept as (formatter, arguments) while evaluating and rendered only when read."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from ..choices import CaptureMode, RuleKind
from ..schema import ACTIONS, SLOT_LABELS
from .types import (
    CAPTURE_MODE_FOR_ACTION,
    SCOPE_WORDS,
    CompiledCondition,
    CompiledRule,
    RuleInput,
    money,
)

MATCHED, NOT_MATCHED, DISABLED, OUT_OF_SCOPE, STOPPED, INVALID = (
    "matched",
    "not matched",
    "disabled",
    "out of scope",
    "stopped",
    "invalid",
)
OUTCOME_BADGES = {
    MATCHED: "enabled",
    DISABLED: "disabled",
    INVALID: "disabled",
    STOPPED: "pending",
    OUT_OF_SCOPE: "pending",
}


@dataclass(slots=True)
class ConditionResult:
    condition: CompiledCondition
    actual: object
    passed: bool

    @property
    def text(self) -> str:
        return self.condition.describe()

    @property
    def actual_text(self) -> str:
        value = self.actual
        if isinstance(value, frozenset):
            return ", ".join(sorted(value)) or "(none)"
        if value is None or value == "":
            return "(empty)"
        return str(value)


@dataclass(slots=True)
class RuleTrace:
    """What happened to one rule: whether it matched, why, and what each action did.

    Built for every rule of every order, so it stays cheap: which conditions passed is a bit
    mask, lists exist only for rules with something to say, and each note is kept as
    (formatter, arguments) until someone reads `notes` or `conditions` (the preview does;
    order placement does not).
    """

    rule: RuleInput
    scope_rank: int
    outcome: str
    compiled: CompiledRule | None = None
    values: dict | None = None
    # Bit i set when condition i passed; None when the conditions were not checked.
    passed: int | None = None
    events: list | None = None

    @property
    def conditions(self) -> list[ConditionResult]:
        if self.passed is None or self.compiled is None or self.values is None:
            return []
        return [
            ConditionResult(condition, self.values[condition.field], bool(self.passed >> i & 1))
            for i, condition in enumerate(self.compiled.conditions)
        ]

    @property
    def notes(self) -> list[str]:
        return [
            event if isinstance(event, str) else event[0](*event[1:]) for event in self.events or ()
        ]

    @property
    def matched(self) -> bool:
        return self.outcome == MATCHED

    @property
    def scope_word(self) -> str:
        return SCOPE_WORDS[self.scope_rank]

    @property
    def kind_label(self) -> str:
        return RuleKind(self.rule.kind).label

    @property
    def badge(self) -> str:
        """The CSS badge variant for the outcome (app.css: badge-enabled, -disabled…)."""
        return OUTCOME_BADGES.get(self.outcome, "none")


# A slot (shipping, dropship fee, capture mode, limit) and the rule that filled it.
@dataclass(slots=True)
class Slot:
    action: dict
    compiled: CompiledRule
    trace: RuleTrace


def quote(rule: RuleInput) -> str:
    return f"“{rule.name}”"


TAX_EXEMPT_NOTE = "Tax skipped: the reseller is tax-exempt."


def note_line(label: str, amount: Decimal) -> str:
    return f"Invoice line “{label}”: {money(amount)}."


def note_adds(label: str, amount: Decimal) -> str:
    return f"Adds “{label}”: {money(amount)}."


def note_tax(label: str, amount: Decimal, base: Decimal) -> str:
    return f"Adds tax “{label}”: {money(amount)} on {money(base)}."


def note_credit(label: str, amount: Decimal) -> str:
    return f"Adds credit “{label}”: −{money(amount)}."


def note_stopped(stopper: RuleInput) -> str:
    return f"Not evaluated: {quote(stopper)} stopped further rules."


def note_stops(kind: str) -> str:
    return f"Stops the remaining {RuleKind(kind).label.lower()} rules."


def note_sets(slot: str, action: dict, overridden: CompiledRule | None) -> str:
    text = f"Sets the {SLOT_LABELS[slot]}: {describe(action)}"
    if overridden is not None:
        text += (
            f", overriding the {SCOPE_WORDS[overridden.scope_rank]} rule {quote(overridden.rule)}"
        )
    return text + "."


def note_overridden(slot: str, by: CompiledRule) -> str:
    return (
        f"Its {SLOT_LABELS[slot]} was overridden by the more specific "
        f"{SCOPE_WORDS[by.scope_rank]} rule {quote(by.rule)}."
    )


def note_ignored(slot: str, action: dict, kept: CompiledRule) -> str:
    return (
        f"{describe(action).capitalize()} ignored: {quote(kept.rule)} already set the "
        f"{SLOT_LABELS[slot]} with a higher priority."
    )


def describe(action: dict) -> str:
    kind = action["type"]
    if kind == "dropship_fee_per_order":
        return f"dropship fee {action['amount']} per order"
    if kind == "dropship_fee_per_item":
        return f"dropship fee {action['amount']} per item"
    if kind == "shipping_flat":
        return f"flat shipping {action['amount']}"
    if kind == "shipping_per_item":
        return f"shipping {action['amount']} per item"
    if kind == "shipping_weight_tiers":
        tiers = ", ".join(
            f"up to {tier['up_to']} lb: {tier['amount']}"
            if tier["up_to"] is not None
            else f"heavier: {tier['amount']}"
            for tier in action["tiers"]
        )
        return f"shipping by weight ({tiers})"
    if kind == "shipping_free":
        return "free shipping"
    if kind == "max_auto_capture":
        return f"auto-capture up to {action['amount']}"
    if kind in CAPTURE_MODE_FOR_ACTION:
        return CaptureMode(CAPTURE_MODE_FOR_ACTION[kind]).label.lower()
    return ACTIONS[kind].label.lower()
