"""The rules engine: a pure function from an order to an invoice and a capture decision.

    evaluate(order=OrderFacts, reseller=ResellerFacts, channel=ChannelFacts, rules=[...])
        -> Evaluation(invoice, capture, trace)

No database access happens here, so the same code prices a saved order, an order being placed
(not saved yet) and a hypothetical order in the preview. Callers build the facts
(rules/facts.py) and load the rules (rules/selectors.rules_in_scope, one query).

How rules combine
-----------------
* Order of evaluation: global rules, then channel rules, then reseller rules; within a scope,
  by priority (lower number first), then by id.
* No conditions means the rule always matches. "all" needs every condition, "any" one.
* "Set" actions fill a slot: the dropship fee, the shipping cost, the capture mode and the
  maximum auto-capture amount. A rule from a more specific scope overrides what a broader one
  set (reseller over channel over global). Within the same scope the first rule to set a slot
  (the higher priority) keeps it and later ones are ignored. So "every order pays a $2.00
  dropship fee" (global, priority 100) and "gold resellers pay $0.50" (global, priority 10, a
  tier condition) give gold resellers $0.50 and everyone else $2.00.
* "Add" actions (extra fees, credits) accumulate, in evaluation order.
* Stop further rules: when a rule with the flag matches, every rule of the SAME KIND after it
  (in any scope) is skipped. Invoicing rules never stop payment-capture rules, or vice versa.
  Whatever the stopping rule and the rules before it already set or added stays.
* Disabled rules and rules for another channel or reseller are ignored (the trace says so).

Money
-----
Every amount is a Decimal. Each invoice line is computed exactly and rounded once, half-up,
to cents; totals are sums of rounded lines, so the total is always exactly the sum of its
parts. Percent credits are a percentage of the order subtotal. Credits never take the total
below zero: a credit larger than what is left is reduced (the trace says by how much).
Discount lines and `discount_total` are negative, so `total = subtotal + shipping + fees +
other + discounts`.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from core.money import format_money
from rules.choices import CaptureMode, InvoiceLineKind, PaymentStatus

from .choices import RuleKind, RuleMatch, RuleScope
from .exceptions import RuleValidationError
from .schema import (
    ACTIONS,
    CAPTURE_MODE,
    DROPSHIP_FEE,
    FIELDS,
    ID,
    LIST_OPERATORS,
    MAX_AUTO_CAPTURE,
    NUMBER,
    SET,
    SHIPPING,
    SLOT_LABELS,
    condition_text,
    rule_validate,
)

CENT = Decimal("0.01")
ZERO = Decimal("0.00")
SCOPE_RANK = {RuleScope.GLOBAL: 0, RuleScope.CHANNEL: 1, RuleScope.RESELLER: 2}
SCOPE_WORDS = {0: "global", 1: "channel", 2: "reseller"}

CAPTURE_MODE_FOR_ACTION = {
    "capture_now": CaptureMode.CAPTURE_NOW,
    "capture_on_shipment": CaptureMode.ON_SHIPMENT,
    "capture_deferred": CaptureMode.DEFERRED,
    "capture_reseller_authorization": CaptureMode.RESELLER_AUTHORIZATION,
}
LINE_ORDER = {
    InvoiceLineKind.SHIPPING: 0,
    InvoiceLineKind.FEE: 1,
    InvoiceLineKind.OTHER: 2,
    InvoiceLineKind.DISCOUNT: 3,
}


def cents(amount: Decimal) -> Decimal:
    """The one rounding step: half-up to cents."""
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)


def money(amount: Decimal | None) -> str:
    return "—" if amount is None else format_money(amount)


# --- inputs --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class OrderFacts:
    subtotal: Decimal
    item_quantity: int
    line_count: int
    total_weight: Decimal
    source: str = ""
    ship_country: str = ""
    shipping_method: str = ""
    skus: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True)
class ResellerFacts:
    id: int | None = None
    labels: tuple[str, ...] = ()
    country: str = ""


@dataclass(frozen=True, slots=True)
class ChannelFacts:
    id: int | None = None
    slug: str = ""


@dataclass(frozen=True, slots=True)
class RuleInput:
    """A rule as the engine sees it: from a saved Rule, or from the form being edited."""

    id: int | None
    name: str
    kind: str
    scope: str = RuleScope.GLOBAL
    channel_id: int | None = None
    reseller_id: int | None = None
    priority: int = 100
    enabled: bool = True
    match: str = RuleMatch.ALL
    # Tuples of dicts, or the JSON text exactly as stored (order placement loads the text so
    # a rule it has seen before costs a dictionary lookup, not a parse and a validation).
    conditions: tuple | str = ()
    actions: tuple | str = ()
    stop_further_rules: bool = False


@dataclass(frozen=True, slots=True)
class CompiledCondition:
    field: str
    operator: str
    value: object
    test: Callable[[object], bool]

    def describe(self) -> str:
        return condition_text(self.field, self.operator, self.value)


# Not frozen: one is assembled per rule per order, and frozen dataclasses pay for
# object.__setattr__ on every field. Nothing mutates it after _assemble.
@dataclass(slots=True)
class CompiledRule:
    rule: RuleInput
    conditions: tuple[CompiledCondition, ...]
    actions: tuple[dict, ...]
    scope_rank: int
    sort_key: tuple
    error: str = ""


# --- outputs -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class InvoiceLineResult:
    kind: str
    label: str
    amount: Decimal
    rule_id: int | None
    rule_name: str


@dataclass(frozen=True, slots=True)
class Invoice:
    subtotal: Decimal
    lines: tuple[InvoiceLineResult, ...]
    shipping_total: Decimal
    fees_total: Decimal
    other_total: Decimal
    discount_total: Decimal
    total: Decimal


@dataclass(frozen=True, slots=True)
class CaptureDecision:
    mode: str
    max_auto_capture: Decimal | None
    payment_status: str
    explanation: str
    rule_id: int | None = None
    rule_name: str = ""

    @property
    def mode_label(self) -> str:
        return CaptureMode(self.mode).label

    @property
    def payment_status_label(self) -> str:
        return PaymentStatus(self.payment_status).label


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


@dataclass(frozen=True, slots=True)
class Evaluation:
    invoice: Invoice
    capture: CaptureDecision
    trace: tuple[RuleTrace, ...]


# --- compiling rules -----------------------------------------------------------------------


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


# --- evaluating ----------------------------------------------------------------------------


def _fact_values(order: OrderFacts, reseller: ResellerFacts, channel: ChannelFacts) -> dict:
    """Each field's value for this order, normalised the way compiled operands are."""
    return {
        "reseller_id": reseller.id,
        "reseller_tag": frozenset(label.casefold() for label in reseller.labels),
        "reseller_country": reseller.country.casefold(),
        "channel": channel.slug.casefold(),
        "order_subtotal": order.subtotal,
        "item_quantity": order.item_quantity,
        "line_count": order.line_count,
        "total_weight": order.total_weight,
        "source": order.source.casefold(),
        "ship_country": order.ship_country.casefold(),
        "shipping_method": order.shipping_method.casefold(),
        "sku": frozenset(sku.casefold() for sku in order.skus),
    }


