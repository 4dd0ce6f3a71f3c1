"""The engine as a pure function: tables of cases, no database."""

from __future__ import annotations

from decimal import Decimal

import pytest

from orders.choices import CaptureMode, InvoiceLineKind, PaymentStatus
from rules.engine import ChannelFacts, ResellerFacts, RuleInput, compile_rules, evaluate
from tests.rules.conftest import RESELLER, fee, order_facts, rule, run

# The default order: subtotal 100.00, 2 items on 1 line, 1.5 lb, portal, ship to US by
# Ground, SKU MUG-1; reseller 7 tagged gold and eu in the US; channel 3 "retail".
OPERATOR_CASES = [
    # number fields
    ("order_subtotal", "equals", "100", True),
    ("order_subtotal", "equals", "99.99", False),
    ("order_subtotal", "not_equals", "100.00", False),
    ("order_subtotal", "not_equals", "50", True),
    ("order_subtotal", "in", "50, 100", True),
    ("order_subtotal", "not_in", "50, 100", False),
    ("order_subtotal", "gt", "99.99", True),
    ("order_subtotal", "gt", "100", False),
    ("order_subtotal", "gte", "100", True),
    ("order_subtotal", "gte", "100.01", False),
    ("order_subtotal", "lt", "100", False),
    ("order_subtotal", "lt", "100.01", True),
    ("order_subtotal", "lte", "100", True),
    ("order_subtotal", "lte", "99.99", False),
    ("item_quantity", "gt", "1", True),
    ("item_quantity", "lte", "1", False),
    ("item_quantity", "in", "1, 2, 3", True),
    ("line_count", "equals", "1", True),
    ("line_count", "gte", "2", False),
    ("total_weight", "gte", "1.5", True),
    ("total_weight", "lt", "1.5", False),
    ("total_weight", "not_equals", "1.500", False),
    # id field
    ("reseller_id", "equals", "7", True),
    ("reseller_id", "equals", "8", False),
    ("reseller_id", "not_equals", "7", False),
    ("reseller_id", "in", "1, 7", True),
    ("reseller_id", "not_in", "7", False),
    ("reseller_id", "not_in", "1, 2", True),
    # text fields (case-insensitive)
    ("reseller_country", "equals", "us", True),
    ("reseller_country", "not_equals", "CA", True),
    ("ship_country", "in", "CA, US", True),
    ("ship_country", "not_in", "CA, MX", True),
    ("ship_country", "not_in", "US", False),
    ("channel", "equals", "retail", True),
    ("channel", "equals", "wholesale", False),
    ("channel", "contains", "tai", True),
    ("source", "equals", "api", False),
    ("source", "in", "portal, api", True),
    ("shipping_method", "equals", "ground", True),
    ("shipping_method", "contains", "ROUN", True),
    ("shipping_method", "contains", "air", False),
    # set fields: a reseller's tier and tags, an order's SKUs
    ("reseller_tag", "contains", "gold", True),
    ("reseller_tag", "contains", "GOLD", True),
    ("reseller_tag", "contains", "silver", False),
    ("reseller_tag", "in", "silver, eu", True),
    ("reseller_tag", "in", "silver, bronze", False),
    ("reseller_tag", "not_in", "silver", True),
    ("reseller_tag", "not_in", "gold", False),
    ("sku", "contains", "MUG-1", True),
    ("sku", "contains", "mug-1", True),
    ("sku", "contains", "MUG", False),
    ("sku", "in", "CAP-1, MUG-1", True),
    ("sku", "not_in", "MUG-1", False),
    ("sku", "not_in", "CAP-1", True),
]


@pytest.mark.parametrize(("field", "operator", "value", "matches"), OPERATOR_CASES)
def test_each_operator_on_each_field_type(field, operator, value, matches):
    result = run(
        [rule(fee("2.00"), conditions=[{"field": field, "operator": operator, "value": value}])]
    )

    assert result.trace[0].matched is matches
    assert result.invoice.fees_total == (Decimal("2.00") if matches else Decimal("0.00"))


