"""Payment actions after an order is placed: staff record a capture, a reseller authorizes.

The rules engine decides at placement how payment is taken (orders.invoicing); these services
move the payment status afterwards. Money goes through a `PaymentGateway`. There is no real
gateway yet: `OfflineGateway` moves no money and records each step as an OrderEvent, which is
what a supplier invoicing by hand needs. A real gateway implements the same two methods.

Which payment status may follow which:

    awaiting_authorization --(reseller authorizes)--> authorized
    awaiting_capture / on_terms --(staff record capture)--> captured
    authorized --(staff record capture)--> captured   (capture-on-shipment orders: once shipped)
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Protocol

from django.db import transaction

from accounts.models import User

from .choices import CaptureMode, OrderStatus, PaymentStatus
from .exceptions import OrderError
from .models import Order, OrderEvent

CAPTURABLE_STATUSES = frozenset(
    {PaymentStatus.AWAITING_CAPTURE, PaymentStatus.AUTHORIZED, PaymentStatus.ON_TERMS}
)
SHIPPED_STATUSES = frozenset({OrderStatus.SHIPPED, OrderStatus.CLOSED})


class PaymentNotAllowed(OrderError):
    pass


@dataclass(frozen=True)
class PaymentReceipt:
    reference: str
    amount: Decimal


class PaymentGateway(Protocol):
    def authorize(self, *, order: Order, amount: Decimal, actor: User | None) -> PaymentReceipt:
        """Reserve `amount` on the reseller's payment method."""

    def capture(self, *, order: Order, amount: Decimal, actor: User | None) -> PaymentReceipt:
        """Take `amount`."""


class OfflineGateway:
    """No money moves: each step is recorded on the order's history for the books."""

    def _record(
        self,
        *,
        order: Order,
        amount: Decimal,
        kind: str,
        to_status: str,
        message: str,
        actor: User | None,
    ) -> PaymentReceipt:
        reference = f"OFFLINE-{secrets.token_hex(5).upper()}"
        OrderEvent.objects.create(
            order=order,
            kind=kind,
            from_status=order.payment_status,
            to_status=to_status,
            message=f"{message} Reference {reference}.",
            actor=actor,
        )
        return PaymentReceipt(reference=reference, amount=amount)

    def authorize(self, *, order: Order, amount: Decimal, actor: User | None) -> PaymentReceipt:
        return self._record(
            order=order,
            amount=amount,
            kind="payment_authorized",
            to_status=PaymentStatus.AUTHORIZED,
            message=f"Payment of {amount:,.2f} {order.currency} authorized by the reseller.",
            actor=actor,
        )

    def capture(self, *, order: Order, amount: Decimal, actor: User | None) -> PaymentReceipt:
        return self._record(
            order=order,
            amount=amount,
            kind="payment_captured",
            to_status=PaymentStatus.CAPTURED,
            message=f"Capture of {amount:,.2f} {order.currency} recorded (offline, no gateway).",
            actor=actor,
        )


def payment_gateway() -> PaymentGateway:
    return OfflineGateway()


def capture_refusal(order: Order) -> str:
    """Why staff cannot record a capture for this order now, or "" when they can."""
    if order.payment_status == PaymentStatus.CAPTURED:
        return "Payment for this order is already captured."
    if order.payment_status == PaymentStatus.AWAITING_AUTHORIZATION:
        return "The reseller has not authorized this payment yet."
    if order.payment_status not in CAPTURABLE_STATUSES:
        return f"A payment that is {order.get_payment_status_display().lower()} cannot be captured."
    if order.status == OrderStatus.CANCELED:
        return "The order is canceled; there is nothing to capture."
    if (
        order.capture_mode == CaptureMode.ON_SHIPMENT
        and order.payment_status == PaymentStatus.AUTHORIZED
        and order.status not in SHIPPED_STATUSES
    ):
        return "This order's payment is captured on shipment; ship the order first."
    return ""


def authorization_refusal(order: Order) -> str:
    if order.payment_status != PaymentStatus.AWAITING_AUTHORIZATION:
        return "This order's payment does not need your authorization."
    if order.status == OrderStatus.CANCELED:
        return "The order is canceled; there is nothing to authorize."
    return ""


def _payment_step(
    *,
    order: Order,
    refusal: Callable[[Order], str],
    step: Callable[[PaymentGateway, Order], PaymentReceipt],
    to_status: str,
    gateway: PaymentGateway | None,
) -> Order:
    # Lock the order: two clicks (or two staff members) must not capture or authorize twice;
    # the second one waits, then sees the new status and is refused.
    locked = Order.objects.select_for_update().get(pk=order.pk)
    reason = refusal(locked)
    if reason:
        raise PaymentNotAllowed(reason)
    step(gateway or payment_gateway(), locked)
    locked.payment_status = to_status
    locked.save(update_fields=["payment_status", "updated_at"])
    order.refresh_from_db()
    return locked


@transaction.atomic
def payment_capture(
    *, order: Order, actor: User | None, gateway: PaymentGateway | None = None
) -> Order:
    """Record the capture of an order's total (staff action)."""
    return _payment_step(
        order=order,
        refusal=capture_refusal,
        step=lambda gw, locked: gw.capture(order=locked, amount=locked.total, actor=actor),
        to_status=PaymentStatus.CAPTURED,
        gateway=gateway,
    )


@transaction.atomic
def payment_authorize(
    *, order: Order, actor: User | None, gateway: PaymentGateway | None = None
) -> Order:
    """The reseller authorizes an order's payment that a rule said needs its approval."""
    return _payment_step(
        order=order,
        refusal=authorization_refusal,
        step=lambda gw, locked: gw.authorize(order=locked, amount=locked.total, actor=actor),
        to_status=PaymentStatus.AUTHORIZED,
        gateway=gateway,
    )