@dataclass(slots=True)
class _Slot:
    action: dict
    compiled: CompiledRule
    trace: RuleTrace


def _quote(rule: RuleInput) -> str:
    return f"“{rule.name}”"


def evaluate(
    *,
    order: OrderFacts,
    reseller: ResellerFacts,
    channel: ChannelFacts,
    rules: Iterable[CompiledRule],
) -> Evaluation:
    values = _fact_values(order, reseller, channel)
    slots: dict[str, _Slot] = {}
    additions: list[tuple[dict, CompiledRule, RuleTrace]] = []
    stopped_by: dict[str, RuleInput] = {}
    traces: list[RuleTrace] = []

    for compiled in sorted(rules, key=_sort_key):
        rule = compiled.rule
        trace = RuleTrace(rule, compiled.scope_rank, NOT_MATCHED, compiled, values)
        traces.append(trace)
        # Most rules end before matching, so lists are made only for rules with something to
        # say: with a thousand rules, allocations (and the garbage collector) are the cost.
        if not rule.enabled:
            trace.outcome = DISABLED
            trace.events = ["Disabled; ignored."]
            continue
        if compiled.error:
            trace.outcome = INVALID
            trace.events = [f"Malformed, ignored: {compiled.error}"]
            continue
        if (
            rule.scope == RuleScope.CHANNEL
            and (rule.channel_id is None or rule.channel_id != channel.id)
        ) or (
            rule.scope == RuleScope.RESELLER
            and (rule.reseller_id is None or rule.reseller_id != reseller.id)
        ):
            trace.outcome = OUT_OF_SCOPE
            trace.events = ["Applies to another channel or reseller; ignored."]
            continue
        stopper = stopped_by.get(rule.kind)
        if stopper is not None:
            trace.outcome = STOPPED
            trace.events = [(_note_stopped, stopper)]
            continue

        if compiled.conditions:
            passed, bit = 0, 1
            for condition in compiled.conditions:
                if condition.test(values[condition.field]):
                    passed |= bit
                bit <<= 1
            trace.passed = passed
            if not (passed if rule.match == RuleMatch.ANY else passed == bit - 1):
                continue
            events = trace.events = []
        else:
            events = trace.events = ["No conditions: always applies."]
        trace.outcome = MATCHED

        for action in compiled.actions:
            slot = ACTIONS[action["type"]].slot
            if slot is None:
                additions.append((action, compiled, trace))
                continue
            current = slots.get(slot)
            if current is None:
                slots[slot] = _Slot(action, compiled, trace)
                events.append((_note_sets, slot, action, None))
            elif compiled.scope_rank > current.compiled.scope_rank:
                current.trace.events.append((_note_overridden, slot, compiled))
                events.append((_note_sets, slot, action, current.compiled))
                slots[slot] = _Slot(action, compiled, trace)
            else:
                events.append((_note_ignored, slot, action, current.compiled))
        if rule.stop_further_rules:
            stopped_by[rule.kind] = rule
            events.append((_note_stops, rule.kind))

    invoice = _build_invoice(order, slots, additions)
    capture = _decide_capture(invoice.total, slots)
    return Evaluation(invoice=invoice, capture=capture, trace=tuple(traces))


