"""The seam between orders and the rules engine.

`apply_invoice` sets the order's totals, capture mode and payment status, and returns the
invoice lines to save with it. Until the rules engine lands, the total is the subtotal and
payment is captured at once.
"""

from __future__ import annotations

from .choices import CaptureMode, PaymentStatus
from .models import ZERO, InvoiceLine, Order, OrderLine


def apply_invoice(*, order: Order, lines: list[OrderLine], reseller) -> list[InvoiceLine]:
    order.shipping_total = order.fees_total = order.other_total = order.discount_total = ZERO
    order.total = order.subtotal
    order.capture_mode = CaptureMode.CAPTURE_NOW
    order.payment_status = PaymentStatus.AWAITING_CAPTURE
    return []
