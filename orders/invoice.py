"""What an invoice says, once, for every way it is shown.

`invoice_document` turns an order (placed, or a quote from the order pad's review) into an
`InvoiceDocument`: supplier, bill-to, ship-to, lines, each charge or credit under its label
(the reseller-facing text, never the internal rule name), totals with tax, payment status and
due date. The printable page (templates/orders/invoice_page.html), the PDF (orders/pdf.py)
and the review step all read it, so they cannot disagree.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.utils import timezone

from .choices import CaptureMode, InvoiceLineKind
from .models import InvoiceLine, Order, OrderLine


@dataclass(frozen=True)
class Party:
    name: str
    lines: tuple[str, ...]  # address and contact lines, in print order
    tax_id: str = ""


@dataclass(frozen=True)
class ItemRow:
    sku: str
    title: str
    quantity: int
    unit_price: Decimal
    line_total: Decimal


@dataclass(frozen=True)
class ChargeRow:
    label: str
    kind: str  # "Shipping", "Fees", "Tax"…: InvoiceLineKind's label
    amount: Decimal


@dataclass(frozen=True)
class TotalRow:
    label: str
    amount: Decimal


@dataclass(frozen=True)
class InvoiceDocument:
    invoice_number: str  # empty for a quote: numbers are taken only at placement
    order_number: str
    reference_number: str
    issued_on: datetime.date
    due_date: datetime.date | None
    currency: str
    supplier: Party
    bill_to: Party
    ship_to: Party
    items: tuple[ItemRow, ...]
    charges: tuple[ChargeRow, ...]
    totals: tuple[TotalRow, ...]
    total: Decimal
    tax: Decimal
    payment_status: str
    capture_mode: str
    payment_terms: str
    tax_exemption: str

    @property
    def title(self) -> str:
        return f"Invoice {self.invoice_number}" if self.invoice_number else "Invoice preview"


def supplier_party() -> Party:
    lines = list(settings.SUPPLIER_ADDRESS)
    lines += [value for value in (settings.SUPPLIER_EMAIL, settings.SUPPLIER_PHONE) if value]
    return Party(name=settings.SUPPLIER_NAME, lines=tuple(lines), tax_id=settings.SUPPLIER_TAX_ID)


def _bill_to(reseller) -> Party:
    place = (reseller.city, reseller.state, reseller.postal_code)
    locality = " ".join(part for part in place if part)
    lines = [
        reseller.contact_name,
        reseller.address_line1,
        reseller.address_line2,
        locality,
        reseller.country,
        reseller.email,
    ]
    return Party(
        name=reseller.company_name,
        lines=tuple(line for line in lines if line),
        tax_id=reseller.tax_id,
    )


def _ship_to(order: Order) -> Party:
    locality = f"{order.ship_city}, {order.ship_state} {order.ship_postal_code}".strip()
    lines = [
        order.ship_company,
        order.ship_address_line1,
        order.ship_address_line2,
        locality,
        order.ship_country,
        order.ship_phone,
        order.ship_email,
    ]
    return Party(name=order.ship_name, lines=tuple(line for line in lines if line))


def order_totals(order: Order) -> tuple[TotalRow, ...]:
    """The totals block, in the order every invoice prints it; the last row is the total."""
    return (
        TotalRow("Subtotal", order.subtotal),
        TotalRow("Shipping", order.shipping_total),
        TotalRow("Fees", order.fees_total),
        TotalRow("Other", order.other_total),
        TotalRow("Discounts and credits", order.discount_total),
        TotalRow("Tax", order.tax),
        TotalRow("Total", order.total),
    )


def _payment_terms(order: Order, reseller) -> str:
    if order.capture_mode == CaptureMode.DEFERRED:
        return reseller.get_payment_terms_display()
    return "Due on receipt"


def invoice_document(
    *,
    order: Order,
    lines: Iterable[OrderLine],
    invoice_lines: Iterable[InvoiceLine],
    reseller,
) -> InvoiceDocument:
    """The invoice for `order` (saved, or unsaved from order_quote) and its rows."""
    kind_labels = dict(InvoiceLineKind.choices)
    issued = timezone.localdate(order.created_at) if order.created_at else timezone.localdate()
    return InvoiceDocument(
        invoice_number=order.invoice_number or "",
        # An unsaved order (a quote) has no number yet: the database computes it on insert.
        order_number=order.number if order.pk else "",
        reference_number=order.reference_number,
        issued_on=issued,
        due_date=order.due_date,
        currency=order.currency,
        supplier=supplier_party(),
        bill_to=_bill_to(reseller),
        ship_to=_ship_to(order),
        items=tuple(
            ItemRow(line.sku, line.title, line.quantity, line.unit_price, line.line_total)
            for line in lines
        ),
        charges=tuple(
            ChargeRow(line.label, kind_labels.get(line.kind, line.kind), line.amount)
            for line in invoice_lines
        ),
        totals=order_totals(order),
        total=order.total,
        tax=order.tax,
        # A review's order is not placed: the payments app decides its status at placement.
        payment_status=order.get_payment_status_display() if order.pk else "",
        capture_mode=order.get_capture_mode_display(),
        payment_terms=_payment_terms(order, reseller),
        tax_exemption=order.tax_exemption,
    )


def order_invoice_document(order: Order) -> InvoiceDocument:
    """The invoice of a placed order (its reseller, lines and charges loaded here)."""
    return invoice_document(
        order=order,
        lines=order.lines.all(),
        invoice_lines=order.invoice_lines.all(),
        reseller=order.reseller,
    )