def _sort_key(compiled: CompiledRule) -> tuple:
    return compiled.sort_key


def _note_line(label: str, amount: Decimal) -> str:
    return f"Invoice line “{label}”: {money(amount)}."


def _note_adds(label: str, amount: Decimal) -> str:
    return f"Adds “{label}”: {money(amount)}."


def _note_credit(label: str, amount: Decimal) -> str:
    return f"Adds credit “{label}”: −{money(amount)}."


def _note_stopped(stopper: RuleInput) -> str:
    return f"Not evaluated: {_quote(stopper)} stopped further rules."


def _note_stops(kind: str) -> str:
    return f"Stops the remaining {RuleKind(kind).label.lower()} rules."


def _note_sets(slot: str, action: dict, overridden: CompiledRule | None) -> str:
    text = f"Sets the {SLOT_LABELS[slot]}: {_describe(action)}"
    if overridden is not None:
        text += (
            f", overriding the {SCOPE_WORDS[overridden.scope_rank]} rule {_quote(overridden.rule)}"
        )
    return text + "."


def _note_overridden(slot: str, by: CompiledRule) -> str:
    return (
        f"Its {SLOT_LABELS[slot]} was overridden by the more specific "
        f"{SCOPE_WORDS[by.scope_rank]} rule {_quote(by.rule)}."
    )


def _note_ignored(slot: str, action: dict, kept: CompiledRule) -> str:
    return (
        f"{_describe(action).capitalize()} ignored: {_quote(kept.rule)} already set the "
        f"{SLOT_LABELS[slot]} with a higher priority."
    )


def _describe(action: dict) -> str:
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


def _line(kind: str, label: str, amount: Decimal, rule: RuleInput) -> InvoiceLineResult:
    return InvoiceLineResult(
        kind=kind, label=label, amount=amount, rule_id=rule.id, rule_name=rule.name
    )


def _shipping_line(order: OrderFacts, slot: _Slot) -> InvoiceLineResult:
    action = slot.action
    kind = action["type"]
    if kind == "shipping_free":
        amount, label = ZERO, "Shipping (free)"
    elif kind == "shipping_flat":
        amount, label = cents(Decimal(action["amount"])), "Shipping"
    elif kind == "shipping_per_item":
        amount = cents(Decimal(action["amount"]) * order.item_quantity)
        label = f"Shipping ({order.item_quantity} × {action['amount']})"
    else:
        tier = next(
            tier
            for tier in action["tiers"]
            if tier["up_to"] is None or order.total_weight <= Decimal(tier["up_to"])
        )
        amount = cents(Decimal(tier["amount"]))
        label = (
            f"Shipping (up to {tier['up_to']} lb)"
            if tier["up_to"] is not None
            else "Shipping (by weight)"
        )
    slot.trace.events.append((_note_line, label, amount))
    return _line(InvoiceLineKind.SHIPPING, label, amount, slot.compiled.rule)


def _dropship_line(order: OrderFacts, slot: _Slot) -> InvoiceLineResult:
    action = slot.action
    if action["type"] == "dropship_fee_per_item":
        amount = cents(Decimal(action["amount"]) * order.item_quantity)
        label = f"Dropship fee ({order.item_quantity} × {action['amount']})"
    else:
        amount, label = cents(Decimal(action["amount"])), "Dropship fee"
    slot.trace.events.append((_note_line, label, amount))
    return _line(InvoiceLineKind.FEE, label, amount, slot.compiled.rule)