def test_a_reseller_without_id_or_labels_never_equals_but_always_not_equals():
    anonymous = ResellerFacts()
    conditions = [
        ({"field": "reseller_id", "operator": "equals", "value": "7"}, False),
        ({"field": "reseller_id", "operator": "not_equals", "value": "7"}, True),
        ({"field": "reseller_tag", "operator": "not_in", "value": "gold"}, True),
        ({"field": "reseller_tag", "operator": "contains", "value": "gold"}, False),
    ]
    for condition, expected in conditions:
        result = run([rule(fee("1"), conditions=[condition])], reseller=anonymous)
        assert result.trace[0].matched is expected, condition


YES = {"field": "ship_country", "operator": "equals", "value": "US"}
NO = {"field": "ship_country", "operator": "equals", "value": "CA"}


@pytest.mark.parametrize(
    ("match", "conditions", "matches"),
    [
        ("all", [YES, YES], True),
        ("all", [YES, NO], False),
        ("all", [NO, NO], False),
        ("any", [YES, NO], True),
        ("any", [NO, YES], True),
        ("any", [NO, NO], False),
        ("all", [], True),
        ("any", [], True),
    ],
)
def test_all_and_any(match, conditions, matches):
    result = run([rule(fee("2.00"), conditions=conditions, match=match)])

    assert result.trace[0].matched is matches
    assert [c.passed for c in result.trace[0].conditions] == [c is YES for c in conditions]


def test_a_rule_without_conditions_always_applies_and_says_so():
    result = run([rule(fee("2.00"))])

    assert result.invoice.fees_total == Decimal("2.00")
    assert "No conditions: always applies." in result.trace[0].notes


SET_PRECEDENCE_CASES = [
    # (rules as (scope, priority, fee), expected fee, winning scope)
    ([("global", 100, "2.00")], "2.00", "global"),
    ([("global", 100, "2.00"), ("channel", 100, "1.00")], "1.00", "channel"),
    ([("global", 100, "2.00"), ("reseller", 100, "0.50")], "0.50", "reseller"),
    ([("reseller", 1, "0.50"), ("channel", 1, "1.00"), ("global", 1, "2.00")], "0.50", "reseller"),
    # Priority orders rules within a scope; it never lets a broader scope win.
    ([("global", 1, "2.00"), ("reseller", 999, "0.50")], "0.50", "reseller"),
    ([("channel", 1, "1.00"), ("global", 1, "2.00")], "1.00", "channel"),
    # Same scope: the higher priority (lower number) keeps the slot.
    ([("global", 100, "2.00"), ("global", 10, "0.50")], "0.50", "global"),
    ([("global", 10, "0.50"), ("global", 100, "2.00")], "0.50", "global"),
]


@pytest.mark.parametrize(("specs", "expected", "winner"), SET_PRECEDENCE_CASES)
def test_a_more_specific_set_overrides_a_broader_one(specs, expected, winner):
    rules = [rule(fee(amount), scope=scope, priority=priority) for scope, priority, amount in specs]

    result = run(rules)

    (line,) = result.invoice.lines
    assert line.amount == Decimal(expected)
    winning_rule = next(r for r in rules if r.id == line.rule_id)
    assert winning_rule.scope == winner


def test_the_trace_names_what_overrode_what():
    broad = rule(fee("2.00"), name="Everyone")
    specific = rule(fee("0.50"), scope="reseller", name="Our friend")

    result = run([broad, specific])

    everyone, friend = result.trace
    assert any(
        "overridden by the more specific reseller rule “Our friend”" in n for n in everyone.notes
    )
    assert any("overriding the global rule “Everyone”" in n for n in friend.notes)


def test_gold_resellers_pay_fifty_cents_and_everyone_else_two_dollars():
    rules = [
        rule(fee("2.00"), priority=100, name="Dropship fee"),
        rule(
            fee("0.50"),
            priority=10,
            name="Gold",
            conditions=[{"field": "reseller_tag", "operator": "contains", "value": "gold"}],
        ),
    ]

    gold = run(rules, reseller=ResellerFacts(id=1, labels=("Gold",)))
    plain = run(rules, reseller=ResellerFacts(id=2, labels=()))

    assert [(line.label, line.amount, line.rule_name) for line in gold.invoice.lines] == [
        ("Dropship fee", Decimal("0.50"), "Gold")
    ]
    assert [(line.amount, line.rule_name) for line in plain.invoice.lines] == [
        (Decimal("2.00"), "Dropship fee")
    ]


