"""The payment ledger: reading and writing attempts and the order's payment columns.

The building blocks payments.services composes (and nothing else calls): lock the order, move
its status along `choices.ALLOWED_TRANSITIONS`, write an attempt and schedule its gateway call
after commit (or complete it inline for the offline gateway, which makes no network call), and
apply a succeeded attempt to the order exactly once. Callers hold a transaction.
"""

from __future__ import annotations

from decimal import Decimal

from django.db.models import Exists, OuterRef, Sum
from django.utils import timezone

from accounts.models import User
from core.tasks import enqueue_on_commit
from orders.choices import OrderStatus
from orders.models import Order
from orders.signals import payment_captured

from .choices import (
    ALLOWED_TRANSITIONS,
    AttemptKind,
    AttemptStatus,
    CaptureMode,
    GatewayName,
    PaymentStatus,
)
from .exceptions import PaymentNotAllowed
from .gateways import GatewayResult, OfflineGateway, Payer
from .models import PaymentAttempt, PaymentMethod

ZERO = Decimal("0.00")
S = PaymentStatus
SHIPPED_STATUSES = frozenset({OrderStatus.SHIPPED, OrderStatus.CLOSED, "partially_shipped"})
NO_CARD_MESSAGE = "Add a card in Settings → Payment methods to pay for this order."


# Reads used by the services ---------------------------------------------------------------


def default_payment_method(reseller_id: int) -> PaymentMethod | None:
    return PaymentMethod.objects.filter(reseller_id=reseller_id, is_default=True).first()


def live_authorization(order: Order) -> PaymentAttempt | None:
    """The authorization that still holds money for this order, if any.

    A succeeded authorization stops holding once a capture or void of it is under way or done.
    """
    used = PaymentAttempt.objects.filter(
        parent=OuterRef("pk"),
        kind__in=[AttemptKind.CAPTURE, AttemptKind.VOID],
        status__in=[AttemptStatus.PENDING, AttemptStatus.SUCCEEDED],
    )
    return (
        PaymentAttempt.objects.filter(
            order=order, kind=AttemptKind.AUTHORIZE, status=AttemptStatus.SUCCEEDED
        )
        .exclude(gateway=GatewayName.OFFLINE)
        .exclude(Exists(used))
        .order_by("-id")
        .first()
    )


def has_pending_attempt(order: Order, kinds: tuple[str, ...] | None = None) -> bool:
    attempts = PaymentAttempt.objects.filter(order=order, status=AttemptStatus.PENDING)
    if kinds:
        attempts = attempts.filter(kind__in=kinds)
    return attempts.exists()


def amount_due(order: Order) -> Decimal:
    return max(order.total - order.amount_captured, ZERO)


def refundable_amount(order: Order) -> Decimal:
    pending = (
        PaymentAttempt.objects.filter(
            order=order, kind=AttemptKind.REFUND, status=AttemptStatus.PENDING
        ).aggregate(total=Sum("amount"))["total"]
        or ZERO
    )
    return max(order.amount_captured - order.amount_refunded - pending, ZERO)


# Status changes ----------------------------------------------------------------------------


def move_status(order: Order, to_status: str, **fields) -> None:
    """Set the locked order's payment status (and money columns) if the move is allowed."""
    if to_status not in ALLOWED_TRANSITIONS.get(order.payment_status, frozenset()):
        raise PaymentNotAllowed(
            f"A payment that is {S(order.payment_status).label.lower()} cannot become "
            f"{S(to_status).label.lower()}."
        )
    order.payment_status = to_status
    for name, value in fields.items():
        setattr(order, name, value)
    order.save(update_fields=["payment_status", *fields, "updated_at"])


def lock_order(order: Order) -> Order:
    # Two clicks, two staff members, a webhook and a task may act on one order at once: the
    # row lock makes them take turns, and each re-checks the status it finds.
    return Order.objects.select_for_update().get(pk=order.pk)


def new_attempt(
    order: Order,
    *,
    kind: str,
    amount: Decimal,
    gateway: str,
    parent: PaymentAttempt | None = None,
    payment_method: PaymentMethod | None = None,
    actor: User | None = None,
    reason: str = "",
    final: bool = True,
) -> PaymentAttempt:
    attempt = PaymentAttempt.objects.create(
        order=order,
        kind=kind,
        amount=amount,
        currency=order.currency,
        gateway=gateway,
        parent=parent,
        payment_method=payment_method,
        actor=actor,
        reason=reason,
        final=final,
    )
    if gateway == GatewayName.OFFLINE:
        # No network: complete it now, in this transaction.
        result = offline_call(attempt)
        record_success(attempt, order, result)
    else:
        from .tasks import process_payment_attempt  # the task calls back into this module

        enqueue_on_commit(process_payment_attempt, attempt.pk)
    return attempt


def offline_call(attempt: PaymentAttempt) -> GatewayResult:
    gateway, payer = OfflineGateway(), Payer()
    if attempt.kind == AttemptKind.AUTHORIZE:
        return gateway.authorize(attempt=attempt, payer=payer)
    if attempt.kind == AttemptKind.CAPTURE:
        return gateway.charge(attempt=attempt, payer=payer)
    if attempt.kind == AttemptKind.VOID:
        return gateway.void(attempt=attempt, authorization="")
    return gateway.refund(attempt=attempt, payment="")


