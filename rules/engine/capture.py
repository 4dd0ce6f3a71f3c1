"""Deciding payment capture: the mode and the auto-capture limit.

The payment status that follows is not decided here: it belongs to the payments app, which
reads this decision (stored on the order) when the order is placed.
"""

from __future__ import annotations

from decimal import Decimal

from ..choices import CaptureMode
from ..schema import CAPTURE_MODE, MAX_AUTO_CAPTURE
from .trace import Slot, quote
from .types import CAPTURE_MODE_FOR_ACTION, CaptureDecision, money


def decide_capture(total: Decimal, slots: dict[str, Slot]) -> CaptureDecision:
    mode_slot = slots.get(CAPTURE_MODE)
    limit_slot = slots.get(MAX_AUTO_CAPTURE)
    mode = (
        CAPTURE_MODE_FOR_ACTION[mode_slot.action["type"]] if mode_slot else CaptureMode.CAPTURE_NOW
    )
    limit = Decimal(limit_slot.action["amount"]) if limit_slot else None
    over_limit = mode == CaptureMode.CAPTURE_NOW and limit is not None and total > limit
    if mode_slot is None:
        explanation = "No payment-capture rule chose a mode: capture now (the default)."
    else:
        explanation = f"{CaptureMode(mode).label}, per {quote(mode_slot.compiled.rule)}."
    if mode == CaptureMode.CAPTURE_NOW and limit is not None:
        if not over_limit:
            explanation += (
                f" The total {money(total)} is within the {money(limit)} auto-capture limit."
            )
        else:
            explanation += (
                f" The total {money(total)} is over the {money(limit)} auto-capture limit, so "
                "staff capture it."
            )
        limit_slot.trace.events.append(f"Auto-capture limit {money(limit)} checked.")
    source = mode_slot or limit_slot
    return CaptureDecision(
        mode=mode,
        max_auto_capture=limit,
        over_auto_capture_limit=over_limit,
        explanation=explanation,
        rule_id=source.compiled.rule.id if source else None,
        rule_name=source.compiled.rule.name if source else "",
    )