def test_add_actions_accumulate_across_scopes():
    rules = [
        rule({"type": "extra_fee", "label": "Handling", "amount": "1.50"}),
        rule({"type": "extra_fee", "label": "Packaging", "amount": "0.75"}, scope="channel"),
        rule({"type": "credit_amount", "amount": "1.00"}, scope="reseller"),
        rule({"type": "credit_amount", "amount": "2.00", "label": "Promo"}),
    ]

    invoice = run(rules).invoice

    assert [(line.kind, line.label, line.amount) for line in invoice.lines] == [
        (InvoiceLineKind.OTHER, "Handling", Decimal("1.50")),
        (InvoiceLineKind.OTHER, "Packaging", Decimal("0.75")),
        (InvoiceLineKind.DISCOUNT, "Promo", Decimal("-2.00")),
        (InvoiceLineKind.DISCOUNT, "Credit", Decimal("-1.00")),
    ]
    assert invoice.other_total == Decimal("2.25")
    assert invoice.discount_total == Decimal("-3.00")
    assert invoice.total == Decimal("99.25")


def test_stop_further_rules_skips_the_remaining_rules_of_the_same_kind_only():
    rules = [
        rule(fee("1.00"), priority=10, stop_further_rules=True, name="Stopper"),
        rule({"type": "extra_fee", "label": "Skipped", "amount": "5"}, priority=20),
        rule(fee("0.10"), scope="reseller", name="Skipped too"),
        rule({"type": "capture_deferred"}, kind="payment_capture", scope="reseller"),
    ]

    result = run(rules)

    assert [line.amount for line in result.invoice.lines] == [Decimal("1.00")]
    assert [(step.rule.name, step.outcome) for step in result.trace] == [
        ("Stopper", "matched"),
        (rules[1].name, "stopped"),
        ("Skipped too", "stopped"),
        (rules[3].name, "matched"),
    ]
    by_name = {step.rule.name: step for step in result.trace}
    assert by_name["Skipped too"].outcome == "stopped"
    assert "“Stopper” stopped further rules" in by_name["Skipped too"].notes[0]
    assert result.capture.mode == CaptureMode.DEFERRED


def test_a_stop_rule_that_does_not_match_stops_nothing():
    rules = [
        rule(fee("1.00"), priority=10, stop_further_rules=True, conditions=[NO]),
        rule({"type": "extra_fee", "label": "Runs", "amount": "5"}, priority=20),
    ]

    assert run(rules).invoice.other_total == Decimal("5.00")


@pytest.mark.parametrize(
    ("subtotal", "percent", "credit"),
    [
        ("10.05", "5", "-0.50"),  # 0.5025
        ("10.10", "5", "-0.51"),  # 0.505: half-up, not banker's rounding (0.50)
        ("0.10", "5", "-0.01"),  # 0.005
        ("0.30", "5", "-0.02"),  # 0.015
        ("33.33", "12.5", "-4.17"),  # 4.16625
        ("19.99", "33.3333", "-6.66"),  # 6.66332...
        ("100.00", "100", "-100.00"),
        ("0.01", "10", "0"),  # 0.001 rounds to nothing: no line at all
    ],
)
def test_percent_credits_round_once_half_up_to_cents(subtotal, percent, credit):
    result = run(
        [rule({"type": "credit_percent", "percent": percent})],
        order=order_facts(subtotal=Decimal(subtotal)),
    )

    assert result.invoice.discount_total == Decimal(credit)
    assert result.invoice.total == Decimal(subtotal) + Decimal(credit)


@pytest.mark.parametrize(
    ("credits", "expected_lines", "total"),
    [
        (["50.00"], ["-17.00"], "0.00"),
        (["10.00", "10.00"], ["-10.00", "-7.00"], "0.00"),
        (["17.00", "5.00"], ["-17.00"], "0.00"),
        (["1000000000"], ["-17.00"], "0.00"),
    ],
)
def test_a_credit_larger_than_the_order_never_makes_the_total_negative(
    credits, expected_lines, total
):
    rules = [
        rule({"type": "shipping_flat", "amount": "5.00"}),
        rule(fee("2.00")),
        *[rule({"type": "credit_amount", "amount": amount}) for amount in credits],
    ]

    result = run(rules, order=order_facts(subtotal=Decimal("10.00")))

    discounts = [line.amount for line in result.invoice.lines if line.kind == "discount"]
    assert discounts == [Decimal(amount) for amount in expected_lines]
    assert result.invoice.total == Decimal(total)
    notes = [note for step in result.trace for note in step.notes]
    assert any("so the total does not go below zero" in n or "already zero" in n for n in notes)


