"""Every change to an order's payment goes through here.

Each service runs in one transaction: it locks the order, checks the move against
`choices.ALLOWED_TRANSITIONS`, writes a `PaymentAttempt` for what the gateway must do, and
schedules the gateway call for after commit (payments.tasks); payments.ledger holds those
steps. The offline gateway moves no money and makes no network call, so its attempts are
completed inline, in the same transaction. The task reports back through `attempt_succeeded` /
`attempt_failed`, which are exactly-once per attempt (a conditional update on its status).
"""

from __future__ import annotations

from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from core.money import format_money
from orders.choices import OrderStatus
from orders.models import Order
from orders.signals import payment_failed
from resellers.models import Reseller

from .choices import (
    ALLOWED_TRANSITIONS,
    MARK_PAID_FROM,
    AttemptKind,
    AttemptStatus,
    CaptureMode,
    GatewayName,
)
from .exceptions import PaymentNotAllowed
from .gateways import GatewayResult, configured_gateway_name
from .ledger import (
    NO_CARD_MESSAGE,
    SHIPPED_STATUSES,
    ZERO,
    S,
    amount_due,
    claim_attempt,
    default_payment_method,
    has_pending_attempt,
    live_authorization,
    lock_order,
    move_status,
    new_attempt,
    record_success,
    refund_captured,
    refundable_amount,
)
from .models import PaymentAttempt, PaymentMethod, PaymentProfile

__all__ = ["amount_due", "default_payment_method", "live_authorization", "refundable_amount"]


# Placement ---------------------------------------------------------------------------------


def payment_start(*, order: Order) -> None:
    """Decide the new order's payment status from its capture decision and the card on file.

    Runs inside order placement's transaction (the order_placed receiver): it only writes
    rows; the gateway is called after commit.
    """
    gateway = configured_gateway_name()
    mode, total = order.capture_mode, order.total
    card_mode = True
    if mode == CaptureMode.DEFERRED:
        status, kind, card_mode = S.ON_TERMS, None, False
    elif mode == CaptureMode.CAPTURE_NOW:
        if order.max_auto_capture is not None and total > order.max_auto_capture:
            status, kind, card_mode = S.AWAITING_CAPTURE, None, False
        else:
            status, kind = S.CAPTURED, AttemptKind.CAPTURE
    elif mode == CaptureMode.ON_SHIPMENT:
        status, kind = S.AUTHORIZED, AttemptKind.AUTHORIZE
    else:
        profile = PaymentProfile.objects.filter(reseller_id=order.reseller_id).first()
        limit = profile.auto_authorize_limit if profile else None
        if limit is not None and total <= limit:
            status, kind = S.AUTHORIZED, AttemptKind.AUTHORIZE
        else:
            status, kind, card_mode = S.AWAITING_AUTHORIZATION, None, False
    fields: dict = {"payment_status": status}
    charge_card = card_mode and gateway == GatewayName.STRIPE and total > ZERO
    if charge_card:
        # Whether a card is on file is the task's first question, not placement's: the
        # order request stays one UPDATE and one INSERT away from the offline gateway's.
        fields["payment_status"] = S.PROCESSING
    elif status == S.CAPTURED:
        # Payment by invoice (or nothing to pay): the rules' decision stands as a record.
        fields["amount_captured"] = total
    for name, value in fields.items():
        setattr(order, name, value)
    Order.objects.filter(pk=order.pk).update(**fields)
    if charge_card:
        new_attempt(order, kind=kind, amount=total, gateway=gateway)


# Staff -------------------------------------------------------------------------------------


def capture_refusal(order: Order) -> str:
    """Why staff cannot capture this order's payment now, or "" when they can."""
    status = order.payment_status
    if status == S.CAPTURED:
        return "Payment for this order is already captured."
    if order.status == OrderStatus.CANCELED:
        return "The order is canceled; there is nothing to capture."
    if status == S.AWAITING_AUTHORIZATION:
        return "The reseller has not authorized this payment yet."
    if status == S.PROCESSING:
        return "A payment for this order is already being processed."
    if status not in (S.AWAITING_CAPTURE, S.AUTHORIZED):
        return f"A payment that is {S(status).label.lower()} cannot be captured."
    if (
        order.capture_mode == CaptureMode.ON_SHIPMENT
        and status == S.AUTHORIZED
        and order.status not in SHIPPED_STATUSES
    ):
        return "This order's payment is captured on shipment; ship the order first."
    return ""


