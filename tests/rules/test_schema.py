"""Malformed rules are refused with typed errors that say where and what; good ones are
normalised to what the engine reads."""

from __future__ import annotations

import pytest

from rules.exceptions import (
    ActionNotAllowedForKind,
    ConflictingActions,
    InvalidScope,
    InvalidValue,
    MissingValue,
    NotANumber,
    OperatorNotAllowed,
    RuleValidationError,
    UnknownAction,
    UnknownField,
)
from rules.schema import rule_validate

FEE = {"type": "dropship_fee_per_order", "amount": "2"}


def condition(field, operator, value):
    return {"field": field, "operator": operator, "value": value}


MALFORMED_CONDITIONS = [
    (condition("colour", "equals", "red"), UnknownField, "conditions[0].field"),
    (condition("", "equals", "red"), MissingValue, "conditions[0].field"),
    (condition("ship_country", "gt", "US"), OperatorNotAllowed, "conditions[0].operator"),
    (condition("ship_country", "between", "US"), OperatorNotAllowed, "conditions[0].operator"),
    (condition("order_subtotal", "contains", "5"), OperatorNotAllowed, "conditions[0].operator"),
    (condition("sku", "equals", "MUG-1"), OperatorNotAllowed, "conditions[0].operator"),
    (condition("reseller_tag", "gt", "gold"), OperatorNotAllowed, "conditions[0].operator"),
    (condition("reseller_id", "gt", "3"), OperatorNotAllowed, "conditions[0].operator"),
    (condition("order_subtotal", "gt", "lots"), NotANumber, "conditions[0].value"),
    (condition("order_subtotal", "in", "5, many"), NotANumber, "conditions[0].value"),
    (condition("total_weight", "lt", "NaN"), NotANumber, "conditions[0].value"),
    (condition("order_subtotal", "gt", ""), MissingValue, "conditions[0].value"),
    (condition("reseller_id", "equals", "1.5"), InvalidValue, "conditions[0].value"),
    (condition("source", "equals", "fax"), InvalidValue, "conditions[0].value"),
    (condition("ship_country", "equals", "USA"), InvalidValue, "conditions[0].value"),
    (condition("ship_country", "in", " , "), MissingValue, "conditions[0].value"),
    (condition("ship_country", "equals", ["US"]), InvalidValue, "conditions[0].value"),
    ("not a dict", InvalidValue, "conditions[0]"),
]


@pytest.mark.parametrize(("bad", "error", "path"), MALFORMED_CONDITIONS)
def test_a_malformed_condition_is_refused_with_a_typed_error(bad, error, path):
    with pytest.raises(RuleValidationError) as caught:
        rule_validate(kind="invoicing", conditions=[bad], actions=[FEE])

    (problem,) = caught.value.problems
    assert type(problem) is error
    assert problem.path == path
    assert problem.message


MALFORMED_ACTIONS = [
    ("invoicing", [{"type": "teleport"}], UnknownAction, "actions[0].type"),
    ("invoicing", [{"amount": "2"}], MissingValue, "actions[0].type"),
    ("invoicing", [{"type": "dropship_fee_per_order", "amount": "two"}], NotANumber, ""),
    ("invoicing", [{"type": "dropship_fee_per_order"}], NotANumber, ""),
    ("invoicing", [{"type": "dropship_fee_per_order", "amount": "1.234"}], InvalidValue, ""),
    ("invoicing", [{"type": "dropship_fee_per_order", "amount": "1,50"}], NotANumber, ""),
    ("invoicing", [{"type": "dropship_fee_per_order", "amount": "-1"}], InvalidValue, ""),
    ("invoicing", [{"type": "extra_fee", "amount": "1"}], MissingValue, "actions[0].label"),
    ("invoicing", [{"type": "extra_fee", "label": "X", "amount": "0"}], InvalidValue, ""),
    ("invoicing", [{"type": "credit_amount", "amount": "0"}], InvalidValue, ""),
    ("invoicing", [{"type": "credit_percent", "percent": "150"}], InvalidValue, ""),
    ("invoicing", [{"type": "credit_percent", "percent": "0"}], InvalidValue, ""),
    ("invoicing", [{"type": "credit_percent", "percent": "five"}], NotANumber, ""),
    ("invoicing", [{"type": "capture_now"}], ActionNotAllowedForKind, "actions[0].type"),
    ("payment_capture", [FEE], ActionNotAllowedForKind, "actions[0].type"),
    ("payment_capture", [{"type": "max_auto_capture", "amount": "x"}], NotANumber, ""),
    (
        "invoicing",
        [{"type": "shipping_flat", "amount": "5"}, {"type": "shipping_free"}],
        ConflictingActions,
        "actions[1].type",
    ),
    (
        "payment_capture",
        [{"type": "capture_now"}, {"type": "capture_deferred"}],
        ConflictingActions,
        "actions[1].type",
    ),
    ("invoicing", [], MissingValue, "actions"),
    (
        "invoicing",
        [{"type": "shipping_weight_tiers", "tiers": "1=4.95, 5=8.95"}],
        InvalidValue,
        "actions[0].tiers",
    ),
    (
        "invoicing",
        [{"type": "shipping_weight_tiers", "tiers": "5=4.95, 1=8.95, *=9"}],
        InvalidValue,
        "actions[0].tiers",
    ),
    (
        "invoicing",
        [{"type": "shipping_weight_tiers", "tiers": "*=4.95, 5=8.95"}],
        InvalidValue,
        "actions[0].tiers",
    ),
    (
        "invoicing",
        [{"type": "shipping_weight_tiers", "tiers": "heavy"}],
        InvalidValue,
        "actions[0].tiers",
    ),
    ("invoicing", [{"type": "shipping_weight_tiers", "tiers": ""}], MissingValue, ""),
]


