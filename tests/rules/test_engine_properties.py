"""Property: whatever the rules and the order, the invoice adds up."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from rules.engine import ChannelFacts, OrderFacts, ResellerFacts, RuleInput, compile_rules, evaluate
from rules.schema import ACTIONS

CENT = Decimal("0.01")

money = st.decimals(min_value=0, max_value=5000, places=2, allow_nan=False, allow_infinity=False)
weight = st.decimals(min_value=0, max_value=200, places=3, allow_nan=False, allow_infinity=False)
percent = st.decimals(
    min_value=Decimal("0.0001"), max_value=100, places=4, allow_nan=False, allow_infinity=False
)
tiers = st.lists(st.tuples(weight.filter(lambda w: w > 0), money), min_size=0, max_size=3).map(
    lambda pairs: [
        {"up_to": str(up_to), "amount": str(amount)}
        for up_to, amount in sorted({up_to: amount for up_to, amount in pairs}.items())
    ]
)

invoicing_action = st.one_of(
    money.map(lambda a: {"type": "dropship_fee_per_order", "amount": str(a)}),
    money.map(lambda a: {"type": "dropship_fee_per_item", "amount": str(a)}),
    money.map(lambda a: {"type": "shipping_flat", "amount": str(a)}),
    money.map(lambda a: {"type": "shipping_per_item", "amount": str(a)}),
    st.tuples(tiers, money).map(
        lambda t: {
            "type": "shipping_weight_tiers",
            "tiers": [*t[0], {"up_to": None, "amount": str(t[1])}],
        }
    ),
    st.just({"type": "shipping_free"}),
    money.filter(lambda a: a > 0).map(
        lambda a: {"type": "extra_fee", "label": "Handling", "amount": str(a)}
    ),
    money.filter(lambda a: a > 0).map(lambda a: {"type": "credit_amount", "amount": str(a)}),
    percent.map(lambda p: {"type": "credit_percent", "percent": str(p)}),
    st.tuples(percent, st.booleans()).map(
        lambda t: {"type": "tax_percent", "percent": str(t[0]), "include_shipping": t[1]}
    ),
)
capture_action = st.one_of(
    st.sampled_from(
        [
            {"type": "capture_now"},
            {"type": "capture_on_shipment"},
            {"type": "capture_deferred"},
            {"type": "capture_reseller_authorization"},
        ]
    ),
    money.map(lambda a: {"type": "max_auto_capture", "amount": str(a)}),
)
condition = st.one_of(
    st.tuples(st.sampled_from(["gt", "gte", "lt", "lte", "equals"]), money).map(
        lambda c: {"field": "order_subtotal", "operator": c[0], "value": str(c[1])}
    ),
    st.sampled_from(["gold", "silver"]).map(
        lambda tag: {"field": "reseller_tag", "operator": "contains", "value": tag}
    ),
    st.sampled_from(["US", "CA"]).map(
        lambda country: {"field": "ship_country", "operator": "equals", "value": country}
    ),
    st.sampled_from(["OR", "CA"]).map(
        lambda state: {"field": "ship_state", "operator": "equals", "value": state}
    ),
)


def _slot(action: dict) -> object:
    """One "set" per slot in a rule (rule_validate refuses two shipping costs); "add"
    actions may repeat, so each gets a key of its own."""
    return ACTIONS[action["type"]].slot or object()


@st.composite
def rules(draw) -> list[RuleInput]:
    result = []
    for index in range(draw(st.integers(min_value=0, max_value=8))):
        kind = draw(st.sampled_from(["invoicing", "payment_capture"]))
        actions = draw(
            st.lists(
                invoicing_action if kind == "invoicing" else capture_action,
                min_size=1,
                max_size=3,
                unique_by=_slot,
            )
        )
        scope = draw(st.sampled_from(["global", "channel", "reseller"]))
        result.append(
            RuleInput(
                id=index + 1,
                name=f"rule {index + 1}",
                kind=kind,
                scope=scope,
                channel_id=1 if scope == "channel" else None,
                reseller_id=1 if scope == "reseller" else None,
                priority=draw(st.integers(min_value=0, max_value=5)),
                enabled=draw(st.booleans()),
                match=draw(st.sampled_from(["all", "any"])),
                conditions=tuple(draw(st.lists(condition, max_size=2))),
                actions=tuple(actions),
                stop_further_rules=draw(st.booleans()),
            )
        )
    return result


orders = st.builds(
    OrderFacts,
    subtotal=money,
    item_quantity=st.integers(min_value=0, max_value=500),
    line_count=st.integers(min_value=0, max_value=20),
    total_weight=weight,
    ship_country=st.sampled_from(["US", "CA"]),
    ship_state=st.sampled_from(["OR", "CA", ""]),
)


@settings(max_examples=200, deadline=None)
@given(
    rule_set=rules(),
    order=orders,
    tags=st.sampled_from([(), ("gold",), ("silver", "x")]),
    tax_exempt=st.booleans(),
)
def test_totals_equal_the_sum_of_their_parts(rule_set, order, tags, tax_exempt):
    compiled = compile_rules(rule_set)
    assert not [rule for rule in compiled if rule.error], "the strategy only builds valid rules"

    invoice = evaluate(
        order=order,
        reseller=ResellerFacts(id=1, labels=tags, tax_exempt=tax_exempt),
        channel=ChannelFacts(id=1, slug="retail"),
        rules=compiled,
    ).invoice

    def lines_of(kind: str) -> Decimal:
        return sum((line.amount for line in invoice.lines if line.kind == kind), Decimal("0"))

    assert invoice.shipping_total == lines_of("shipping")
    assert invoice.fees_total == lines_of("fee")
    assert invoice.other_total == lines_of("other")
    assert invoice.discount_total == lines_of("discount")
    assert invoice.tax_total == lines_of("tax")
    assert invoice.total == (
        invoice.subtotal
        + invoice.shipping_total
        + invoice.fees_total
        + invoice.other_total
        + invoice.discount_total
        + invoice.tax_total
    )
    assert invoice.total == invoice.subtotal + sum(
        (line.amount for line in invoice.lines), Decimal("0")
    )
    assert invoice.total >= 0
    assert all(line.amount == line.amount.quantize(CENT) for line in invoice.lines)
    assert all(line.amount < 0 for line in invoice.lines if line.kind == "discount")
    assert sum(1 for line in invoice.lines if line.kind == "shipping") <= 1
    assert sum(1 for line in invoice.lines if line.kind == "fee") <= 1
    assert all(line.amount >= 0 for line in invoice.lines if line.kind == "tax")
    if tax_exempt:
        assert invoice.tax_total == 0
        assert not any(line.kind == "tax" for line in invoice.lines)
