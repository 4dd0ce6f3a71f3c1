from __future__ import annotations

import logging
from datetime import timedelta

from celery import shared_task
from django.utils import timezone

from . import services
from .choices import AttemptKind, AttemptStatus, GatewayName
from .gateways import GatewayError, GatewayResult, GatewayUnavailable, Payer, gateway_for
from .models import PaymentAttempt, PaymentProfile

logger = logging.getLogger(__name__)

MAX_RETRIES = 8
# A pending attempt untouched for this long lost its task (broker outage, retries used up).
STALE_AFTER = timedelta(minutes=10)


def _payer(attempt: PaymentAttempt) -> Payer:
    customer = (
        PaymentProfile.objects.filter(reseller_id=attempt.order.reseller_id)
        .values_list("stripe_customer_id", flat=True)
        .first()
    )
    method = attempt.payment_method.gateway_id if attempt.payment_method else ""
    return Payer(customer_id=customer or "", payment_method_id=method)


def _call_gateway(attempt: PaymentAttempt) -> GatewayResult:
    gateway = gateway_for(attempt.gateway)
    parent = attempt.parent.reference if attempt.parent else ""
    if attempt.kind == AttemptKind.AUTHORIZE:
        return gateway.authorize(attempt=attempt, payer=_payer(attempt))
    if attempt.kind == AttemptKind.CAPTURE and parent:
        return gateway.capture(attempt=attempt, authorization=parent, payer=_payer(attempt))
    if attempt.kind == AttemptKind.CAPTURE:
        return gateway.charge(attempt=attempt, payer=_payer(attempt))
    if attempt.kind == AttemptKind.VOID:
        return gateway.void(attempt=attempt, authorization=parent)
    return gateway.refund(attempt=attempt, payment=parent)


@shared_task(bind=True, acks_late=True, max_retries=MAX_RETRIES)
def process_payment_attempt(self, attempt_id: int) -> str:
    """Make the gateway call a payment attempt stands for, then record its outcome.

    Safe to run twice (a redelivery after a killed worker, the stale sweep): a finished attempt
    is skipped, the gateway call carries the attempt's idempotency key (and a capture first
    checks whether the authorization was captured already), and the outcome is recorded once.
    No transaction is open around the gateway call.
    """
    attempt = (
        PaymentAttempt.objects.select_related("order", "parent", "payment_method")
        .filter(pk=attempt_id)
        .first()
    )
    if attempt is None or attempt.status != AttemptStatus.PENDING:
        return "done already"
    if (
        attempt.gateway == GatewayName.STRIPE
        and attempt.kind in (AttemptKind.AUTHORIZE, AttemptKind.CAPTURE)
        and attempt.parent_id is None
        and attempt.payment_method_id is None
    ):
        # Placed without looking for a card (see services.payment_start): pick it now.
        attempt.payment_method = services.attempt_use_card(attempt_id=attempt_id)
        if attempt.payment_method is None:
            services.attempt_without_card(attempt_id=attempt_id)
            return "no card"
    try:
        result = _call_gateway(attempt)
    except GatewayError as error:
        services.attempt_failed(attempt_id=attempt_id, code=error.code, message=error.message)
        return "failed"
    except GatewayUnavailable as error:
        PaymentAttempt.objects.filter(pk=attempt_id, status=AttemptStatus.PENDING).update(
            updated_at=timezone.now()
        )
        if self.request.is_eager or self.request.retries >= MAX_RETRIES:
            # In-process there is nothing to wait with; the periodic sweep tries it again.
            logger.warning("payment attempt %s: gateway unavailable: %s", attempt_id, error)
            return "gateway unavailable"
        raise self.retry(countdown=min(2 ** (self.request.retries + 1), 300)) from error
    services.attempt_succeeded(attempt_id=attempt_id, result=result)
    return "succeeded"


@shared_task(acks_late=True)
def retry_stale_payment_attempts() -> int:
    """Send again the gateway calls whose task was lost or gave up (periodic)."""
    stale = list(
        PaymentAttempt.objects.filter(
            status=AttemptStatus.PENDING,
            updated_at__lt=timezone.now() - STALE_AFTER,
        )
        .exclude(gateway=GatewayName.OFFLINE)
        .values_list("pk", flat=True)[:500]
    )
    for attempt_id in stale:
        PaymentAttempt.objects.filter(pk=attempt_id).update(updated_at=timezone.now())
        try:
            process_payment_attempt.delay(attempt_id)
        except Exception:
            logger.exception("could not enqueue payment attempt %s", attempt_id)
    return len(stale)
