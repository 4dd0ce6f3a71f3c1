"""The rule form: the rule itself, a row per condition and a row per action, and the preview.

Rows are checked with the same functions `rule_validate` uses (rules/schema.py), so a message
lands next to the input it is about; rules_save then checks the rule as a whole.
"""

from __future__ import annotations

import json
from decimal import Decimal

from django import forms
from django.forms import formset_factory

from channels.models import Channel
from core.concurrency import VersionFormMixin
from resellers.models import Reseller
from rules.choices import OrderSource

from .choices import RuleKind, RuleMatch, RuleScope
from .exceptions import RuleProblem
from .models import Rule
from .schema import (
    ACTIONS,
    FIELDS,
    OPERATORS,
    OPERATORS_FOR_TYPE,
    OPTIONAL_LABEL_ACTIONS,
    tiers_to_text,
    validate_action,
    validate_condition,
)

MAX_ROWS = 30
# Actions whose "Amount or percent" input is a percent.
PERCENT_ACTIONS = frozenset({"credit_percent", "tax_percent"})


class RuleForm(VersionFormMixin):
    name = forms.CharField(
        label="Name",
        max_length=200,
        help_text="Staff see it in the rules list and next to the invoice lines it produces.",
    )
    kind = forms.ChoiceField(
        label="Kind",
        choices=[(RuleKind.INVOICING, "Invoicing"), (RuleKind.PAYMENT_CAPTURE, "Payment capture")],
        initial=RuleKind.INVOICING,
    )
    scope = forms.ChoiceField(
        label="Scope",
        choices=RuleScope.choices,
        help_text="Global rules apply to every order; channel and reseller rules override them.",
    )
    channel = forms.ModelChoiceField(
        label="Channel",
        queryset=Channel.objects.order_by("name"),
        required=False,
        empty_label="Choose a channel",
        help_text="For channel rules.",
    )
    reseller = forms.ModelChoiceField(
        label="Reseller",
        queryset=Reseller.objects.order_by("company_name"),
        required=False,
        empty_label="Choose a reseller",
        help_text="For reseller rules.",
    )
    priority = forms.IntegerField(
        label="Priority",
        initial=100,
        min_value=-1_000_000,
        max_value=1_000_000,
        help_text=(
            "Lower numbers run first. Within a scope, the first rule to set the dropship fee, "
            "shipping or capture mode keeps it."
        ),
    )
    match = forms.ChoiceField(
        label="Match",
        choices=RuleMatch.choices,
        initial=RuleMatch.ALL,
        help_text="With no conditions, the rule always applies.",
    )
    enabled = forms.BooleanField(label="Enabled", required=False, initial=True)
    stop_further_rules = forms.BooleanField(
        label="Stop further rules",
        required=False,
        help_text=(
            "When this rule matches, skip the remaining rules of the same kind, in every scope."
        ),
    )

    @classmethod
    def initial_for(cls, rule: Rule) -> dict:
        return {
            "name": rule.name,
            "kind": rule.kind,
            "scope": rule.scope,
            "channel": rule.channel_id,
            "reseller": rule.reseller_id,
            "priority": rule.priority,
            "match": rule.match,
            "enabled": rule.enabled,
            "stop_further_rules": rule.stop_further_rules,
            "version": rule.version,
        }

    def clean(self) -> dict:
        # The scope decides the target; the other one is dropped (rule_save does the same).
        cleaned = super().clean()
        scope = cleaned.get("scope")
        if scope == RuleScope.CHANNEL and not cleaned.get("channel"):
            self.add_error("channel", "Choose the channel this rule applies to.")
        if scope == RuleScope.RESELLER and not cleaned.get("reseller"):
            self.add_error("reseller", "Choose the reseller this rule applies to.")
        if scope != RuleScope.CHANNEL:
            cleaned["channel"] = None
        if scope != RuleScope.RESELLER:
            cleaned["reseller"] = None
        return cleaned


def _field_choices() -> list:
    return [("", "Choose a field")] + [(name, spec.label) for name, spec in FIELDS.items()]


def _action_choices() -> list:
    grouped = []
    for kind in RuleKind:
        grouped.append(
            (
                kind.label,
                [(name, spec.label) for name, spec in ACTIONS.items() if spec.kind == kind],
            )
        )
    return [("", "Choose an action"), *grouped]


def _problem_field(problem: RuleProblem, fields) -> str | None:
    name = problem.path.rsplit(".", 1)[-1]
    return name if name in fields else None


