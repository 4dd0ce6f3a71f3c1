"""Payment vocabulary: the order's payment status machine and the kinds of gateway attempt.

The status column is `orders.Order.payment_status`; its values are declared with the rest of the
order vocabulary in rules.choices (re-exported by orders.choices), so the order model, its
exports and the rule preview can label them without importing this app. Which status may follow
which is decided here, and only payments.services moves it.
"""

from __future__ import annotations

from django.db import models

from orders.choices import CaptureMode, PaymentStatus

__all__ = [
    "ALLOWED_TRANSITIONS",
    "AttemptKind",
    "AttemptStatus",
    "CaptureMode",
    "GatewayName",
    "PaymentStatus",
]

S = PaymentStatus

# The one place that says which payment status may follow which. A status may "follow itself"
# where money moves without the label changing (a partial capture leaves the rest authorized;
# a second partial refund).
ALLOWED_TRANSITIONS: dict[str, frozenset[str]] = {
    S.PROCESSING: frozenset(
        {S.AUTHORIZED, S.CAPTURED, S.FAILED, S.VOIDED, S.AWAITING_PAYMENT_METHOD}
    ),
    S.AWAITING_PAYMENT_METHOD: frozenset({S.PROCESSING, S.CAPTURED, S.VOIDED}),
    S.AWAITING_AUTHORIZATION: frozenset({S.PROCESSING, S.AUTHORIZED, S.CAPTURED, S.VOIDED}),
    S.AWAITING_CAPTURE: frozenset({S.PROCESSING, S.CAPTURED, S.FAILED, S.VOIDED}),
    S.AUTHORIZED: frozenset({S.AUTHORIZED, S.CAPTURED, S.FAILED, S.VOIDED, S.REFUNDED}),
    S.ON_TERMS: frozenset({S.CAPTURED, S.VOIDED}),
    S.FAILED: frozenset({S.PROCESSING, S.CAPTURED, S.VOIDED, S.AWAITING_PAYMENT_METHOD}),
    S.CAPTURED: frozenset({S.PARTIALLY_REFUNDED, S.REFUNDED}),
    S.PARTIALLY_REFUNDED: frozenset({S.PARTIALLY_REFUNDED, S.REFUNDED}),
    S.REFUNDED: frozenset(),
    S.VOIDED: frozenset(),
}

# Statuses in which nothing has been charged or held yet and staff may record a bank transfer.
MARK_PAID_FROM = frozenset(
    {S.ON_TERMS, S.AWAITING_CAPTURE, S.AWAITING_PAYMENT_METHOD, S.AWAITING_AUTHORIZATION, S.FAILED}
)
# What the back-office dashboard lists as needing someone's attention.
NEEDS_ATTENTION = (S.FAILED, S.AWAITING_CAPTURE, S.AWAITING_PAYMENT_METHOD)


class GatewayName(models.TextChoices):
    OFFLINE = "offline", "Offline"
    STRIPE = "stripe", "Stripe"


class AttemptKind(models.TextChoices):
    AUTHORIZE = "authorize", "Authorization"
    # Capture: of a held authorization, or (with no authorization) a charge captured at once.
    CAPTURE = "capture", "Capture"
    VOID = "void", "Void"
    REFUND = "refund", "Refund"


class AttemptStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    SUCCEEDED = "succeeded", "Succeeded"
    FAILED = "failed", "Failed"
    # An authorization that was released or lapsed (voided by us, expired at Stripe, or
    # replaced when its remainder was re-authorized after a partial capture).
    RELEASED = "released", "Released"
