"""Building the engine's inputs from models, without queries of their own.

Callers pass objects they already hold (the order being placed and its unsaved lines, a saved
order with its lines prefetched, a reseller, a Rule row), so the number of queries stays the
caller's decision.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from django.utils import timezone

from .engine import ChannelFacts, OrderFacts, ResellerFacts, RuleInput


def order_facts(*, order, lines: Iterable) -> OrderFacts:
    """Facts about an order (saved or not) and its lines (OrderLine-like objects)."""
    lines = list(lines)
    return OrderFacts(
        subtotal=sum((Decimal(line.line_total) for line in lines), start=Decimal("0")),
        item_quantity=sum(line.quantity for line in lines),
        line_count=len(lines),
        total_weight=sum(
            (Decimal(line.unit_weight or 0) * line.quantity for line in lines),
            start=Decimal("0"),
        ),
        source=order.source or "",
        ship_country=(order.ship_country or "").upper(),
        ship_state=(order.ship_state or "").upper(),
        shipping_method=order.shipping_method or "",
        skus=frozenset(line.sku for line in lines),
    )


def reseller_facts(reseller) -> ResellerFacts:
    if reseller is None:
        return ResellerFacts()
    return ResellerFacts(
        id=reseller.pk,
        labels=tuple(reseller.labels),
        country=(reseller.country or "").upper(),
        # Orders are priced on the day they are placed (and previewed on the day they are
        # previewed): an exemption that expired yesterday no longer applies.
        tax_exempt=reseller.tax_exempt_on(timezone.localdate()),
    )


def channel_facts(channel) -> ChannelFacts:
    if channel is None:
        return ChannelFacts()
    return ChannelFacts(id=channel.pk, slug=channel.slug)


RULE_INPUT_COLUMNS = (
    "id",
    "name",
    "kind",
    "scope",
    "channel_id",
    "reseller_id",
    "priority",
    "enabled",
    "match",
    "stop_further_rules",
    "conditions_text",
    "actions_text",
)


def rule_input_from_row(row: tuple) -> RuleInput:
    """A `values_list(*RULE_INPUT_COLUMNS)` row (JSON as text) as the engine sees it."""
    (rule_id, name, kind, scope, channel_id, reseller_id, priority, enabled, match, stop) = row[:10]
    return RuleInput(
        id=rule_id,
        name=name,
        kind=kind,
        scope=scope,
        channel_id=channel_id,
        reseller_id=reseller_id,
        priority=priority,
        enabled=enabled,
        match=match,
        conditions=row[10],
        actions=row[11],
        stop_further_rules=stop,
    )