@transaction.atomic
def payment_capture(*, order: Order, actor: User | None) -> PaymentAttempt:
    """Staff capture the amount due: of the held authorization, or by charging the card."""
    locked = lock_order(order)
    refusal = capture_refusal(locked)
    if not refusal and has_pending_attempt(locked, (AttemptKind.CAPTURE, AttemptKind.AUTHORIZE)):
        # The race this prevents: two staff members clicking Capture at once. The second
        # waits on the lock above, then finds the first one's capture under way.
        refusal = "A payment for this order is already being processed."
    if refusal:
        raise PaymentNotAllowed(refusal)
    authorization = live_authorization(locked)
    if authorization is not None:
        attempt = new_attempt(
            locked,
            kind=AttemptKind.CAPTURE,
            amount=min(authorization.amount, amount_due(locked)),
            gateway=authorization.gateway,
            parent=authorization,
            payment_method=authorization.payment_method,
            actor=actor,
        )
    else:
        gateway = configured_gateway_name()
        method = None
        if gateway == GatewayName.STRIPE:
            method = default_payment_method(locked.reseller_id)
            if method is None:
                raise PaymentNotAllowed(
                    "The reseller has no card on file: ask them to add one, or Mark paid when "
                    "the money arrives another way."
                )
            move_status(locked, S.PROCESSING)
        attempt = new_attempt(
            locked,
            kind=AttemptKind.CAPTURE,
            amount=amount_due(locked),
            gateway=gateway,
            payment_method=method,
            actor=actor,
        )
    order.refresh_from_db()
    return attempt


def mark_paid_refusal(order: Order) -> str:
    if order.status == OrderStatus.CANCELED:
        return "The order is canceled; there is nothing to pay."
    if order.payment_status not in MARK_PAID_FROM:
        label = order.get_payment_status_display().lower()
        return f"A payment that is {label} cannot be marked paid."
    return ""


@transaction.atomic
def payment_mark_paid(*, order: Order, actor: User | None, reason: str = "") -> PaymentAttempt:
    """Staff record money that arrived outside the portal (a bank transfer), offline."""
    locked = lock_order(order)
    refusal = mark_paid_refusal(locked)
    if not refusal and has_pending_attempt(locked):
        refusal = "A payment for this order is already being processed."
    if refusal:
        raise PaymentNotAllowed(refusal)
    attempt = new_attempt(
        locked,
        kind=AttemptKind.CAPTURE,
        amount=amount_due(locked),
        gateway=GatewayName.OFFLINE,
        actor=actor,
        reason=reason.strip() or "Bank transfer",
    )
    order.refresh_from_db()
    return attempt


@transaction.atomic
def payment_refund(
    *, order: Order, actor: User | None, amount: Decimal, reason: str
) -> list[PaymentAttempt]:
    """Staff refund part or all of what was captured, with a reason."""
    locked = lock_order(order)
    if locked.payment_status not in (S.CAPTURED, S.PARTIALLY_REFUNDED):
        raise PaymentNotAllowed(
            f"A payment that is {locked.get_payment_status_display().lower()} cannot be refunded."
        )
    reason = reason.strip()
    if not reason:
        raise PaymentNotAllowed("Say why you refund: the reason is kept with the refund.", "reason")
    if amount is None or amount <= ZERO or amount != amount.quantize(Decimal("0.01")):
        raise PaymentNotAllowed(
            "Enter an amount greater than 0 with at most two decimals.", "amount"
        )
    available = refundable_amount(locked)
    if amount > available:
        raise PaymentNotAllowed(
            f"At most {format_money(available)} {locked.currency} can be refunded.", "amount"
        )
    return refund_captured(locked, amount=amount, actor=actor, reason=reason)


# Reseller ----------------------------------------------------------------------------------


