"""What a rule may say: its fields, operators and actions, and `rule_validate`.

A rule's conditions and actions are stored as JSON lists of small dicts:

    conditions: [{"field": "order_subtotal", "operator": "gt", "value": "500"},
                 {"field": "ship_country", "operator": "in", "value": ["US", "CA"]}]
    actions:    [{"type": "dropship_fee_per_order", "amount": "2.00"},
                 {"type": "extra_fee", "label": "Gift wrap", "amount": "1.50"},
                 {"type": "shipping_weight_tiers",
                  "tiers": [{"up_to": "1", "amount": "4.95"}, {"up_to": null, "amount": "9.95"}]}]

`rule_validate` is the only gate into that shape: the form, the service and `Rule.clean` all
call it, and it returns the normalised lists (amounts as two-decimal strings, countries upper
case…) so what is stored is exactly what the engine reads. Nothing here touches the database.

Field types decide which operators fit:

    number  (order subtotal, item quantity, line count, total weight)
            equals, not equals, in, not in, >, ≥, <, ≤
    id      (reseller id)                       equals, not equals, in, not in
    text    (reseller country, channel slug, source, ship-to country and state, shipping
            method)
            equals, not equals, in, not in, contains (substring)
    set     (reseller tier or tag, SKU — an order has several)
            contains (has this one), in (has any of these), not in (has none of these)

Text and set comparisons ignore case: tiers, tags and shipping methods are free labels.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from rules.choices import OrderSource

from .choices import RuleKind, RuleMatch, RuleScope
from .exceptions import (
    ActionNotAllowedForKind,
    ConflictingActions,
    InvalidScope,
    InvalidValue,
    MissingValue,
    NotANumber,
    OperatorNotAllowed,
    RuleProblem,
    RuleValidationError,
    UnknownAction,
    UnknownField,
)

NUMBER, ID, TEXT, SET = "number", "id", "text", "set"

# Large enough for any real order, small enough for the money columns (14 digits, 2 places).
MAX_AMOUNT = Decimal("1000000000")


@dataclass(frozen=True)
class FieldSpec:
    name: str
    label: str
    type: str
    # How a text value is normalised before it is stored ("upper" for country codes…).
    case: str = ""
    choices: tuple[str, ...] = ()
    integer: bool = False


FIELDS: dict[str, FieldSpec] = {
    spec.name: spec
    for spec in (
        FieldSpec("reseller_id", "Reseller ID", ID, integer=True),
        FieldSpec("reseller_tag", "Reseller tier or tag", SET),
        FieldSpec("reseller_country", "Reseller country", TEXT, case="upper"),
        FieldSpec("channel", "Channel (slug)", TEXT, case="lower"),
        FieldSpec("order_subtotal", "Order subtotal", NUMBER),
        FieldSpec("item_quantity", "Item quantity", NUMBER),
        FieldSpec("line_count", "Line count", NUMBER),
        FieldSpec("total_weight", "Total weight (lb)", NUMBER),
        FieldSpec("source", "Source", TEXT, case="lower", choices=tuple(OrderSource.values)),
        FieldSpec("ship_country", "Ship-to country", TEXT, case="upper"),
        FieldSpec("ship_state", "Ship-to state", TEXT, case="upper"),
        FieldSpec("shipping_method", "Shipping method", TEXT),
        FieldSpec("sku", "SKU", SET),
    )
}

OPERATORS: dict[str, str] = {
    "equals": "equals",
    "not_equals": "not equals",
    "in": "in (any of)",
    "not_in": "not in (none of)",
    "gt": "> (more than)",
    "gte": "≥ (at least)",
    "lt": "< (less than)",
    "lte": "≤ (at most)",
    "contains": "contains",
}
# Short forms for the trace and the rules list.
OPERATOR_SYMBOLS: dict[str, str] = {
    "equals": "=",
    "not_equals": "≠",
    "in": "in",
    "not_in": "not in",
    "gt": ">",
    "gte": "≥",
    "lt": "<",
    "lte": "≤",
    "contains": "contains",
}
OPERATORS_FOR_TYPE: dict[str, tuple[str, ...]] = {
    NUMBER: ("equals", "not_equals", "in", "not_in", "gt", "gte", "lt", "lte"),
    ID: ("equals", "not_equals", "in", "not_in"),
    TEXT: ("equals", "not_equals", "in", "not_in", "contains"),
    SET: ("contains", "in", "not_in"),
}
LIST_OPERATORS = frozenset({"in", "not_in"})


def condition_text(field: object, operator: object, value: object) -> str:
    """'Ship-to country in US, CA': a condition as the rules list and the trace show it.

    Lenient, so a stored condition that bypassed validation still reads as something."""
    spec = FIELDS.get(field)
    shown = ", ".join(value) if isinstance(value, list) else value
    label = spec.label if spec else field
    return f"{label} {OPERATOR_SYMBOLS.get(operator, '?')} {shown}"


# Actions. A "set" action fills a slot: only one value per slot survives (the most specific
# scope wins; within a scope, the higher priority). "add" actions (slot None) accumulate.
@dataclass(frozen=True)
class ActionSpec:
    type: str
    label: str
    kind: str
    slot: str | None
    params: tuple[str, ...] = ()


DROPSHIP_FEE, SHIPPING, CAPTURE_MODE, MAX_AUTO_CAPTURE = (
    "dropship_fee",
    "shipping",
    "capture_mode",
    "max_auto_capture",
)
SLOT_LABELS = {
    DROPSHIP_FEE: "dropship fee",
    SHIPPING: "shipping cost",
    CAPTURE_MODE: "capture mode",
    MAX_AUTO_CAPTURE: "maximum auto-capture amount",
}

_INVOICING, _CAPTURE = RuleKind.INVOICING.value, RuleKind.PAYMENT_CAPTURE.value
ACTIONS: dict[str, ActionSpec] = {
    spec.type: spec
    for spec in (
        ActionSpec(
            "dropship_fee_per_order",
            "Dropship fee per order",
            _INVOICING,
            DROPSHIP_FEE,
            ("amount",),
        ),
        ActionSpec(
            "dropship_fee_per_item", "Dropship fee per item", _INVOICING, DROPSHIP_FEE, ("amount",)
        ),
        ActionSpec("shipping_flat", "Shipping: flat", _INVOICING, SHIPPING, ("amount",)),
        ActionSpec("shipping_per_item", "Shipping: per item", _INVOICING, SHIPPING, ("amount",)),
        ActionSpec(
            "shipping_weight_tiers", "Shipping: by weight tiers", _INVOICING, SHIPPING, ("tiers",)
        ),
        ActionSpec("shipping_free", "Shipping: free", _INVOICING, SHIPPING),
        ActionSpec("extra_fee", "Extra fee", _INVOICING, None, ("label", "amount")),
        ActionSpec("credit_amount", "Credit or discount: amount", _INVOICING, None, ("amount",)),
        ActionSpec(
            "credit_percent", "Credit or discount: % of subtotal", _INVOICING, None, ("percent",)
        ),
        # Adds up like fees, so a state rate and a local rate make two tax lines.
        ActionSpec(
            "tax_percent",
            "Tax (% of subtotal, optionally including shipping)",
            _INVOICING,
            None,
            ("percent", "include_shipping"),
        ),
        ActionSpec("capture_now", "Capture now", _CAPTURE, CAPTURE_MODE),
        ActionSpec("capture_on_shipment", "Authorize, capture on shipment", _CAPTURE, CAPTURE_MODE),
        ActionSpec("capture_deferred", "Defer (net terms)", _CAPTURE, CAPTURE_MODE),
        ActionSpec(
            "capture_reseller_authorization",
            "Require the reseller's authorization",
            _CAPTURE,
            CAPTURE_MODE,
        ),
        ActionSpec(
            "max_auto_capture",
            "Maximum auto-capture amount",
            _CAPTURE,
            MAX_AUTO_CAPTURE,
            ("amount",),
        ),
    )
}
TAX_ACTION = "tax_percent"

# Optional on credits: what the invoice line says instead of the default wording.
OPTIONAL_LABEL_ACTIONS = frozenset({"credit_amount", "credit_percent", "tax_percent"})


@dataclass(frozen=True)
class ValidatedRule:
    conditions: list[dict]
    actions: list[dict]


# --- values --------------------------------------------------------------------------------


def parse_decimal(raw: object, *, what: str, path: str) -> Decimal:
    """A finite Decimal from a string or number, or NotANumber saying what was expected."""
    if isinstance(raw, bool) or raw is None:
        raise NotANumber(f"{what} must be a number.", path=path)
    text = str(raw).strip() if not isinstance(raw, Decimal) else raw
    if text == "":
        raise MissingValue(f"{what} is required.", path=path)
    if isinstance(text, str) and "," in text:
        # "1,50" could mean 1.50 or 150: refuse rather than guess with money.
        raise NotANumber(
            f"{what}: write numbers with a dot and no separators, like 1000.50 (not “{raw}”).",
            path=path,
        )
    try:
        value = Decimal(text)
    except (InvalidOperation, ValueError):
        raise NotANumber(f"{what} must be a number, not “{raw}”.", path=path) from None
    if not value.is_finite():
        raise NotANumber(f"{what} must be a number, not “{raw}”.", path=path)
    return value


def _canonical(value: Decimal) -> str:
    """'500', '0.5', '12.25': no exponent, no trailing zeros."""
    text = format(value, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text or "0"


def parse_money(raw: object, *, what: str, path: str, allow_zero: bool = True) -> str:
    value = parse_decimal(raw, what=what, path=path)
    if value < 0 or (value == 0 and not allow_zero):
        bound = "zero or more" if allow_zero else "more than zero"
        raise InvalidValue(f"{what} must be {bound}.", path=path)
    if value > MAX_AMOUNT:
        raise InvalidValue(f"{what} must be at most {MAX_AMOUNT:,}.", path=path)
    if value.as_tuple().exponent < -2:
        raise InvalidValue(f"{what} can have at most two decimal places (cents).", path=path)
    return str(value.quantize(Decimal("0.01")))


def _split_list(raw: object) -> list[str]:
    if isinstance(raw, list | tuple):
        items = [str(item) for item in raw]
    else:
        items = str(raw or "").split(",")
    return [item.strip() for item in items if str(item).strip()]


def _normalise_text(spec: FieldSpec, item: str, *, path: str, operator: str) -> str:
    if spec.case == "upper":
        item = item.upper()
    elif spec.case == "lower":
        item = item.lower()
    if operator == "contains":
        return item
    if spec.choices and item not in spec.choices:
        raise InvalidValue(
            f"{spec.label} must be one of {', '.join(spec.choices)}; “{item}” is not.", path=path
        )
    if spec.case == "upper" and (len(item) != 2 or not item.isalpha()):
        raise InvalidValue(
            f"{spec.label} is a two-letter country code such as US; “{item}” is not.", path=path
        )
    return item


def _normalise_item(spec: FieldSpec, item: str, *, path: str, operator: str) -> str:
    if spec.type in (NUMBER, ID):
        number = parse_decimal(item, what=f"{spec.label} value", path=path)
        if spec.integer and number != number.to_integral_value():
            raise InvalidValue(f"{spec.label} must be a whole number, not “{item}”.", path=path)
        return _canonical(number)
    if spec.type == TEXT:
        return _normalise_text(spec, item, path=path, operator=operator)
    return item


# --- conditions and actions ----------------------------------------------------------------


def validate_condition(raw: object, *, path: str) -> dict:
    if not isinstance(raw, dict):
        raise InvalidValue("A condition needs a field, an operator and a value.", path=path)
    field_name = str(raw.get("field") or "").strip()
    spec = FIELDS.get(field_name)
    if spec is None:
        if not field_name:
            raise MissingValue("Choose a field for this condition.", path=f"{path}.field")
        raise UnknownField(
            f"“{field_name}” is not a field rules can test. Use one of: {', '.join(FIELDS)}.",
            path=f"{path}.field",
        )
    operator = str(raw.get("operator") or "").strip()
    if operator not in OPERATORS:
        raise OperatorNotAllowed(
            f"“{operator or '(none)'}” is not an operator. Use one of: "
            f"{', '.join(OPERATORS_FOR_TYPE[spec.type])}.",
            path=f"{path}.operator",
        )
    if operator not in OPERATORS_FOR_TYPE[spec.type]:
        allowed = ", ".join(OPERATORS[name] for name in OPERATORS_FOR_TYPE[spec.type])
        raise OperatorNotAllowed(
            f"“{OPERATORS[operator]}” does not fit {spec.label.lower()} ({spec.type} field); "
            f"use {allowed}.",
            path=f"{path}.operator",
        )
    raw_value = raw.get("value")
    value_path = f"{path}.value"
    if operator in LIST_OPERATORS:
        items = _split_list(raw_value)
        if not items:
            raise MissingValue(
                f"Give {spec.label.lower()} values for “{OPERATORS[operator]}”, "
                "separated by commas.",
                path=value_path,
            )
        value: str | list[str] = [
            _normalise_item(spec, item, path=value_path, operator=operator) for item in items
        ]
    else:
        if isinstance(raw_value, list | tuple | dict):
            raise InvalidValue(
                f"“{OPERATORS[operator]}” takes one value; use “in” for a list.", path=value_path
            )
        text = str(raw_value if raw_value is not None else "").strip()
        if not text:
            raise MissingValue(f"Give a value for {spec.label.lower()}.", path=value_path)
        value = _normalise_item(spec, text, path=value_path, operator=operator)
    return {"field": field_name, "operator": operator, "value": value}


def tiers_from_text(text: str, *, path: str = "tiers") -> list[dict]:
    """'1=4.95, 5=8.95, *=14.95' → tier dicts; '*' is "any heavier weight"."""
    tiers = []
    for chunk in str(text or "").replace("\n", ",").split(","):
        chunk = chunk.strip()
        if not chunk:
            continue
        if "=" not in chunk:
            raise InvalidValue(
                f"Write each weight tier as “up to weight=amount”, e.g. 1=4.95; “{chunk}” is not.",
                path=path,
            )
        up_to, amount = (part.strip() for part in chunk.split("=", 1))
        tiers.append({"up_to": None if up_to in ("*", "") else up_to, "amount": amount})
    return tiers


def tiers_to_text(tiers: list[dict]) -> str:
    return ", ".join(f"{tier['up_to'] or '*'}={tier['amount']}" for tier in tiers or [])


def _validate_tiers(raw: object, *, path: str) -> list[dict]:
    if isinstance(raw, str):
        raw = tiers_from_text(raw, path=path)
    if not isinstance(raw, list) or not raw:
        raise MissingValue(
            "Give weight tiers, e.g. 1=4.95, 5=8.95, *=14.95 (up to 1 lb costs 4.95…).",
            path=path,
        )
    tiers: list[dict] = []
    previous: Decimal | None = None
    for index, tier in enumerate(raw):
        if not isinstance(tier, dict):
            raise InvalidValue("Each weight tier needs an upper weight and an amount.", path=path)
        amount = parse_money(tier.get("amount"), what=f"Tier {index + 1} amount", path=path)
        up_to_raw = tier.get("up_to")
        is_last = index == len(raw) - 1
        if up_to_raw in (None, "", "*"):
            if not is_last:
                raise InvalidValue("Only the last weight tier can be open-ended (*).", path=path)
            tiers.append({"up_to": None, "amount": amount})
            continue
        up_to = parse_decimal(up_to_raw, what=f"Tier {index + 1} weight", path=path)
        if up_to <= 0 or (previous is not None and up_to <= previous):
            raise InvalidValue(
                "Weight tiers must go up: each tier's weight more than the one before.",
                path=path,
            )
        previous = up_to
        tiers.append({"up_to": _canonical(up_to), "amount": amount})
    if tiers[-1]["up_to"] is not None:
        raise InvalidValue(
            "End the weight tiers with an open-ended one (*=amount) so every weight has a price.",
            path=path,
        )
    return tiers


def _flag(value: object, *, path: str) -> bool:
    """A yes/no parameter: a JSON boolean, or the words a form or a hand-written rule uses."""
    if isinstance(value, bool):
        return value
    text = str(value if value is not None else "").strip().lower()
    if text in ("", "0", "false", "no", "off"):
        return False
    if text in ("1", "true", "yes", "on"):
        return True
    raise InvalidValue(f"“{value}” is not yes or no.", path=path)


def _a(noun: str) -> str:
    return f"{'an' if noun[:1] in 'aeiou' else 'a'} {noun}"


def validate_action(raw: object, *, kind: str, path: str) -> dict:
    if not isinstance(raw, dict):
        raise InvalidValue("An action needs a type.", path=path)
    action_type = str(raw.get("type") or "").strip()
    spec = ACTIONS.get(action_type)
    if spec is None:
        if not action_type:
            raise MissingValue("Choose what this action does.", path=f"{path}.type")
        raise UnknownAction(
            f"“{action_type}” is not an action. Use one of: {', '.join(ACTIONS)}.",
            path=f"{path}.type",
        )
    if spec.kind != kind:
        raise ActionNotAllowedForKind(
            f"“{spec.label}” belongs in {_a(RuleKind(spec.kind).label.lower())} rule, "
            f"not {_a(RuleKind(kind).label.lower())} rule.",
            path=f"{path}.type",
        )
    action: dict = {"type": action_type}
    for param in spec.params:
        param_path = f"{path}.{param}"
        if param == "amount":
            action["amount"] = parse_money(
                raw.get("amount"),
                what=f"{spec.label} amount",
                path=param_path,
                allow_zero=spec.slot is not None,
            )
        elif param == "percent":
            percent = parse_decimal(raw.get("percent"), what="Percent", path=param_path)
            if not Decimal(0) < percent <= Decimal(100):
                raise InvalidValue("Percent must be more than 0 and at most 100.", path=param_path)
            if percent.as_tuple().exponent < -4:
                raise InvalidValue("Percent can have at most four decimal places.", path=param_path)
            action["percent"] = _canonical(percent)
        elif param == "label":
            label = str(raw.get("label") or "").strip()
            if not label:
                raise MissingValue(
                    f"Give the {spec.label.lower()} a label; the reseller sees it on the invoice.",
                    path=param_path,
                )
            action["label"] = label[:200]
        elif param == "tiers":
            action["tiers"] = _validate_tiers(raw.get("tiers"), path=param_path)
        elif param == "include_shipping":
            action["include_shipping"] = _flag(raw.get("include_shipping"), path=param_path)
    if action_type in OPTIONAL_LABEL_ACTIONS:
        label = str(raw.get("label") or "").strip()
        if label:
            action["label"] = label[:200]
    return action


def validate_scope(
    *, scope: str, channel_id: int | None, reseller_id: int | None
) -> list[RuleProblem]:
    if scope not in RuleScope.values:
        return [InvalidScope(f"“{scope}” is not a scope.", path="scope")]
    if scope == RuleScope.CHANNEL and not channel_id:
        return [InvalidScope("Choose the channel this rule applies to.", path="channel")]
    if scope == RuleScope.RESELLER and not reseller_id:
        return [InvalidScope("Choose the reseller this rule applies to.", path="reseller")]
    if scope != RuleScope.CHANNEL and channel_id:
        return [InvalidScope("Only a channel rule names a channel.", path="channel")]
    if scope != RuleScope.RESELLER and reseller_id:
        return [InvalidScope("Only a reseller rule names a reseller.", path="reseller")]
    return []


def rule_validate(
    *,
    kind: str,
    match: str = RuleMatch.ALL,
    conditions: object,
    actions: object,
    scope: str | None = None,
    channel_id: int | None = None,
    reseller_id: int | None = None,
) -> ValidatedRule:
    """Check a rule and return its normalised conditions and actions.

    Raises RuleValidationError with every problem found. When `scope` is given, the scope and
    its target are checked too.
    """
    problems: list[RuleProblem] = []
    if kind not in RuleKind.values:
        raise RuleValidationError([InvalidValue(f"“{kind}” is not a rule kind.", path="kind")])
    if match not in RuleMatch.values:
        problems.append(InvalidValue("Match must be “all” or “any”.", path="match"))
    if scope is not None:
        problems.extend(validate_scope(scope=scope, channel_id=channel_id, reseller_id=reseller_id))
    if not isinstance(conditions, list):
        problems.append(InvalidValue("Conditions must be a list.", path="conditions"))
        conditions = []
    if not isinstance(actions, list):
        problems.append(InvalidValue("Actions must be a list.", path="actions"))
        actions = []

    clean_conditions = []
    for index, raw in enumerate(conditions):
        try:
            clean_conditions.append(validate_condition(raw, path=f"conditions[{index}]"))
        except RuleProblem as problem:
            problems.append(problem)

    clean_actions = []
    filled: dict[str, int] = {}
    for index, raw in enumerate(actions):
        path = f"actions[{index}]"
        try:
            action = validate_action(raw, kind=kind, path=path)
        except RuleProblem as problem:
            problems.append(problem)
            continue
        slot = ACTIONS[action["type"]].slot
        if slot is not None:
            if slot in filled:
                problems.append(
                    ConflictingActions(
                        f"Actions {filled[slot] + 1} and {index + 1} both set the "
                        f"{SLOT_LABELS[slot]}; keep one.",
                        path=f"{path}.type",
                    )
                )
                continue
            filled[slot] = index
        clean_actions.append(action)
    if not actions:
        problems.append(MissingValue("Add at least one action.", path="actions"))
    if problems:
        raise RuleValidationError(problems)
    return ValidatedRule(conditions=clean_conditions, actions=clean_actions)


def _listed(value: object) -> object:
    # A RuleInput holds tuples (it is frozen); a Rule holds the lists JSON gives back.
    return list(value) if isinstance(value, tuple) else value


def rule_validate_object(rule) -> ValidatedRule:
    """`rule_validate` on a whole rule, scope and target included: a Rule, or a RuleInput
    built from the rule form. Raises RuleValidationError like `rule_validate`."""
    return rule_validate(
        kind=rule.kind,
        match=rule.match,
        conditions=_listed(rule.conditions),
        actions=_listed(rule.actions),
        scope=rule.scope,
        channel_id=rule.channel_id,
        reseller_id=rule.reseller_id,
    )
