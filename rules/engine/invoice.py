"""Building the invoice from the slots and additions the matched rules filled."""

from __future__ import annotations

from decimal import Decimal

from ..choices import InvoiceLineKind
from ..schema import DROPSHIP_FEE, SHIPPING, TAX_ACTION
from .trace import RuleTrace, Slot, note_adds, note_credit, note_line, note_tax
from .types import (
    LINE_ORDER,
    ZERO,
    CompiledRule,
    Invoice,
    InvoiceLineResult,
    OrderFacts,
    RuleInput,
    cents,
    money,
)


def _line(kind: str, label: str, amount: Decimal, rule: RuleInput) -> InvoiceLineResult:
    return InvoiceLineResult(
        kind=kind, label=label, amount=amount, rule_id=rule.id, rule_name=rule.name
    )


def _shipping_line(order: OrderFacts, slot: Slot) -> InvoiceLineResult:
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
    slot.trace.events.append((note_line, label, amount))
    return _line(InvoiceLineKind.SHIPPING, label, amount, slot.compiled.rule)


def _dropship_line(order: OrderFacts, slot: Slot) -> InvoiceLineResult:
    action = slot.action
    if action["type"] == "dropship_fee_per_item":
        amount = cents(Decimal(action["amount"]) * order.item_quantity)
        label = f"Dropship fee ({order.item_quantity} × {action['amount']})"
    else:
        amount, label = cents(Decimal(action["amount"])), "Dropship fee"
    slot.trace.events.append((note_line, label, amount))
    return _line(InvoiceLineKind.FEE, label, amount, slot.compiled.rule)


def build_invoice(
    order: OrderFacts,
    slots: dict[str, Slot],
    additions: list[tuple[dict, CompiledRule, RuleTrace]],
) -> Invoice:
    lines: list[InvoiceLineResult] = []
    if SHIPPING in slots:
        lines.append(_shipping_line(order, slots[SHIPPING]))
    if DROPSHIP_FEE in slots:
        lines.append(_dropship_line(order, slots[DROPSHIP_FEE]))
    credits, taxes = [], []
    for addition in additions:
        action, compiled, trace = addition
        if action["type"] == TAX_ACTION:
            taxes.append(addition)
        elif action["type"] == "extra_fee":
            amount = cents(Decimal(action["amount"]))
            lines.append(_line(InvoiceLineKind.OTHER, action["label"], amount, compiled.rule))
            trace.events.append((note_adds, action["label"], amount))
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
            trace.events.append((note_credit, label, applied))
        balance -= applied
        lines.append(_line(InvoiceLineKind.DISCOUNT, label, -applied, compiled.rule))

    lines.extend(_tax_lines(order, lines, taxes))

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
        tax_total=totals[InvoiceLineKind.TAX],
    )


def _tax_lines(
    order: OrderFacts,
    lines: list[InvoiceLineResult],
    taxes: list[tuple[dict, CompiledRule, RuleTrace]],
) -> list[InvoiceLineResult]:
    """One line per tax action: its percent of the subtotal, plus the shipping when the action
    says so, computed exactly and rounded once. Credits do not reduce the base (the action
    says "% of subtotal"), and tax is never charged on tax."""
    shipping = sum(
        (line.amount for line in lines if line.kind == InvoiceLineKind.SHIPPING), start=ZERO
    )
    result = []
    for action, compiled, trace in taxes:
        base = order.subtotal + (shipping if action.get("include_shipping") else ZERO)
        amount = cents(base * Decimal(action["percent"]) / 100)
        label = action.get("label") or (
            f"Tax {action['percent']}%"
            + (" (incl. shipping)" if action.get("include_shipping") else "")
        )
        trace.events.append((note_tax, label, amount, base))
        result.append(_line(InvoiceLineKind.TAX, label, amount, compiled.rule))
    return result