def authorization_refusal(order: Order) -> str:
    if order.payment_status != S.AWAITING_AUTHORIZATION:
        return "This order's payment does not need your authorization."
    if order.status == OrderStatus.CANCELED:
        return "The order is canceled; there is nothing to authorize."
    return ""


def _charge_or_hold(order: Order, *, actor: User | None) -> PaymentAttempt:
    """Ask the gateway for the amount due, the way the order's capture mode says."""
    gateway = configured_gateway_name()
    method = None
    if gateway == GatewayName.STRIPE:
        method = default_payment_method(order.reseller_id)
        if method is None:
            raise PaymentNotAllowed(NO_CARD_MESSAGE)
    authorization = live_authorization(order)
    if authorization is not None:
        kind, parent, method = AttemptKind.CAPTURE, authorization, authorization.payment_method
    elif order.capture_mode == CaptureMode.CAPTURE_NOW or order.status in SHIPPED_STATUSES:
        kind, parent = AttemptKind.CAPTURE, None
    else:
        kind, parent = AttemptKind.AUTHORIZE, None
    if gateway == GatewayName.STRIPE and parent is None:
        move_status(order, S.PROCESSING, last_payment_error="")
    return new_attempt(
        order,
        kind=kind,
        amount=amount_due(order) if parent is None else parent.amount,
        gateway=gateway if parent is None else parent.gateway,
        parent=parent,
        payment_method=method,
        actor=actor,
    )


@transaction.atomic
def payment_authorize(*, order: Order, actor: User | None) -> PaymentAttempt:
    """The reseller authorizes an order's payment that a rule said needs its approval."""
    locked = lock_order(order)
    refusal = authorization_refusal(locked)
    if refusal:
        raise PaymentNotAllowed(refusal)
    attempt = _charge_or_hold(locked, actor=actor)
    order.refresh_from_db()
    return attempt


def retry_refusal(order: Order) -> str:
    if order.status == OrderStatus.CANCELED:
        return "The order is canceled; there is nothing to pay."
    if order.payment_status not in (S.FAILED, S.AWAITING_PAYMENT_METHOD):
        return "This order's payment has not failed."
    return ""


@transaction.atomic
def payment_retry(*, order: Order, actor: User | None) -> PaymentAttempt:
    """The reseller tries a failed payment again (usually after adding another card)."""
    locked = lock_order(order)
    refusal = retry_refusal(locked)
    if not refusal and has_pending_attempt(locked):
        refusal = "This order's payment is already being processed."
    if refusal:
        raise PaymentNotAllowed(refusal)
    attempt = _charge_or_hold(locked, actor=actor)
    order.refresh_from_db()
    return attempt


def payments_resume_for_reseller(*, reseller: Reseller, actor: User | None) -> int:
    """A card was added: retry every open order that was waiting for one. Returns how many."""
    orders = Order.objects.filter(
        reseller=reseller, payment_status=S.AWAITING_PAYMENT_METHOD
    ).exclude(status=OrderStatus.CANCELED)
    retried = 0
    for order in orders:
        try:
            payment_retry(order=order, actor=actor)
        except PaymentNotAllowed:
            continue  # changed meanwhile (canceled, marked paid)
        retried += 1
    return retried


# Hooks from orders and fulfilment ----------------------------------------------------------


def payment_capture_shipment(
    *, order: Order, amount: Decimal, final: bool, actor: User | None
) -> PaymentAttempt | None:
    """Goods left the warehouse: capture their value from the held authorization.

    Called inside the shipment's transaction. A partial capture (not `final`) makes Stripe
    release the rest of the hold, so the remainder is authorized again once it succeeds.
    """
    # The shipping transaction holds the order's row lock, so its payment status is current:
    # skipping here keeps a tracking import's queries flat for orders with nothing to capture.
    if order.payment_status != S.AUTHORIZED:
        return None
    locked = lock_order(order)
    if locked.payment_status != S.AUTHORIZED:
        return None
    authorization = live_authorization(locked)
    if authorization is None:
        return None  # offline: staff record the capture as before
    due = amount_due(locked)
    amount = due if final else min(amount, due)
    if amount <= ZERO:
        return None
    return new_attempt(
        locked,
        kind=AttemptKind.CAPTURE,
        amount=min(amount, authorization.amount),
        gateway=authorization.gateway,
        parent=authorization,
        payment_method=authorization.payment_method,
        actor=actor,
        final=final or amount >= due,
    )


