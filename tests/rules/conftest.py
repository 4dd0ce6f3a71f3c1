from __future__ import annotations

from decimal import Decimal

import pytest

from orders.models import InvoiceLine, Order, OrderEvent, OrderLine
from orders.services import LineRequest, OrderRequest
from rules.engine import (
    ChannelFacts,
    Evaluation,
    OrderFacts,
    ResellerFacts,
    RuleInput,
    compile_rules,
    evaluate,
)
from rules.models import Rule, RuleChange
from tests.factories import ListingFactory, ProductFactory
from tests.orders.conftest import (
    SHIP_TO,
    ship_to_post,  # noqa: F401  (the portal order pad fixture)
)

RESELLER = ResellerFacts(id=7, labels=("gold", "eu"), country="US")
CHANNEL = ChannelFacts(id=3, slug="retail")
_ids = iter(range(1, 1_000_000))


def rule(
    *actions: dict,
    conditions: tuple | list = (),
    kind: str = "invoicing",
    scope: str = "global",
    priority: int = 100,
    **fields,
) -> RuleInput:
    """A rule for the engine tests; ids increase so ties on priority keep creation order."""
    rule_id = fields.pop("id", next(_ids))
    if scope == "channel":
        fields.setdefault("channel_id", CHANNEL.id)
    if scope == "reseller":
        fields.setdefault("reseller_id", RESELLER.id)
    return RuleInput(
        id=rule_id,
        name=fields.pop("name", f"rule {rule_id}"),
        kind=kind,
        scope=scope,
        priority=priority,
        conditions=tuple(conditions),
        actions=tuple(actions),
        **fields,
    )


def order_facts(**overrides) -> OrderFacts:
    values = {
        "subtotal": Decimal("100.00"),
        "item_quantity": 2,
        "line_count": 1,
        "total_weight": Decimal("1.5"),
        "source": "portal",
        "ship_country": "US",
        "shipping_method": "Ground",
        "skus": frozenset({"MUG-1"}),
    }
    values.update(overrides)
    return OrderFacts(**values)


def run(rules, *, order=None, reseller=RESELLER, channel=CHANNEL) -> Evaluation:
    return evaluate(
        order=order or order_facts(),
        reseller=reseller,
        channel=channel,
        rules=compile_rules(rules),
    )


def fee(amount: str) -> dict:
    return {"type": "dropship_fee_per_order", "amount": amount}


def order_request(reference: str, items=(("MUG-1", 2),), **overrides) -> OrderRequest:
    return OrderRequest(
        reference_number=reference,
        ship_to=SHIP_TO,
        items=[LineRequest(sku=sku, quantity=quantity) for sku, quantity in items],
        **overrides,
    )


def row_counts() -> dict[str, int]:
    return {
        model.__name__: model.objects.count()
        for model in (Order, OrderLine, InvoiceLine, OrderEvent, Rule, RuleChange)
    }


@pytest.fixture
def catalog(channel):
    """Two listed products on the reseller's channel: a 1 lb mug at 12.50, a 0.2 lb cap at 8."""
    return [
        ListingFactory(
            channel=channel,
            product=ProductFactory(sku="MUG-1", weight=Decimal("1.000")),
            price=Decimal("12.50"),
        ),
        ListingFactory(
            channel=channel,
            product=ProductFactory(sku="CAP-1", weight=Decimal("0.200")),
            price=Decimal("8.00"),
        ),
    ]