def refund_captured(order: Order, *, amount: Decimal, actor: User | None, reason: str):
    """Refund `amount`, newest captured payment first (partial shipments capture several)."""
    attempts = []
    captures = PaymentAttempt.objects.filter(
        order=order, kind=AttemptKind.CAPTURE, status=AttemptStatus.SUCCEEDED
    ).order_by("-id")
    remaining = amount
    for capture in captures:
        if remaining <= ZERO:
            break
        already = (
            capture.children.filter(
                kind=AttemptKind.REFUND, status__in=[AttemptStatus.PENDING, AttemptStatus.SUCCEEDED]
            ).aggregate(total=Sum("amount"))["total"]
            or ZERO
        )
        share = min(remaining, capture.amount - already)
        if share <= ZERO:
            continue
        attempts.append(
            new_attempt(
                order,
                kind=AttemptKind.REFUND,
                amount=share,
                gateway=capture.gateway,
                parent=capture,
                actor=actor,
                reason=reason,
            )
        )
        remaining -= share
    if remaining > ZERO:
        # Captured without an attempt row (offline capture-now at placement): offline refund.
        attempts.append(
            new_attempt(
                order,
                kind=AttemptKind.REFUND,
                amount=remaining,
                gateway=GatewayName.OFFLINE,
                actor=actor,
                reason=reason,
            )
        )
    return attempts


def claim_attempt(attempt_id: int, status: str, **fields) -> PaymentAttempt | None:
    """Mark a pending attempt done, once: a conditional update, so the task, its retry and a
    webhook reporting the same outcome cannot each apply it."""
    now = timezone.now()
    claimed = PaymentAttempt.objects.filter(pk=attempt_id, status=AttemptStatus.PENDING).update(
        status=status, completed_at=now, updated_at=now, **fields
    )
    if not claimed:
        return None
    return PaymentAttempt.objects.select_related("parent").get(pk=attempt_id)


def record_success(
    attempt: PaymentAttempt, order: Order, result: GatewayResult
) -> PaymentAttempt | None:
    claimed = claim_attempt(
        attempt.pk,
        AttemptStatus.SUCCEEDED,
        reference=result.reference,
        error_message=result.note[:500],
        error_code="",
    )
    if claimed is None:
        return None
    attempt = claimed
    canceled = order.status == OrderStatus.CANCELED
    if attempt.kind == AttemptKind.AUTHORIZE:
        if canceled:
            new_attempt(
                order,
                kind=AttemptKind.VOID,
                amount=attempt.amount,
                gateway=attempt.gateway,
                parent=attempt,
                reason="Order canceled",
            )
        else:
            if order.payment_status != S.AUTHORIZED:
                move_status(order, S.AUTHORIZED, last_payment_error="")
            if (
                order.status in SHIPPED_STATUSES
                and order.capture_mode == CaptureMode.ON_SHIPMENT
                and attempt.gateway != GatewayName.OFFLINE
            ):
                # The order shipped while this authorization was still on its way (a busy
                # worker): the shipment found nothing to capture, so capture it now.
                new_attempt(
                    order,
                    kind=AttemptKind.CAPTURE,
                    amount=min(attempt.amount, amount_due(order)),
                    gateway=attempt.gateway,
                    parent=attempt,
                    payment_method=attempt.payment_method,
                )
    elif attempt.kind == AttemptKind.CAPTURE:
        captured = order.amount_captured + attempt.amount
        if attempt.parent_id and not attempt.final and captured < order.total and not canceled:
            # Partial shipment: Stripe released the rest of the hold; hold the rest again.
            order.amount_captured = captured
            order.save(update_fields=["amount_captured", "updated_at"])
            new_attempt(
                order,
                kind=AttemptKind.AUTHORIZE,
                amount=order.total - captured,
                gateway=attempt.gateway,
                payment_method=attempt.payment_method,
            )
        elif canceled:
            order.amount_captured = captured
            order.save(update_fields=["amount_captured", "updated_at"])
            refund_captured(order, amount=attempt.amount, actor=None, reason="Order canceled")
        else:
            move_status(order, S.CAPTURED, amount_captured=captured, last_payment_error="")
        payment_captured.send(
            sender=PaymentAttempt, order=order, attempt=attempt, amount=attempt.amount
        )
    elif attempt.kind == AttemptKind.VOID:
        PaymentAttempt.objects.filter(pk=attempt.parent_id).update(status=AttemptStatus.RELEASED)
        if order.payment_status != S.VOIDED and order.amount_captured <= ZERO:
            move_status(order, S.VOIDED, last_payment_error="")
    else:
        refunded = order.amount_refunded + attempt.amount
        status = S.REFUNDED if refunded >= order.amount_captured else S.PARTIALLY_REFUNDED
        if order.payment_status in (S.VOIDED, S.REFUNDED):
            order.amount_refunded = refunded
            order.save(update_fields=["amount_refunded", "updated_at"])
        else:
            move_status(order, status, amount_refunded=refunded)
    return attempt