def test_a_percent_credit_bigger_than_what_is_left_is_capped_too():
    rules = [
        rule({"type": "credit_amount", "amount": "90"}),
        rule({"type": "credit_percent", "percent": "50"}),
    ]

    invoice = run(rules).invoice

    assert invoice.discount_total == Decimal("-100.00")
    assert invoice.total == Decimal("0.00")


def test_disabled_rules_are_ignored():
    result = run(
        [
            rule(fee("2.00"), enabled=False),
            rule({"type": "capture_deferred"}, kind="payment_capture", enabled=False),
        ]
    )

    assert result.invoice.lines == ()
    assert result.capture.mode == CaptureMode.CAPTURE_NOW
    assert [step.outcome for step in result.trace] == ["disabled", "disabled"]


def test_rules_for_another_channel_or_reseller_are_ignored():
    result = run(
        [
            rule(fee("1.00"), scope="channel", channel_id=999),
            rule(fee("0.50"), scope="reseller", reseller_id=999),
        ]
    )

    assert result.invoice.lines == ()
    assert [step.outcome for step in result.trace] == ["out of scope", "out of scope"]


def test_a_malformed_rule_is_ignored_and_the_trace_says_why():
    malformed = RuleInput(id=1, name="Broken", kind="invoicing", actions=({"type": "teleport"},))

    result = evaluate(
        order=order_facts(),
        reseller=RESELLER,
        channel=ChannelFacts(id=3, slug="retail"),
        rules=compile_rules([malformed, rule(fee("2.00"))]),
    )

    assert result.invoice.fees_total == Decimal("2.00")
    assert result.trace[0].outcome == "invalid"
    assert "teleport" in result.trace[0].notes[0]


TIERS = [
    {"up_to": "1", "amount": "4.95"},
    {"up_to": "5", "amount": "8.95"},
    {"up_to": None, "amount": "14.95"},
]


@pytest.mark.parametrize(
    ("action", "weight", "quantity", "amount", "label"),
    [
        ({"type": "shipping_flat", "amount": "6.50"}, "3", 2, "6.50", "Shipping"),
        ({"type": "shipping_per_item", "amount": "1.25"}, "3", 3, "3.75", "Shipping (3 × 1.25)"),
        (
            {"type": "shipping_weight_tiers", "tiers": TIERS},
            "0.5",
            1,
            "4.95",
            "Shipping (up to 1 lb)",
        ),
        (
            {"type": "shipping_weight_tiers", "tiers": TIERS},
            "1",
            1,
            "4.95",
            "Shipping (up to 1 lb)",
        ),
        (
            {"type": "shipping_weight_tiers", "tiers": TIERS},
            "1.001",
            1,
            "8.95",
            "Shipping (up to 5 lb)",
        ),
        (
            {"type": "shipping_weight_tiers", "tiers": TIERS},
            "80",
            1,
            "14.95",
            "Shipping (by weight)",
        ),
        ({"type": "shipping_free"}, "80", 1, "0.00", "Shipping (free)"),
    ],
)
def test_shipping_costs(action, weight, quantity, amount, label):
    result = run(
        [rule(action)], order=order_facts(total_weight=Decimal(weight), item_quantity=quantity)
    )

    assert [(line.kind, line.label, line.amount) for line in result.invoice.lines] == [
        (InvoiceLineKind.SHIPPING, label, Decimal(amount))
    ]
    assert result.invoice.shipping_total == Decimal(amount)


def test_free_shipping_over_500_beats_the_standard_rate_only_when_it_matches():
    rules = [
        rule({"type": "shipping_weight_tiers", "tiers": TIERS}, priority=100),
        rule(
            {"type": "shipping_free"},
            priority=20,
            conditions=[{"field": "order_subtotal", "operator": "gt", "value": "500"}],
        ),
    ]

    assert run(rules, order=order_facts(subtotal=Decimal("500.01"))).invoice.shipping_total == 0
    assert run(rules, order=order_facts(subtotal=Decimal("500.00"))).invoice.shipping_total == (
        Decimal("8.95")
    )