class _RowForm(forms.Form):
    """A formset row: blank rows are ignored, so spare rows cost nothing."""

    def is_blank(self) -> bool:
        data = getattr(self, "cleaned_data", {}) or {}
        # An unticked checkbox (False) says nothing, like an empty input.
        return not any(str(data.get(name) or "").strip() for name in self.row_fields)

    def add_problem(self, problem: RuleProblem) -> None:
        self.add_error(_problem_field(problem, self.fields), problem.message)


class ConditionForm(_RowForm):
    row_fields = ("field", "operator", "value")

    field = forms.ChoiceField(label="Field", choices=_field_choices, required=False)
    operator = forms.ChoiceField(
        label="Operator", choices=[("", "Choose")] + list(OPERATORS.items()), required=False
    )
    value = forms.CharField(
        label="Value",
        required=False,
        max_length=2000,
        help_text="For “in” and “not in”, separate values with commas.",
    )

    def clean(self) -> dict:
        cleaned = super().clean()
        self.rule_condition = None
        if self.is_blank() or cleaned.get("DELETE"):
            return cleaned
        try:
            self.rule_condition = validate_condition(
                {
                    "field": cleaned.get("field"),
                    "operator": cleaned.get("operator"),
                    "value": cleaned.get("value"),
                },
                path="condition",
            )
        except RuleProblem as problem:
            self.add_problem(problem)
        return cleaned


