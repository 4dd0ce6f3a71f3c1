from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Case, Value, When
from django.db.models.functions import Cast, Concat, Right
from django.urls import reverse

from core.money import format_money

from .choices import (
    CaptureMode,
    InvoiceLineKind,
    OrderEventKind,
    OrderSource,
    OrderStatus,
    PaymentStatus,
)

ZERO = Decimal("0.00")

# The longest order note, whichever surface sends it: the portal's form, the API's schema and
# order_place all read this one number.
NOTE_MAX_LENGTH = 5000

# The ship-to address as the API and order_place name its parts -> the Order column holding
# each. The one list of ship-to fields: the columns below say each one's label
# (verbose_name), whether it is required (blank) and its length; order_place, the portal's
# ShipToForm and the API's AddressIn are built from them.
SHIP_TO_FIELDS: dict[str, str] = {
    "name": "ship_name",
    "company": "ship_company",
    "address_line1": "ship_address_line1",
    "address_line2": "ship_address_line2",
    "city": "ship_city",
    "state": "ship_state",
    "postal_code": "ship_postal_code",
    "country_code": "ship_country",
    "phone": "ship_phone",
    "email": "ship_email",
}


def money_field(verbose_name: str | None = None, **kwargs) -> models.DecimalField:
    kwargs.setdefault("default", ZERO)
    return models.DecimalField(verbose_name, max_digits=14, decimal_places=2, **kwargs)


def order_number_expression() -> models.Expression:
    """SO-0000042 for id 42: "SO-" and the id padded to seven digits (longer ids in full).

    The database computes it as it inserts the row and hands it back in the INSERT's RETURNING
    clause, so placing an order costs no second write to number it. Plain SQL both databases
    run (no LPAD, which PostgreSQL truncates and SQLite lacks), so it can be a stored column.
    """
    digits = Cast("id", models.CharField())
    return Concat(
        Value("SO-"),
        Case(
            When(id__lt=10_000_000, then=Right(Concat(Value("000000"), digits), 7)),
            default=digits,
        ),
    )


class Order(models.Model):
    number = models.GeneratedField(
        expression=order_number_expression(),
        output_field=models.CharField(max_length=20),
        db_persist=True,
        unique=True,
    )
    reseller = models.ForeignKey(
        "resellers.Reseller", on_delete=models.PROTECT, related_name="orders"
    )
    channel = models.ForeignKey("channels.Channel", on_delete=models.PROTECT, related_name="+")
    currency = models.CharField(max_length=3, default="USD")
    reference_number = models.CharField(max_length=64)
    source = models.CharField(max_length=20, choices=OrderSource.choices)
    status = models.CharField(max_length=20, choices=OrderStatus.choices, default=OrderStatus.OPEN)

    ship_name = models.CharField("name", max_length=150)
    ship_company = models.CharField("company", max_length=150, blank=True)
    ship_address_line1 = models.CharField("address line 1", max_length=200)
    ship_address_line2 = models.CharField("address line 2", max_length=200, blank=True)
    ship_city = models.CharField("city", max_length=100)
    ship_state = models.CharField("state", max_length=100)
    ship_postal_code = models.CharField("postal code", max_length=20)
    ship_country = models.CharField("country", max_length=2)
    ship_phone = models.CharField("phone", max_length=32, blank=True)
    ship_email = models.EmailField("email", blank=True)
    shipping_method = models.CharField(max_length=100, blank=True)
    note = models.TextField(blank=True, max_length=NOTE_MAX_LENGTH)

    subtotal = money_field()
    shipping_total = money_field("shipping")
    fees_total = money_field("fees")
    other_total = money_field("other")
    discount_total = money_field("discounts and credits")
    tax = money_field()
    total = money_field()

    # INV-000001: from InvoiceSequence, assigned in order_place's transaction, never reused.
    # Null only for orders placed before invoices were numbered (see migration 0004).
    invoice_number = models.CharField(max_length=20, unique=True, null=True, blank=True)
    # Net-terms (deferred capture) orders only: placement day + the reseller's payment terms.
    due_date = models.DateField(null=True, blank=True)
    # Why tax rules were skipped (the reseller's exemption note), printed on the invoice.
    tax_exemption = models.CharField(max_length=200, blank=True)

    capture_mode = models.CharField(
        max_length=30, choices=CaptureMode.choices, default=CaptureMode.CAPTURE_NOW
    )
    max_auto_capture = money_field("maximum auto-capture", null=True, blank=True, default=None)
    # Payment columns: read with the order by lists, exports and the API; written only by
    # payments.services (the payments app owns payment state and its history).
    payment_status = models.CharField(
        max_length=30, choices=PaymentStatus.choices, default=PaymentStatus.AWAITING_CAPTURE
    )
    amount_captured = money_field("captured")
    amount_refunded = money_field("refunded")
    last_payment_error = models.CharField(max_length=500, blank=True)

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["reseller", "reference_number"],
                name="orders_reference_number_unique_per_reseller",
            )
        ]
        indexes = [
            models.Index(fields=["reseller", "-created_at"]),
            models.Index(fields=["reseller", "status"]),
        ]

    def __str__(self) -> str:
        return self.number or f"order {self.pk}"

    def get_absolute_url(self) -> str:
        return reverse("backoffice:order_detail", args=[self.pk])

    def get_portal_url(self) -> str:
        return reverse("portal:order_detail", args=[self.pk])