def test_a_per_item_dropship_fee_multiplies_by_the_item_quantity():
    result = run(
        [rule({"type": "dropship_fee_per_item", "amount": "0.35"})],
        order=order_facts(item_quantity=7),
    )

    assert [(line.label, line.amount) for line in result.invoice.lines] == [
        ("Dropship fee (7 × 0.35)", Decimal("2.45"))
    ]


CAPTURE = "payment_capture"


@pytest.mark.parametrize(
    ("rules", "total", "mode", "limit", "status"),
    [
        ([], "100.00", CaptureMode.CAPTURE_NOW, None, PaymentStatus.CAPTURED),
        (
            [{"type": "capture_now"}],
            "100.00",
            CaptureMode.CAPTURE_NOW,
            None,
            PaymentStatus.CAPTURED,
        ),
        (
            [{"type": "capture_now"}, {"type": "max_auto_capture", "amount": "100"}],
            "100.00",
            CaptureMode.CAPTURE_NOW,
            "100.00",
            PaymentStatus.CAPTURED,
        ),
        (
            [{"type": "max_auto_capture", "amount": "99.99"}],
            "100.00",
            CaptureMode.CAPTURE_NOW,
            "99.99",
            PaymentStatus.AWAITING_CAPTURE,
        ),
        ([{"type": "capture_on_shipment"}], "100.00", CaptureMode.ON_SHIPMENT, None, "authorized"),
        ([{"type": "capture_deferred"}], "100.00", CaptureMode.DEFERRED, None, "on_terms"),
        (
            [{"type": "capture_reseller_authorization"}],
            "100.00",
            CaptureMode.RESELLER_AUTHORIZATION,
            None,
            PaymentStatus.AWAITING_AUTHORIZATION,
        ),
    ],
)
def test_the_capture_decision(rules, total, mode, limit, status):
    result = run(
        [rule(*rules, kind=CAPTURE)] if rules else [],
        order=order_facts(subtotal=Decimal(total)),
    )

    assert result.capture.mode == mode
    assert result.capture.max_auto_capture == (Decimal(limit) if limit else None)
    # The engine decides mode and limit; payments turns them into a status.
    assert result.capture.over_auto_capture_limit == (status == PaymentStatus.AWAITING_CAPTURE)


def test_a_reseller_capture_rule_overrides_the_channel_one():
    rules = [
        rule({"type": "capture_on_shipment"}, kind=CAPTURE, scope="channel"),
        rule({"type": "capture_deferred"}, kind=CAPTURE, scope="reseller", name="Net 30"),
    ]

    capture = run(rules).capture

    assert (capture.mode, capture.over_auto_capture_limit, capture.rule_name) == (
        CaptureMode.DEFERRED,
        False,
        "Net 30",
    )


def test_the_auto_capture_limit_is_checked_against_the_total_after_fees_and_credits():
    rules = [
        rule({"type": "max_auto_capture", "amount": "101"}, kind=CAPTURE),
        rule(fee("2.00")),
    ]

    result = run(rules)

    assert result.invoice.total == Decimal("102.00")
    assert result.capture.over_auto_capture_limit
    assert "over the 101.00 auto-capture limit" in result.capture.explanation


def test_rules_are_evaluated_global_then_channel_then_reseller_by_priority():
    rules = [
        rule(fee("1"), scope="reseller", priority=1, name="r1"),
        rule(fee("1"), scope="channel", priority=5, name="c5"),
        rule(fee("1"), scope="global", priority=50, name="g50"),
        rule(fee("1"), scope="global", priority=5, name="g5"),
        rule(fee("1"), scope="channel", priority=1, name="c1"),
    ]

    assert [step.rule.name for step in run(rules).trace] == ["g5", "g50", "c1", "c5", "r1"]


def test_the_engine_runs_without_database_access():
    # This module has no django_db mark: any query would raise instead of passing.
    result = run([rule(fee("2.00")), rule({"type": "capture_deferred"}, kind=CAPTURE)])

    assert result.invoice.total == Decimal("102.00")