@pytest.mark.parametrize(("kind", "actions", "error", "path"), MALFORMED_ACTIONS)
def test_a_malformed_action_is_refused_with_a_typed_error(kind, actions, error, path):
    with pytest.raises(RuleValidationError) as caught:
        rule_validate(kind=kind, conditions=[], actions=actions)

    (problem,) = caught.value.problems
    assert type(problem) is error
    assert problem.path.startswith(path)


@pytest.mark.parametrize(
    ("scope", "channel_id", "reseller_id", "path"),
    [
        ("channel", None, None, "channel"),
        ("reseller", None, None, "reseller"),
        ("global", 1, None, "channel"),
        ("reseller", 1, 2, "channel"),
        ("galaxy", None, None, "scope"),
    ],
)
def test_the_scope_and_its_target_must_agree(scope, channel_id, reseller_id, path):
    with pytest.raises(RuleValidationError) as caught:
        rule_validate(
            kind="invoicing",
            conditions=[],
            actions=[FEE],
            scope=scope,
            channel_id=channel_id,
            reseller_id=reseller_id,
        )

    (problem,) = caught.value.problems
    assert isinstance(problem, InvalidScope)
    assert problem.path == path


def test_every_problem_is_reported_at_once():
    with pytest.raises(RuleValidationError) as caught:
        rule_validate(
            kind="invoicing",
            conditions=[condition("colour", "equals", "red"), condition("sku", "gt", "1")],
            actions=[{"type": "teleport"}],
        )

    assert [type(problem) for problem in caught.value.problems] == [
        UnknownField,
        OperatorNotAllowed,
        UnknownAction,
    ]


def test_a_good_rule_is_normalised_for_the_engine():
    validated = rule_validate(
        kind="invoicing",
        conditions=[
            condition("ship_country", "in", "us, ca"),
            condition("order_subtotal", "gte", " 500.00 "),
            condition("source", "equals", "API"),
            condition("reseller_id", "in", ["3", "4.0"]),
        ],
        actions=[
            {"type": "dropship_fee_per_order", "amount": "2"},
            {"type": "shipping_weight_tiers", "tiers": "1=4.95, 5.50=8.9, *=14"},
            {"type": "credit_percent", "percent": "5.000", "label": "  Loyalty "},
            {"type": "extra_fee", "label": "Gift wrap", "amount": "1000.5"},
        ],
    )

    assert validated.conditions == [
        {"field": "ship_country", "operator": "in", "value": ["US", "CA"]},
        {"field": "order_subtotal", "operator": "gte", "value": "500"},
        {"field": "source", "operator": "equals", "value": "api"},
        {"field": "reseller_id", "operator": "in", "value": ["3", "4"]},
    ]
    assert validated.actions == [
        {"type": "dropship_fee_per_order", "amount": "2.00"},
        {
            "type": "shipping_weight_tiers",
            "tiers": [
                {"up_to": "1", "amount": "4.95"},
                {"up_to": "5.5", "amount": "8.90"},
                {"up_to": None, "amount": "14.00"},
            ],
        },
        {"type": "credit_percent", "percent": "5", "label": "Loyalty"},
        {"type": "extra_fee", "amount": "1000.50", "label": "Gift wrap"},
    ]
