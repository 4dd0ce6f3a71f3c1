"""The seam between orders and the rules engine.

`apply_invoice` runs the invoicing and payment-capture rules on the order being placed (not
saved yet), sets its totals and capture decision (mode, auto-capture limit), and returns the
invoice lines to save with it. Each `*_total` (and `tax`) is the sum of its invoice lines;
discounts are negative, so `total = subtotal + shipping_total + fees_total + other_total +
discount_total + tax`. The payment status is not decided here: the payments app sets it when
the order is placed.
"""

from __future__ import annotations

from django.utils import timezone

from rules.pricing import price_order

from .models import InvoiceLine, Order, OrderLine


def tax_exemption_text(reseller) -> str:
    """Why an order placed today carries no tax, for the invoice; empty when it may."""
    today = timezone.localdate()
    if not reseller.tax_exempt_on(today):
        return ""
    text = f"{reseller.company_name} is tax-exempt ({reseller.tax_exempt_note})"
    if reseller.tax_exempt_until:
        text += f", exemption valid until {reseller.tax_exempt_until:%Y-%m-%d}"
    return text[:199] + "."


def apply_invoice(*, order: Order, lines: list[OrderLine], reseller) -> list[InvoiceLine]:
    evaluation = price_order(order=order, lines=lines, reseller=reseller, channel=order.channel)
    invoice, capture = evaluation.invoice, evaluation.capture
    order.subtotal = invoice.subtotal
    order.shipping_total = invoice.shipping_total
    order.fees_total = invoice.fees_total
    order.other_total = invoice.other_total
    order.discount_total = invoice.discount_total
    order.tax = invoice.tax_total
    order.total = invoice.total
    order.tax_exemption = tax_exemption_text(reseller)
    order.capture_mode = capture.mode
    order.max_auto_capture = capture.max_auto_capture
    return [
        InvoiceLine(
            kind=line.kind,
            label=line.label,
            amount=line.amount,
            rule_id=line.rule_id,
            rule_name=line.rule_name,
        )
        for line in invoice.lines
    ]
