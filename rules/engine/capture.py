"""Deciding payment capture: the mode, the auto-capture limit and the payment status."""

from __future__ import annotations

from decimal import Decimal

from ..choices import CaptureMode, PaymentStatus
from ..schema import CAPTURE_MODE, MAX_AUTO_CAPTURE
from .trace import Slot, quote
from .types import CAPTURE_MODE_FOR_ACTION, CaptureDecision, money


def payment_status_for(mode: str, total: Decimal, max_auto_capture: Decimal | None) -> str:
    if mode == CaptureMode.ON_SHIPMENT:
        return PaymentStatus.AUTHORIZED
    if mode == CaptureMode.DEFERRED:
        return PaymentStatus.ON_TERMS
    if mode == CaptureMode.RESELLER_AUTHORIZATION:
        return PaymentStatus.AWAITING_AUTHORIZATION
    if max_auto_capture is None or total <= max_auto_capture:
        return PaymentStatus.CAPTURED
    return PaymentStatus.AWAITING_CAPTURE


def decide_capture(total: Decimal, slots: dict[str, Slot]) -> CaptureDecision:
    mode_slot = slots.get(CAPTURE_MODE)
    limit_slot = slots.get(MAX_AUTO_CAPTURE)
    mode = (
        CAPTURE_MODE_FOR_ACTION[mode_slot.action["type"]] if mode_slot else CaptureMode.CAPTURE_NOW
    )
    limit = Decimal(limit_slot.action["amount"]) if limit_slot else None
    status = payment_status_for(mode, total, limit)
    if mode_slot is None:
        explanation = "No payment-capture rule chose a mode: capture now (the default)."
    else:
        explanation = f"{CaptureMode(mode).label}, per {quote(mode_slot.compiled.rule)}."
    if mode == CaptureMode.CAPTURE_NOW and limit is not None:
        if status == PaymentStatus.CAPTURED:
            explanation += (
                f" The total {money(total)} is within the {money(limit)} auto-capture limit."
            )
        else:
            explanation += (
                f" The total {money(total)} is over the {money(limit)} auto-capture limit, so "
                "staff must record the capture."
            )
        limit_slot.trace.events.append(f"Auto-capture limit {money(limit)} checked.")
    if mode_slot is not None:
        mode_slot.trace.events.append(f"Payment status: {PaymentStatus(status).label.lower()}.")
    source = mode_slot or limit_slot
    return CaptureDecision(
        mode=mode,
        max_auto_capture=limit,
        payment_status=status,
        explanation=explanation,
        rule_id=source.compiled.rule.id if source else None,
        rule_name=source.compiled.rule.name if source else "",
    )
