"""The Tax invoicing action: validation, the form, the engine (exact, rounded once, added up,
conditions on ship-to state), and tax-exempt resellers (skipped, expiry included)."""

from __future__ import annotations

import datetime
from dataclasses import replace
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from orders.services import order_place
from rules.exceptions import InvalidValue, RuleValidationError
from rules.models import Rule
from rules.schema import rule_validate
from tests.rules.conftest import RESELLER, order_facts, order_request, rule, run
from tests.rules.factories import RuleFactory
from tests.rules.test_backoffice import CREATE, rule_post


def tax(percent: str, *, include_shipping: bool = False, label: str | None = None) -> dict:
    action = {"type": "tax_percent", "percent": percent, "include_shipping": include_shipping}
    if label is not None:
        action["label"] = label
    return action


# --- schema -------------------------------------------------------------------------------


def test_a_tax_action_is_normalised():
    validated = rule_validate(
        kind="invoicing",
        conditions=[{"field": "ship_state", "operator": "in", "value": "ca, or"}],
        actions=[
            {"type": "tax_percent", "percent": "8.2500", "include_shipping": "on"},
            {"type": "tax_percent", "percent": "1", "label": " County tax "},
        ],
    )
    assert validated.conditions == [
        {"field": "ship_state", "operator": "in", "value": ["CA", "OR"]}
    ]
    assert validated.actions == [
        {"type": "tax_percent", "percent": "8.25", "include_shipping": True},
        {"type": "tax_percent", "percent": "1", "include_shipping": False, "label": "County tax"},
    ]


@pytest.mark.parametrize(
    ("action", "path"),
    [
        ({"type": "tax_percent", "percent": "0"}, "actions[0].percent"),
        ({"type": "tax_percent", "percent": "101"}, "actions[0].percent"),
        ({"type": "tax_percent", "percent": "5", "include_shipping": "maybe"}, None),
    ],
)
def test_a_bad_tax_action_is_refused(action, path):
    with pytest.raises(RuleValidationError) as caught:
        rule_validate(kind="invoicing", conditions=[], actions=[action])
    problem = caught.value.problems[0]
    assert isinstance(problem, InvalidValue)
    assert problem.path == (path or "actions[0].include_shipping")


def test_tax_belongs_in_an_invoicing_rule():
    with pytest.raises(RuleValidationError):
        rule_validate(kind="payment_capture", conditions=[], actions=[tax("5")])


