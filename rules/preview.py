"""Preview: run the rules against an existing or hypothetical order, saving nothing.

Reads only. The facts come from a saved order and its lines, or from what staff typed (a
reseller plus SKUs priced from its channel, or plain numbers), then the same `evaluate_rules`
that order placement uses runs on them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from channels.selectors import listing_list_for_channel

from .engine import Evaluation, OrderFacts, RuleInput
from .exceptions import RuleError
from .facts import order_facts
from .pricing import evaluate_rules


class PreviewNotPossible(RuleError):
    pass


# Orders sit above rules, so rules cannot look an order up itself. The orders app says how:
# `OrdersConfig.ready()` registers a function from an order number to `(order, lines)`, or
# None when there is no such order. Until then only hypothetical orders can be previewed.
OrderLookup = Callable[[str], "tuple[object, list] | None"]
_order_lookup: OrderLookup | None = None


def register_order_lookup(lookup: OrderLookup) -> None:
    global _order_lookup
    _order_lookup = lookup


@dataclass(frozen=True)
class PreviewResult:
    evaluation: Evaluation
    facts: OrderFacts
    reseller: object
    channel: object
    order: object | None = None

    @property
    def description(self) -> str:
        if self.order is not None:
            return f"order {self.order.number} from {self.reseller}"
        return f"a hypothetical order from {self.reseller}"


@dataclass(frozen=True)
class _DraftLine:
    sku: str
    quantity: int
    line_total: Decimal
    unit_weight: Decimal


@dataclass(frozen=True)
class _DraftOrder:
    source: str
    ship_country: str
    shipping_method: str
    ship_state: str = ""


def _existing(number: str) -> tuple[object, list]:
    found = _order_lookup(number) if _order_lookup is not None else None
    if found is None:
        raise PreviewNotPossible(f"There is no order numbered “{number}”.")
    return found


def _draft_lines(reseller, items: list[tuple[str, int]]) -> list[_DraftLine]:
    """Price the typed SKUs the way order placement does: the reseller's channel's active
    listings, matched on the exact SKU (PreviewForm has already refused a repeated one)."""
    if reseller.channel_id is None:
        raise PreviewNotPossible(
            f"{reseller} has no channel yet, so its SKUs have no prices; give a subtotal instead."
        )
    listings = {
        listing.product.sku: listing
        for listing in listing_list_for_channel(channel=reseller.channel).filter(
            product__sku__in=[sku for sku, _ in items]
        )
    }
    missing = [sku for sku, _ in items if sku not in listings]
    if missing:
        raise PreviewNotPossible(
            f"Not listed on {reseller.channel}: {', '.join(missing)}. "
            "Use SKUs from the reseller's channel."
        )
    lines = []
    for sku, quantity in items:
        listing = listings[sku]
        lines.append(
            _DraftLine(
                sku=sku,
                quantity=quantity,
                line_total=listing.price * quantity,
                unit_weight=listing.product.weight,
            )
        )
    return lines


def preview_run(*, form, edited_rule: RuleInput | None = None) -> PreviewResult:
    """Evaluate for a valid PreviewForm. Raises PreviewNotPossible with a message for staff."""
    data = form.cleaned_data
    if not form.is_hypothetical:
        order, lines = _existing(data["order_number"])
        facts = order_facts(order=order, lines=lines)
        reseller, channel = order.reseller, order.channel
    else:
        reseller = data["reseller"]
        channel = reseller.channel
        draft = _DraftOrder(
            source=data.get("source") or "portal",
            ship_country=data.get("ship_country") or "",
            shipping_method=data.get("shipping_method") or "",
            ship_state=data.get("ship_state") or "",
        )
        if data["items"]:
            facts = order_facts(order=draft, lines=_draft_lines(reseller, data["items"]))
        else:
            subtotal, quantity, weight = form.numbers()
            facts = OrderFacts(
                subtotal=subtotal,
                item_quantity=quantity,
                line_count=1 if quantity else 0,
                total_weight=weight,
                source=draft.source,
                ship_country=draft.ship_country,
                ship_state=draft.ship_state,
                shipping_method=draft.shipping_method,
            )
        order = None
    evaluation = evaluate_rules(
        facts=facts,
        reseller=reseller,
        channel=channel,
        edited_rule=edited_rule,
        include_disabled=True,
    )
    return PreviewResult(
        evaluation=evaluation, facts=facts, reseller=reseller, channel=channel, order=order
    )
