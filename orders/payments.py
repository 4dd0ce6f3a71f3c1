"""Payment actions after an order is placed: staff record a capture, a reseller authorizes.

The rules engine decides at placement how payment is taken (orders.invoicing); these services
move the payment status afterwards and record each step as an OrderEvent. Money goes through a
`PaymentGateway`, which only moves money and returns a receipt. There is no real gateway yet:
`OfflineGateway` moves no money, which is what a supplier invoicing by hand needs. A real
gateway implements the same two methods.

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

from .choices import CaptureMode, OrderEventKind, OrderStatus, PaymentStatus
from .events import payment_event
from .exceptions import OrderError
from .models import Order

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
    # How the money moved, when the order's history should say so ("offline, no gateway").
    note: str = ""


class PaymentGateway(Protocol):
    def authorize(self, *, order: Order, amount: Decimal, actor: User | None) -> PaymentReceipt:
        """Reserve `amount` on the reseller's payment method."""

    def capture(self, *, order: Order, amount: Decimal, actor: User | None) -> PaymentReceipt:
        """Take `amount`."""


class OfflineGateway:
    """No money moves: each step gets a reference for the books, and nothing else happens."""

    def authorize(self, *, order: Order, amount: Decimal, actor: User | None) -> PaymentReceipt:
        return PaymentReceipt(reference=_offline_reference(), amount=amount)

    def capture(self, *, order: Order, amount: Decimal, actor: User | None) -> PaymentReceipt:
        # The money arrived some other way (a bank transfer); the history says so.
        return PaymentReceipt(
            reference=_offline_reference(), amount=amount, note="offline, no gateway"
        )


def _offline_reference() -> str:
    return f"OFFLINE-{secrets.token_hex(5).upper()}"


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
    actor: User | None,
    refusal: Callable[[Order], str],
    step: Callable[[PaymentGateway, Order], PaymentReceipt],
    kind: OrderEventKind,
    to_status: str,
    gateway: PaymentGateway | None,
) -> Order:
    # Lock the order: two clicks (or two staff members) must not capture or authorize twice;
    # the second one waits, then sees the new status and is refused.
    locked = Order.objects.select_for_update().get(pk=order.pk)
    reason = refusal(locked)
    if reason:
        raise PaymentNotAllowed(reason)
    receipt = step(gateway or payment_gateway(), locked)
    # The history is written here rather than by the gateway, so every gateway's payments
    # are on it, with the status they moved from.
    payment_event(
        order=locked,
        kind=kind,
        from_status=locked.payment_status,
        to_status=to_status,
        amount=receipt.amount,
        reference=receipt.reference,
        gateway_note=receipt.note,
        actor=actor,
    )
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
        actor=actor,
        refusal=capture_refusal,
        step=lambda gw, locked: gw.capture(order=locked, amount=locked.total, actor=actor),
        kind=OrderEventKind.PAYMENT_CAPTURED,
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
        actor=actor,
        refusal=authorization_refusal,
        step=lambda gw, locked: gw.authorize(order=locked, amount=locked.total, actor=actor),
        kind=OrderEventKind.PAYMENT_AUTHORIZED,
        to_status=PaymentStatus.AUTHORIZED,
        gateway=gateway,
    )
