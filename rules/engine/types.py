"""The engine's vocabulary: the facts and rules it reads, the compiled rule, the invoice
and capture decision it returns, and the money helpers every step shares."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from core.money import format_money

from ..choices import CaptureMode, InvoiceLineKind, RuleMatch, RuleScope
from ..schema import condition_text

CENT = Decimal("0.01")
ZERO = Decimal("0.00")
SCOPE_RANK = {RuleScope.GLOBAL: 0, RuleScope.CHANNEL: 1, RuleScope.RESELLER: 2}
SCOPE_WORDS = {0: "global", 1: "channel", 2: "reseller"}

CAPTURE_MODE_FOR_ACTION = {
    "capture_now": CaptureMode.CAPTURE_NOW,
    "capture_on_shipment": CaptureMode.ON_SHIPMENT,
    "capture_deferred": CaptureMode.DEFERRED,
    "capture_reseller_authorization": CaptureMode.RESELLER_AUTHORIZATION,
}
LINE_ORDER = {
    InvoiceLineKind.SHIPPING: 0,
    InvoiceLineKind.FEE: 1,
    InvoiceLineKind.OTHER: 2,
    InvoiceLineKind.DISCOUNT: 3,
    InvoiceLineKind.TAX: 4,
}


def cents(amount: Decimal) -> Decimal:
    """The one rounding step: half-up to cents."""
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)


def money(amount: Decimal | None) -> str:
    return "—" if amount is None else format_money(amount)


# --- inputs --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class OrderFacts:
    subtotal: Decimal
    item_quantity: int
    line_count: int
    total_weight: Decimal
    source: str = ""
    ship_country: str = ""
    shipping_method: str = ""
    skus: frozenset[str] = frozenset()
    ship_state: str = ""


@dataclass(frozen=True, slots=True)
class ResellerFacts:
    id: int | None = None
    labels: tuple[str, ...] = ()
    country: str = ""
    # Exempt on the order's date (Reseller.tax_exempt_on): tax actions are skipped.
    tax_exempt: bool = False


@dataclass(frozen=True, slots=True)
class ChannelFacts:
    id: int | None = None
    slug: str = ""


@dataclass(frozen=True, slots=True)
class RuleInput:
    """A rule as the engine sees it: from a saved Rule, or from the form being edited."""

    id: int | None
    name: str
    kind: str
    scope: str = RuleScope.GLOBAL
    channel_id: int | None = None
    reseller_id: int | None = None
    priority: int = 100
    enabled: bool = True
    match: str = RuleMatch.ALL
    # Tuples of dicts, or the JSON text exactly as stored (order placement loads the text so
    # a rule it has seen before costs a dictionary lookup, not a parse and a validation).
    conditions: tuple | str = ()
    actions: tuple | str = ()
    stop_further_rules: bool = False


@dataclass(frozen=True, slots=True)
class CompiledCondition:
    field: str
    operator: str
    value: object
    test: Callable[[object], bool]

    def describe(self) -> str:
        return condition_text(self.field, self.operator, self.value)


# Not frozen: one is assembled per rule per order, and frozen dataclasses pay for
# object.__setattr__ on every field. Nothing mutates it after _assemble.
@dataclass(slots=True)
class CompiledRule:
    rule: RuleInput
    conditions: tuple[CompiledCondition, ...]
    actions: tuple[dict, ...]
    scope_rank: int
    sort_key: tuple
    error: str = ""


# --- outputs -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class InvoiceLineResult:
    kind: str
    label: str
    amount: Decimal
    rule_id: int | None
    rule_name: str


@dataclass(frozen=True, slots=True)
class Invoice:
    subtotal: Decimal
    lines: tuple[InvoiceLineResult, ...]
    shipping_total: Decimal
    fees_total: Decimal
    other_total: Decimal
    discount_total: Decimal
    total: Decimal
    tax_total: Decimal = ZERO


@dataclass(frozen=True, slots=True)
class CaptureDecision:
    """How the payment is taken: the mode and the auto-capture limit. The payment status that
    follows belongs to the payments app, which reads this decision when the order is placed."""

    mode: str
    max_auto_capture: Decimal | None
    # Capture now, but the total is over the auto-capture limit: staff decide when to capture.
    over_auto_capture_limit: bool
    explanation: str
    rule_id: int | None = None
    rule_name: str = ""

    @property
    def mode_label(self) -> str:
        return CaptureMode(self.mode).label