@pytest.mark.django_db
def test_staff_create_a_tax_rule_in_the_form(staff_client):
    response = staff_client.post(
        CREATE,
        rule_post(
            **{
                "name": "Oregon tax",
                "conditions-0-field": "ship_state",
                "conditions-0-operator": "equals",
                "conditions-0-value": "or",
                "actions-0-type": "tax_percent",
                "actions-0-amount": "7.5",
                "actions-0-label": "Oregon sales tax",
                "actions-0-include_shipping": "on",
            }
        ),
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    saved = Rule.objects.get(name="Oregon tax")
    assert saved.conditions == [{"field": "ship_state", "operator": "equals", "value": "OR"}]
    assert saved.actions == [
        {
            "type": "tax_percent",
            "percent": "7.5",
            "include_shipping": True,
            "label": "Oregon sales tax",
        }
    ]
    page = staff_client.get(reverse("backoffice:rule_edit", args=[saved.pk])).content.decode()
    assert "Tax (% of subtotal, optionally including shipping)" in page
    assert 'name="actions-0-include_shipping"' in page and "checked" in page


# --- engine -------------------------------------------------------------------------------


def test_tax_is_a_percent_of_the_subtotal_rounded_once():
    invoice = run([rule(tax("8.25"))], order=order_facts(subtotal=Decimal("19.99"))).invoice
    # 19.99 × 8.25% = 1.649175 → 1.65, computed exactly and rounded once.
    assert [(line.kind, line.label, line.amount) for line in invoice.lines] == [
        ("tax", "Tax 8.25%", Decimal("1.65"))
    ]
    assert invoice.tax_total == Decimal("1.65")
    assert invoice.total == Decimal("21.64")


def test_tax_can_include_shipping():
    rules = [
        rule({"type": "shipping_flat", "amount": "10.00"}),
        rule(tax("10", include_shipping=True, label="VAT")),
    ]
    invoice = run(rules).invoice
    assert [(line.kind, line.label, line.amount) for line in invoice.lines] == [
        ("shipping", "Shipping", Decimal("10.00")),
        ("tax", "VAT", Decimal("11.00")),
    ]
    assert invoice.total == Decimal("121.00")


def test_tax_is_on_the_subtotal_before_credits_and_fees():
    rules = [
        rule({"type": "shipping_flat", "amount": "10.00"}),
        rule({"type": "dropship_fee_per_order", "amount": "2.00"}),
        rule({"type": "credit_amount", "amount": "30.00"}),
        rule(tax("5")),
    ]
    invoice = run(rules).invoice
    assert invoice.tax_total == Decimal("5.00")
    assert invoice.total == Decimal("100") + 10 + 2 - 30 + 5


def test_two_tax_rules_make_two_tax_lines():
    invoice = run([rule(tax("6", label="State")), rule(tax("1.5", label="County"))]).invoice
    assert [(line.label, line.amount) for line in invoice.lines] == [
        ("State", Decimal("6.00")),
        ("County", Decimal("1.50")),
    ]
    assert invoice.tax_total == Decimal("7.50")


@pytest.mark.parametrize(("state", "taxed"), [("CA", True), ("ca", True), ("OR", False)])
def test_tax_rules_match_on_the_ship_to_state(state, taxed):
    california = rule(
        tax("7.25"), conditions=[{"field": "ship_state", "operator": "equals", "value": "CA"}]
    )
    invoice = run([california], order=order_facts(ship_state=state.upper())).invoice
    assert invoice.tax_total == (Decimal("7.25") if taxed else Decimal("0"))


def test_tax_rules_match_on_the_resellers_tier():
    gold_only = rule(
        tax("5"), conditions=[{"field": "reseller_tag", "operator": "contains", "value": "gold"}]
    )
    assert run([gold_only]).invoice.tax_total == Decimal("5.00")
    silver = replace(RESELLER, labels=("silver",))
    assert run([gold_only], reseller=silver).invoice.tax_total == Decimal("0")


def test_an_exempt_reseller_skips_tax_actions_but_not_the_rest():
    rules = [rule(tax("8"), {"type": "extra_fee", "label": "Handling", "amount": "1.00"})]
    evaluation = run(rules, reseller=replace(RESELLER, tax_exempt=True))
    assert [line.label for line in evaluation.invoice.lines] == ["Handling"]
    assert evaluation.invoice.tax_total == Decimal("0")
    notes = " ".join(note for trace in evaluation.trace for note in trace.notes)
    assert "tax-exempt" in notes


# --- placement ----------------------------------------------------------------------------


@pytest.mark.django_db
def test_placing_an_order_stores_its_tax(reseller, listing):
    RuleFactory(name="internal tax", actions=[tax("10", label="Sales tax")])
    order = order_place(reseller=reseller, request=order_request("PO-1"))
    order.refresh_from_db()
    assert order.tax == (order.subtotal * Decimal("0.10")).quantize(Decimal("0.01"))
    assert order.total == order.subtotal + order.tax
    assert [(line.kind, line.label) for line in order.invoice_lines.all()] == [("tax", "Sales tax")]
    assert order.tax_exemption == ""


@pytest.mark.django_db
def test_an_exempt_resellers_order_has_no_tax_and_says_why(reseller_client, reseller, listing):
    reseller.tax_exempt = True
    reseller.tax_exempt_note = "Resale certificate CA-778812"
    reseller.tax_exempt_until = timezone.localdate()  # the expiry day is still covered
    reseller.save()
    RuleFactory(name="internal tax", actions=[tax("10")])
    order = order_place(reseller=reseller, request=order_request("PO-1"))
    order.refresh_from_db()
    assert order.tax == Decimal("0") and order.total == order.subtotal
    assert "Resale certificate CA-778812" in order.tax_exemption
    page = reseller_client.get(reverse("portal:order_invoice", args=[order.pk])).content.decode()
    assert "No tax charged" in page and "Resale certificate CA-778812" in page


@pytest.mark.django_db
def test_an_expired_exemption_is_taxed(reseller, listing):
    reseller.tax_exempt = True
    reseller.tax_exempt_note = "Expired certificate"
    reseller.tax_exempt_until = timezone.localdate() - datetime.timedelta(days=1)
    reseller.save()
    RuleFactory(name="internal tax", actions=[tax("10")])
    order = order_place(reseller=reseller, request=order_request("PO-1"))
    assert order.tax > 0 and order.tax_exemption == ""
