"""Running the engine on an order: load the rules in scope (one query), build facts, evaluate.

Used by order placement (orders/invoicing.py) and by the preview, so what staff preview is
exactly what an order would get.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

from .engine import INVALID, Evaluation, OrderFacts, RuleInput, compile_rules, evaluate
from .facts import channel_facts, order_facts, reseller_facts, rule_input_from_row
from .selectors import rule_rows_in_scope

logger = logging.getLogger(__name__)


def evaluate_rules(
    *,
    facts: OrderFacts,
    reseller,
    channel,
    edited_rule: RuleInput | None = None,
    include_disabled: bool = False,
) -> Evaluation:
    """Evaluate the rules in scope for an order described by `facts`.

    `edited_rule` (the preview from the rule form) replaces the saved rule with the same id,
    or joins the others when it is new. `include_disabled` puts disabled rules in the trace.
    """
    rules = [
        rule_input_from_row(row)
        for row in rule_rows_in_scope(
            reseller=reseller, channel=channel, include_disabled=include_disabled
        )
    ]
    if edited_rule is not None:
        rules = [rule for rule in rules if edited_rule.id is None or rule.id != edited_rule.id]
        rules.append(edited_rule)
    evaluation = evaluate(
        order=facts,
        reseller=reseller_facts(reseller),
        channel=channel_facts(channel),
        rules=compile_rules(rules),
    )
    for trace in evaluation.trace:
        if trace.outcome == INVALID:
            logger.error(
                "malformed rule ignored rule_id=%s notes=%s", trace.rule.id, "; ".join(trace.notes)
            )
    return evaluation


def price_order(*, order, lines: Iterable, reseller, channel) -> Evaluation:
    """The invoice and capture decision for an order (saved or not) and its lines."""
    return evaluate_rules(
        facts=order_facts(order=order, lines=lines), reseller=reseller, channel=channel
    )
