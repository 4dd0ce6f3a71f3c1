"""Evaluating compiled rules against one order's facts: which match, what each sets or
adds, then the invoice and the capture decision."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from ..choices import RuleMatch, RuleScope
from ..schema import ACTIONS, TAX_ACTION
from .capture import decide_capture
from .invoice import build_invoice
from .trace import (
    DISABLED,
    INVALID,
    MATCHED,
    NOT_MATCHED,
    OUT_OF_SCOPE,
    STOPPED,
    TAX_EXEMPT_NOTE,
    RuleTrace,
    Slot,
    note_ignored,
    note_overridden,
    note_sets,
    note_stopped,
    note_stops,
)
from .types import (
    CaptureDecision,
    ChannelFacts,
    CompiledRule,
    Invoice,
    OrderFacts,
    ResellerFacts,
    RuleInput,
)


@dataclass(frozen=True, slots=True)
class Evaluation:
    invoice: Invoice
    capture: CaptureDecision
    trace: tuple[RuleTrace, ...]


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
        "ship_state": order.ship_state.casefold(),
        "shipping_method": order.shipping_method.casefold(),
        "sku": frozenset(sku.casefold() for sku in order.skus),
    }


def evaluate(
    *,
    order: OrderFacts,
    reseller: ResellerFacts,
    channel: ChannelFacts,
    rules: Iterable[CompiledRule],
) -> Evaluation:
    values = _fact_values(order, reseller, channel)
    slots: dict[str, Slot] = {}
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
            trace.events = [(note_stopped, stopper)]
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
                if action["type"] == TAX_ACTION and reseller.tax_exempt:
                    events.append(TAX_EXEMPT_NOTE)
                    continue
                additions.append((action, compiled, trace))
                continue
            current = slots.get(slot)
            if current is None:
                slots[slot] = Slot(action, compiled, trace)
                events.append((note_sets, slot, action, None))
            elif compiled.scope_rank > current.compiled.scope_rank:
                current.trace.events.append((note_overridden, slot, compiled))
                events.append((note_sets, slot, action, current.compiled))
                slots[slot] = Slot(action, compiled, trace)
            else:
                events.append((note_ignored, slot, action, current.compiled))
        if rule.stop_further_rules:
            stopped_by[rule.kind] = rule
            events.append((note_stops, rule.kind))

    invoice = build_invoice(order, slots, additions)
    capture = decide_capture(invoice.total, slots)
    return Evaluation(invoice=invoice, capture=capture, trace=tuple(traces))


def _sort_key(compiled: CompiledRule) -> tuple:
    return compiled.sort_key
