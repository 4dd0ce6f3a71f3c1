"""The rules engine: a pure function from an order to an invoice and a capture decision.

    evaluate(order=OrderFacts, reseller=ResellerFacts, channel=ChannelFacts, rules=[...])
        -> Evaluation(invoice, capture, trace)

No database access happens here, so the same code prices a saved order, an order being placed
(not saved yet) and a hypothetical order in the preview. Callers build the facts
(rules/facts.py) and load the rules (rules/selectors.rules_in_scope, one query).

Modules, in the order an order passes through them:
  types.py      facts, rules, compiled rules, invoice and capture decision; cents() and money()
  compiler.py   compile_rules: validate each rule once (cached by content), conditions → tests
  evaluation.py evaluate: which rules match, what each sets or adds (slots and additions)
  invoice.py    the invoice lines and totals from the slots and additions
  capture.py    the capture mode, the auto-capture limit and the payment status
  trace.py      RuleTrace per rule and the sentences (notes) the preview shows

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
* "Add" actions (extra fees, credits, taxes) accumulate, in evaluation order. A tax-exempt
  reseller's orders skip tax actions (the trace says so).
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
Taxes come last: a percentage of the subtotal, plus the shipping when the action says so, never
reduced by credits. Discount lines and `discount_total` are negative, so `total = subtotal +
shipping + fees + other + discounts + tax`.
"""

from __future__ import annotations

# The public names, importable as before from rules.engine.
from .compiler import compile_rules
from .evaluation import Evaluation, evaluate
from .trace import (
    DISABLED,
    INVALID,
    MATCHED,
    NOT_MATCHED,
    OUT_OF_SCOPE,
    OUTCOME_BADGES,
    STOPPED,
    ConditionResult,
    RuleTrace,
)
from .types import (
    CAPTURE_MODE_FOR_ACTION,
    CENT,
    LINE_ORDER,
    SCOPE_RANK,
    SCOPE_WORDS,
    ZERO,
    CaptureDecision,
    ChannelFacts,
    CompiledCondition,
    CompiledRule,
    Invoice,
    InvoiceLineResult,
    OrderFacts,
    ResellerFacts,
    RuleInput,
    cents,
    money,
)

__all__ = [
    "CAPTURE_MODE_FOR_ACTION",
    "CENT",
    "DISABLED",
    "INVALID",
    "LINE_ORDER",
    "MATCHED",
    "NOT_MATCHED",
    "OUTCOME_BADGES",
    "OUT_OF_SCOPE",
    "SCOPE_RANK",
    "SCOPE_WORDS",
    "STOPPED",
    "ZERO",
    "CaptureDecision",
    "ChannelFacts",
    "CompiledCondition",
    "CompiledRule",
    "ConditionResult",
    "Evaluation",
    "Invoice",
    "InvoiceLineResult",
    "OrderFacts",
    "ResellerFacts",
    "RuleInput",
    "RuleTrace",
    "cents",
    "compile_rules",
    "evaluate",
    "money",
]