def _build_invoice(
    order: OrderFacts,
    slots: dict[str, _Slot],
    additions: list[tuple[dict, CompiledRule, RuleTrace]],
) -> Invoice:
    lines: list[InvoiceLineResult] = []
    if SHIPPING in slots:
        lines.append(_shipping_line(order, slots[SHIPPING]))
    if DROPSHIP_FEE in slots:
        lines.append(_dropship_line(order, slots[DROPSHIP_FEE]))
    credits = []
    for addition in additions:
        action, compiled, trace = addition
        if action["type"] == "extra_fee":
            amount = cents(Decimal(action["amount"]))
            lines.append(_line(InvoiceLineKind.OTHER, action["label"], amount, compiled.rule))
            trace.events.append((_note_adds, action["label"], amount))
        else:
            credits.append(addition)

    # Credits come last so "never below zero" is measured against every charge.
    balance = order.subtotal + sum((line.amount for line in lines), start=ZERO)
    for action, compiled, trace in credits:
        if action["type"] == "credit_percent":
            wanted = cents(order.subtotal * Decimal(action["percent"]) / 100)
            label = action.get("label") or f"Credit ({action['percent']}% of subtotal)"
        else:
            wanted = cents(Decimal(action["amount"]))
            label = action.get("label") or "Credit"
        applied = min(wanted, max(balance, ZERO))
        if wanted == 0:
            trace.events.append(f"Credit “{label}” comes to 0.00; no line added.")
            continue
        if applied <= 0:
            trace.events.append(
                f"Credit “{label}” of {money(wanted)} not applied: the total is already zero."
            )
            continue
        if applied < wanted:
            trace.events.append(
                f"Credit “{label}” reduced from {money(wanted)} to {money(applied)} so the "
                "total does not go below zero."
            )
        else:
            trace.events.append((_note_credit, label, applied))
        balance -= applied
        lines.append(_line(InvoiceLineKind.DISCOUNT, label, -applied, compiled.rule))

    lines.sort(key=lambda line: LINE_ORDER[line.kind])
    totals = dict.fromkeys(LINE_ORDER, ZERO)
    for line in lines:
        totals[line.kind] += line.amount
    subtotal = cents(order.subtotal)
    return Invoice(
        subtotal=subtotal,
        lines=tuple(lines),
        shipping_total=totals[InvoiceLineKind.SHIPPING],
        fees_total=totals[InvoiceLineKind.FEE],
        other_total=totals[InvoiceLineKind.OTHER],
        discount_total=totals[InvoiceLineKind.DISCOUNT],
        total=subtotal + sum(totals.values(), start=ZERO),
    )


def payment_status_for(mode: str, total: Decimal, max_auto_capture: Decimal | None) -> str:
    if mode == CaptureMode.ON_SHIPMENT:
        return PaymentStatus.AUTHORIZED
    if mode == CaptureMode.DEFERRED:
        return PaymentStatus.ON_TERMS
    if mode == CaptureMode.RESELLER_AUTHORIZATION:
        return PaymentStatus.AWAITING_AUTHORIZATION
    if max_auto_capture is None or total <= max_auto_capture:
        return PaymentStatus.CAPTURED
    return PaymentStatus.AWAITING_CAPTURE


def _decide_capture(total: Decimal, slots: dict[str, _Slot]) -> CaptureDecision:
    mode_slot = slots.get(CAPTURE_MODE)
    limit_slot = slots.get(MAX_AUTO_CAPTURE)
    mode = (
        CAPTURE_MODE_FOR_ACTION[mode_slot.action["type"]] if mode_slot else CaptureMode.CAPTURE_NOW
    )
    limit = Decimal(limit_slot.action["amount"]) if limit_slot else None
    status = payment_status_for(mode, total, limit)
    if mode_slot is None:
        explanation = "No payment-capture rule chose a mode: capture now (the default)."
    else:
        explanation = f"{CaptureMode(mode).label}, per {_quote(mode_slot.compiled.rule)}."
    if mode == CaptureMode.CAPTURE_NOW and limit is not None:
        if status == PaymentStatus.CAPTURED:
            explanation += (
                f" The total {money(total)} is within the {money(limit)} auto-capture limit."
            )
        else:
            explanation += (
                f" The total {money(total)} is over the {money(limit)} auto-capture limit, so "
                "staff must record the capture."
            )
        limit_slot.trace.events.append(f"Auto-capture limit {money(limit)} checked.")
    if mode_slot is not None:
        mode_slot.trace.events.append(f"Payment status: {PaymentStatus(status).label.lower()}.")
    source = mode_slot or limit_slot
    return CaptureDecision(
        mode=mode,
        max_auto_capture=limit,
        payment_status=status,
        explanation=explanation,
        rule_id=source.compiled.rule.id if source else None,
        rule_name=source.compiled.rule.name if source else "",
    )