def payment_cancel(*, order: Order, actor: User | None) -> None:
    """The order was canceled: release what is held and give back what was taken."""
    locked = lock_order(order)
    authorization = live_authorization(locked)
    if authorization is not None:
        new_attempt(
            locked,
            kind=AttemptKind.VOID,
            amount=authorization.amount,
            gateway=authorization.gateway,
            parent=authorization,
            actor=actor,
            reason="Order canceled",
        )
    refundable = refundable_amount(locked)
    if refundable > ZERO:
        refund_captured(locked, amount=refundable, actor=actor, reason="Order canceled")
    elif authorization is None and locked.payment_status not in (
        S.VOIDED,
        S.REFUNDED,
        S.CAPTURED,
        S.PARTIALLY_REFUNDED,
    ):
        # Nothing held or taken (awaiting, on terms, failed, or an offline authorization).
        move_status(locked, S.VOIDED, last_payment_error="")


# Outcomes reported by the task or a webhook ------------------------------------------------


@transaction.atomic
def attempt_succeeded(*, attempt_id: int, result: GatewayResult) -> PaymentAttempt | None:
    attempt = PaymentAttempt.objects.select_related("order").get(pk=attempt_id)
    order = lock_order(attempt.order)
    return record_success(attempt, order, result)


@transaction.atomic
def attempt_failed(*, attempt_id: int, code: str, message: str) -> PaymentAttempt | None:
    attempt = PaymentAttempt.objects.select_related("order").get(pk=attempt_id)
    order = lock_order(attempt.order)
    claimed = claim_attempt(
        attempt_id, AttemptStatus.FAILED, error_code=code[:100], error_message=message[:500]
    )
    if claimed is None:
        return None
    if claimed.kind in (AttemptKind.AUTHORIZE, AttemptKind.CAPTURE):
        if order.status != OrderStatus.CANCELED and S.FAILED in ALLOWED_TRANSITIONS.get(
            order.payment_status, frozenset()
        ):
            move_status(order, S.FAILED, last_payment_error=message[:500])
        payment_failed.send(sender=PaymentAttempt, order=order, attempt=claimed, message=message)
    else:
        # A void or refund the gateway refused: the status stays; staff see the message.
        order.last_payment_error = message[:500]
        order.save(update_fields=["last_payment_error", "updated_at"])
    return claimed


@transaction.atomic
def attempt_without_card(*, attempt_id: int) -> PaymentAttempt | None:
    """The attempt found no card on file: the order waits for one (adding a card retries)."""
    attempt = PaymentAttempt.objects.select_related("order").get(pk=attempt_id)
    order = lock_order(attempt.order)
    claimed = claim_attempt(
        attempt_id,
        AttemptStatus.FAILED,
        error_code="no_payment_method",
        error_message="No card on file.",
    )
    if claimed is not None and order.payment_status == S.PROCESSING:
        move_status(order, S.AWAITING_PAYMENT_METHOD, last_payment_error="")
    return claimed


@transaction.atomic
def attempt_use_card(*, attempt_id: int) -> PaymentMethod | None:
    """Give a pending attempt the reseller's default card (chosen when the task runs)."""
    attempt = PaymentAttempt.objects.select_related("order").get(pk=attempt_id)
    method = default_payment_method(attempt.order.reseller_id)
    if method is not None:
        PaymentAttempt.objects.filter(
            pk=attempt_id, status=AttemptStatus.PENDING, payment_method__isnull=True
        ).update(payment_method=method)
    return method


@transaction.atomic
def authorization_lapsed(*, attempt_id: int) -> None:
    """Stripe canceled an authorization on its own (it expired). Capture charges anew."""
    PaymentAttempt.objects.filter(
        pk=attempt_id, kind=AttemptKind.AUTHORIZE, status=AttemptStatus.SUCCEEDED
    ).update(error_message="The authorization expired at the gateway.", updated_at=timezone.now())
