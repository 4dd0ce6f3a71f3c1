"""Stripe's events about payments we started: they reconcile attempts and orders.

Stripe sends each event at least once; the event id is stored (unique) in the same
transaction as its effect, so a redelivered event changes nothing. The task that made a call
usually records its outcome first; the webhook then finds the attempt finished and only marks
the event as seen. It matters when the task's answer was lost (a killed worker): the event
completes the attempt instead.
"""

from __future__ import annotations

import logging

from django.db import IntegrityError, transaction

from .choices import AttemptKind, AttemptStatus
from .gateways import GatewayResult
from .models import PaymentAttempt, ProcessedWebhookEvent
from .services import attempt_failed, attempt_succeeded, authorization_lapsed

logger = logging.getLogger(__name__)

HANDLED = {
    "payment_intent.succeeded",
    "payment_intent.payment_failed",
    "payment_intent.canceled",
    "charge.refunded",
}


def _attempt_for(intent) -> PaymentAttempt | None:
    """The pending attempt a PaymentIntent event is about: by the attempt id we put in its
    metadata, else by the reference we stored."""
    metadata = intent.get("metadata") or {}
    attempt_id = metadata.get("attempt")
    if attempt_id and str(attempt_id).isdigit():
        attempt = PaymentAttempt.objects.filter(pk=int(attempt_id)).first()
        if attempt is not None:
            return attempt
    return PaymentAttempt.objects.filter(reference=intent.get("id", "")).order_by("-id").first()


def webhook_event_process(*, event_id: str, event_type: str, data: dict) -> bool:
    """Apply one verified event once. Returns False when it was processed before."""
    try:
        with transaction.atomic():
            ProcessedWebhookEvent.objects.create(event_id=event_id, type=event_type)
            if event_type in HANDLED:
                _apply(event_type, data)
    except IntegrityError:
        return False
    return True


def _apply(event_type: str, obj: dict) -> None:
    if event_type == "charge.refunded":
        intent_id = obj.get("payment_intent") or ""
        for refund in PaymentAttempt.objects.filter(
            kind=AttemptKind.REFUND, status=AttemptStatus.PENDING, parent__reference=intent_id
        ):
            attempt_succeeded(attempt_id=refund.pk, result=GatewayResult(reference=intent_id))
        return
    attempt = _attempt_for(obj)
    if attempt is None:
        logger.info("stripe event %s for unknown payment intent %s", event_type, obj.get("id"))
        return
    if event_type == "payment_intent.succeeded":
        # Succeeded means captured: complete the capture waiting on this intent.
        capture = (
            attempt
            if attempt.kind == AttemptKind.CAPTURE
            else attempt.children.filter(
                kind=AttemptKind.CAPTURE, status=AttemptStatus.PENDING
            ).first()
        )
        if capture is not None and capture.status == AttemptStatus.PENDING:
            attempt_succeeded(attempt_id=capture.pk, result=GatewayResult(reference=obj["id"]))
    elif event_type == "payment_intent.payment_failed":
        error = obj.get("last_payment_error") or {}
        if attempt.status == AttemptStatus.PENDING:
            attempt_failed(
                attempt_id=attempt.pk,
                code=error.get("code") or "card_declined",
                message=error.get("message") or "Your card was declined.",
            )
    elif event_type == "payment_intent.canceled":
        void = attempt.children.filter(kind=AttemptKind.VOID, status=AttemptStatus.PENDING).first()
        if void is not None:
            attempt_succeeded(attempt_id=void.pk, result=GatewayResult(reference=obj["id"]))
        elif attempt.kind == AttemptKind.AUTHORIZE:
            authorization_lapsed(attempt_id=attempt.pk)
