"""Property: for any pad and any rule set, what Review order shows (order_quote) is what
placing the same pad stores (order_place): every line, charge, total and tax, the capture
decision, the due date and the tax exemption. The rule sets are the engine property test's,
tax actions and ship-to state conditions included."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from orders.services import LineRequest, OrderRequest, ShipTo, order_place, order_quote
from resellers.choices import PaymentTerms
from rules.models import Rule
from tests.factories import ListingFactory, ProductFactory
from tests.rules.test_engine_properties import rules as rule_sets

pytestmark = pytest.mark.django_db

PRODUCTS = 5
TOTAL_FIELDS = (
    "subtotal",
    "shipping_total",
    "fees_total",
    "other_total",
    "discount_total",
    "tax",
    "total",
    "capture_mode",
    "max_auto_capture",
    "due_date",
    "tax_exemption",
)

pads = st.fixed_dictionaries(
    {
        "items": st.lists(
            st.tuples(st.integers(0, PRODUCTS - 1), st.integers(1, 60)),
            min_size=1,
            max_size=PRODUCTS,
            unique_by=lambda item: item[0],
        ),
        "country": st.sampled_from(["US", "CA"]),
        "state": st.sampled_from(["OR", "CA", "ON"]),
        "method": st.sampled_from(["Ground", "2-day", "Overnight"]),
        "tier": st.sampled_from(["", "gold", "silver"]),
        "terms": st.sampled_from(PaymentTerms.values),
        "tax_exempt": st.booleans(),
    }
)


@pytest.fixture
def catalog(channel):
    return [
        ListingFactory(
            channel=channel,
            product=ProductFactory(sku=f"P-{n}", weight=Decimal(n) / 3),
            price=Decimal("0.99") * (n + 1) + Decimal("3.37") * n,
        )
        for n in range(PRODUCTS)
    ]


def _save_rules(rule_inputs, *, channel, reseller) -> None:
    for rule in rule_inputs:
        Rule.objects.create(
            name=rule.name,
            kind=rule.kind,
            scope=rule.scope,
            channel=channel if rule.scope == "channel" else None,
            reseller=reseller if rule.scope == "reseller" else None,
            priority=rule.priority,
            enabled=rule.enabled,
            match=rule.match,
            conditions=list(rule.conditions),
            actions=list(rule.actions),
            stop_further_rules=rule.stop_further_rules,
        )


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(rule_set=rule_sets(), pad=pads)
def test_the_review_numbers_are_the_placed_orders_numbers(
    rule_set, pad, reseller, channel, catalog
):
    # Each example runs in a transaction rolled back at its end: its rules, its order and its
    # invoice number leave nothing behind for the next one.
    with transaction.atomic():
        reseller.tier = pad["tier"]
        reseller.payment_terms = pad["terms"]
        reseller.tax_exempt = pad["tax_exempt"]
        reseller.tax_exempt_note = "Resale certificate R-1" if pad["tax_exempt"] else ""
        reseller.save()
        _save_rules(rule_set, channel=channel, reseller=reseller)
        request = OrderRequest(
            reference_number="PO-PROPERTY",
            ship_to=ShipTo(
                name="Jordan",
                address_line1="1 Main St",
                city="Springfield",
                state=pad["state"],
                postal_code="97403",
                country_code=pad["country"],
            ),
            items=[
                LineRequest(sku=f"P-{index}", quantity=quantity) for index, quantity in pad["items"]
            ],
            shipping_method=pad["method"],
        )
        quote = order_quote(reseller=reseller, request=request)
        placed = order_place(reseller=reseller, request=request)
        placed.refresh_from_db()

        for field in TOTAL_FIELDS:
            assert getattr(quote.order, field) == getattr(placed, field), field
        assert [
            (line.sku, line.quantity, line.unit_price, line.line_total) for line in quote.lines
        ] == list(placed.lines.values_list("sku", "quantity", "unit_price", "line_total"))
        assert [
            (line.kind, line.label, line.amount, line.rule_id) for line in quote.invoice_lines
        ] == list(placed.invoice_lines.values_list("kind", "label", "amount", "rule_id"))
        assert quote.order.total == quote.order.subtotal + sum(
            (line.amount for line in quote.invoice_lines), Decimal("0")
        )
        transaction.set_rollback(True)