INVOICE_NUMBER_PREFIX = "INV-"


def invoice_number_format(value: int) -> str:
    """INV-000042 for 42: six digits, more when the sequence outgrows them."""
    return f"{INVOICE_NUMBER_PREFIX}{value:06d}"


class InvoiceSequence(models.Model):
    """The counter invoice numbers come from: one row, locked by order_place while it takes
    the next value, so two orders never get the same number and a rolled-back order gives
    its number back (gap-free, unlike a database sequence)."""

    SINGLETON_PK = 1

    last_value = models.PositiveBigIntegerField(default=0)

    def __str__(self) -> str:
        return invoice_number_format(self.last_value)


def ship_to_field(name: str) -> models.Field:
    """The Order column behind a ship-to field (`city` -> Order.ship_city)."""
    return Order._meta.get_field(SHIP_TO_FIELDS[name])


class OrderLine(models.Model):
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="lines")
    product = models.ForeignKey(
        "channels.Product", on_delete=models.SET_NULL, null=True, related_name="+"
    )
    sku = models.CharField("SKU", max_length=64)
    title = models.CharField(max_length=255)
    quantity = models.PositiveIntegerField(validators=[MinValueValidator(1)])
    # Units that will not ship: the order, or what was left of it, was canceled.
    quantity_canceled = models.PositiveIntegerField(default=0)
    unit_price = money_field()
    unit_weight = models.DecimalField(max_digits=10, decimal_places=3, default=Decimal("0"))
    line_total = money_field()

    class Meta:
        ordering = ["order", "id"]

    def __str__(self) -> str:
        return f"{self.quantity} × {self.sku}"


class InvoiceLine(models.Model):
    """One charge or credit on an order's invoice, naming the rule that produced it."""

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="invoice_lines")
    kind = models.CharField(max_length=20, choices=InvoiceLineKind.choices)
    label = models.CharField(max_length=200)
    amount = money_field(help_text="Positive for charges; negative for discounts and credits.")
    rule = models.ForeignKey(
        "rules.Rule", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    rule_name = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["order", "id"]

    def __str__(self) -> str:
        return f"{self.label}: {format_money(self.amount)}"


class OrderEvent(models.Model):
    """The order's history: creation, status changes, payment events.

    A row stores what happened (`kind`) and its facts (`params`); the sentence a person reads
    is rendered from them by `message`, never stored (Saleor's order events). Parameters by
    kind:

    - created: `source` (an OrderSource value).
    - status_changed: `note`, what the staff member wrote (may be empty).
    - payment_authorized / payment_captured: `amount` (a decimal string), `currency`,
      `reference` (the gateway's), `gateway_note` (the gateway's remark, may be empty).

    - shipment_added: `carrier`, `tracking_number`, `units` (the fulfilment app's shipments).
    - remainder_canceled: `units` (unshipped units canceled), `reason`.

    Rows written before events were typed and whose text could not be read back carry the
    old sentence as `legacy_message` (see migration 0004), shown as it was.
    """

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=30, choices=OrderEventKind.choices)
    from_status = models.CharField(max_length=30, blank=True)
    to_status = models.CharField(max_length=30, blank=True)
    params = models.JSONField(default=dict, blank=True, encoder=DjangoJSONEncoder)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.order}: {self.kind}"

    @property
    def actor_display(self) -> str:
        return str(self.actor) if self.actor_id else "system"

    @property
    def title(self) -> str:
        """ "Order placed", "Payment captured": the kind's label."""
        return self.get_kind_display()

    @property
    def message(self) -> str:
        """The sentence shown in the history, rendered from kind and params."""
        params = self.params or {}
        if "legacy_message" in params:
            return params["legacy_message"]
        if self.kind == OrderEventKind.CREATED:
            source = params.get("source", "")
            label = OrderSource(source).label if source in OrderSource.values else source
            return f"Placed via {label}."
        if self.kind == OrderEventKind.STATUS_CHANGED:
            return params.get("note", "")
        if self.kind in (OrderEventKind.PAYMENT_AUTHORIZED, OrderEventKind.PAYMENT_CAPTURED):
            amount = f"{format_money(params['amount'])} {params['currency']}"
            if self.kind == OrderEventKind.PAYMENT_CAPTURED:
                text = f"Capture of {amount} recorded"
            else:
                text = f"Payment of {amount} authorized by the reseller"
            if params.get("gateway_note"):
                text += f" ({params['gateway_note']})"
            return f"{text}. Reference {params['reference']}."
        if self.kind == OrderEventKind.SHIPMENT_ADDED:
            units = params.get("units", 0)
            return (
                f"{units:,} unit{'s' if units != 1 else ''} shipped via "
                f"{params.get('carrier', '')} {params.get('tracking_number', '')}."
            )
        if self.kind == OrderEventKind.REMAINDER_CANCELED:
            units = params.get("units", 0)
            return (
                f"{units:,} unshipped unit{'s' if units != 1 else ''} canceled: "
                f"{params.get('reason', '')}"
            )
        return ""