class ActionForm(_RowForm):
    row_fields = ("type", "amount", "label", "tiers", "include_shipping")

    type = forms.ChoiceField(label="Action", choices=_action_choices, required=False)
    amount = forms.CharField(
        label="Amount or percent",
        required=False,
        max_length=20,
        help_text="An amount such as 2.00; for a percent credit or tax, the percent such as 5.",
    )
    label = forms.CharField(
        label="Label on the invoice",
        required=False,
        max_length=200,
        help_text="Required for an extra fee; optional for a credit or tax.",
    )
    tiers = forms.CharField(
        label="Weight tiers",
        required=False,
        max_length=500,
        help_text="For shipping by weight: up to lb=amount, ending with *, e.g. 1=4.95, *=9.95.",
    )
    include_shipping = forms.BooleanField(
        label="Tax shipping too",
        required=False,
        help_text="For tax: the percent applies to the subtotal plus shipping.",
    )

    def __init__(self, *args, kind: str = RuleKind.INVOICING, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.kind = kind

    def clean(self) -> dict:
        cleaned = super().clean()
        self.rule_action = None
        if self.is_blank() or cleaned.get("DELETE"):
            return cleaned
        action_type = cleaned.get("type") or ""
        raw = {
            "type": action_type,
            "label": cleaned.get("label"),
            "tiers": cleaned.get("tiers"),
            "include_shipping": cleaned.get("include_shipping"),
            ("percent" if action_type in PERCENT_ACTIONS else "amount"): cleaned.get("amount"),
        }
        try:
            self.rule_action = validate_action(raw, kind=self.kind, path="action")
        except RuleProblem as problem:
            if problem.path.endswith(".percent"):
                problem.path = "action.amount"
            self.add_problem(problem)
        return cleaned


ConditionFormSet = formset_factory(
    ConditionForm, extra=0, can_delete=True, max_num=MAX_ROWS, validate_max=True
)
ActionFormSet = formset_factory(
    ActionForm, extra=0, can_delete=True, max_num=MAX_ROWS, validate_max=True
)


def condition_initial(conditions: list[dict]) -> list[dict]:
    return [
        {
            "field": condition["field"],
            "operator": condition["operator"],
            "value": ", ".join(condition["value"])
            if isinstance(condition["value"], list)
            else condition["value"],
        }
        for condition in conditions
    ]


def action_initial(actions: list[dict]) -> list[dict]:
    return [
        {
            "type": action["type"],
            "amount": action.get("amount") or action.get("percent") or "",
            "label": action.get("label", ""),
            "tiers": tiers_to_text(action.get("tiers", [])),
            "include_shipping": bool(action.get("include_shipping")),
        }
        for action in actions
    ]


def rows(formset) -> list:
    """The formset's rows that say something (not blank, not removed), in order."""
    return [
        form
        for form in formset.forms
        if not form.is_blank() and not form.cleaned_data.get("DELETE")
    ]


def action_kinds_json() -> str:
    """Which kind of rule each action belongs to; rule_form.js offers only the right ones."""
    return json.dumps({name: spec.kind for name, spec in ACTIONS.items()})


def action_params_json() -> str:
    """Which inputs each action uses; rule_form.js hides the others."""
    return json.dumps(
        {
            name: ["amount" if param == "percent" else param for param in spec.params]
            + (["label"] if name in OPTIONAL_LABEL_ACTIONS else [])
            for name, spec in ACTIONS.items()
        }
    )


def field_operators_json() -> str:
    """Which operators fit each field; rule_form.js narrows the operator list."""
    return json.dumps({name: OPERATORS_FOR_TYPE[spec.type] for name, spec in FIELDS.items()})


# --- preview -------------------------------------------------------------------------------

SHIPPING_METHOD_HINT = "e.g. Ground, 2-day, Overnight"


class PreviewForm(forms.Form):
    """An existing order (by number), or a hypothetical one."""

    order_number = forms.CharField(
        label="Existing order number",
        required=False,
        max_length=20,
        help_text="e.g. SO-0000012. Leave empty to describe a hypothetical order below.",
    )
    reseller = forms.ModelChoiceField(
        label="Reseller",
        queryset=Reseller.objects.select_related("channel").order_by("company_name"),
        required=False,
        empty_label="Choose a reseller",
        help_text="Its tier, tags, country and channel decide which rules apply.",
    )
    items = forms.CharField(
        label="SKUs and quantities",
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=(
            "One per line or comma-separated, as SKU=quantity (e.g. MUG-CERAMIC=2). Prices and "
            "weights come from the reseller's channel. Or leave empty and give the numbers below."
        ),
    )
    subtotal = forms.DecimalField(
        label="Subtotal", required=False, min_value=0, max_digits=14, decimal_places=2
    )
    item_quantity = forms.IntegerField(label="Item quantity", required=False, min_value=0)
    total_weight = forms.DecimalField(
        label="Total weight (lb)", required=False, min_value=0, max_digits=12, decimal_places=3
    )
    ship_country = forms.CharField(
        label="Ship-to country", required=False, max_length=2, initial="US"
    )
    ship_state = forms.CharField(
        label="Ship-to state", required=False, max_length=100, help_text="e.g. CA"
    )
    source = forms.ChoiceField(
        label="Source", choices=OrderSource.choices, initial=OrderSource.PORTAL
    )
    shipping_method = forms.CharField(
        label="Shipping method",
        required=False,
        max_length=100,
        initial="Ground",
        help_text=SHIPPING_METHOD_HINT,
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["source"].required = False

    def clean_order_number(self) -> str:
        return self.cleaned_data["order_number"].strip().upper()

    def clean_ship_country(self) -> str:
        country = self.cleaned_data["ship_country"].strip().upper()
        if country and (len(country) != 2 or not country.isalpha()):
            raise forms.ValidationError("Use a two-letter country code such as US.")
        return country

    def clean_ship_state(self) -> str:
        return self.cleaned_data["ship_state"].strip().upper()

    def clean_items(self) -> list[tuple[str, int]]:
        items: list[tuple[str, int]] = []
        seen: set[str] = set()
        text = self.cleaned_data["items"].replace("\n", ",")
        for chunk in text.split(","):
            chunk = chunk.strip()
            if not chunk:
                continue
            sku, _, quantity = chunk.partition("=")
            sku = sku.strip()
            try:
                count = int(quantity.strip() or "1")
            except ValueError:
                raise forms.ValidationError(
                    f"“{chunk}”: write SKU=quantity with a whole number, e.g. MUG-CERAMIC=2."
                ) from None
            if not sku or count < 1:
                raise forms.ValidationError(
                    f"“{chunk}”: write SKU=quantity with a quantity of at least 1."
                )
            if sku in seen:
                # Order placement refuses this too (orders.services); say it the same way.
                raise forms.ValidationError(
                    f"SKU “{sku}” appears twice; combine the quantities on one line."
                )
            seen.add(sku)
            items.append((sku, count))
        return items

    def clean(self) -> dict:
        cleaned = super().clean()
        if self.errors:
            return cleaned
        if not cleaned.get("order_number") and cleaned.get("reseller") is None:
            raise forms.ValidationError(
                "Give an existing order number, or choose a reseller for a hypothetical order."
            )
        return cleaned

    @property
    def is_hypothetical(self) -> bool:
        return not self.cleaned_data.get("order_number")

    def numbers(self) -> tuple[Decimal, int, Decimal]:
        data = self.cleaned_data
        return (
            data.get("subtotal") or Decimal("0"),
            data.get("item_quantity") or 0,
            data.get("total_weight") or Decimal("0"),
        )
