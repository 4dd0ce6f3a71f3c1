from __future__ import annotations

import json
import logging
from datetime import timedelta

from celery import shared_task
from django.conf import settings
from django.core.mail import send_mail
from django.db.models import Exists, OuterRef, Q
from django.template.loader import render_to_string
from django.utils import timezone
from standardwebhooks.webhooks import Webhook

from . import services, transport
from .choices import DeliveryStatus
from .models import WebhookDelivery, WebhookEndpoint

logger = logging.getLogger(__name__)

# How long one run may hold an endpoint's queue before another worker may take it over (the
# holder died). Renewed before every request; comfortably above one request's timeouts.
LEASE = timedelta(minutes=2)
# Deliveries one run sends before handing the endpoint back to the queue, so one busy
# endpoint does not keep a worker from everyone else's.
BATCH = 100


def _signed_request(delivery: WebhookDelivery) -> tuple[bytes, dict[str, str]]:
    body = json.dumps(delivery.event.payload, separators=(",", ":"), ensure_ascii=False)
    now = timezone.now()
    # The timestamp is the attempt's, not the event's: receivers reject signatures older than
    # a few minutes (replay protection), and a retry can come hours after the event.
    signature = Webhook(delivery.endpoint.secret).sign(delivery.event.event_id, now, body)
    headers = {
        "Content-Type": "application/json",
        "User-Agent": "ResellerPortal-Webhooks/1",
        "webhook-id": delivery.event.event_id,
        "webhook-timestamp": str(int(now.timestamp())),
        "webhook-signature": signature,
    }
    return body.encode(), headers


def _retry_later(endpoint_id: int, when) -> None:
    """Wake up for the head's retry. With no broker (eager mode) a countdown would run at
    once, recursively: the periodic sweep picks retries up instead."""
    if settings.CELERY_TASK_ALWAYS_EAGER or deliver_webhooks.app.conf.task_always_eager:
        return
    countdown = max(1, int((when - timezone.now()).total_seconds()) + 1)
    try:
        deliver_webhooks.apply_async(args=[endpoint_id], countdown=countdown)
    except Exception:
        logger.exception("could not schedule a webhook retry endpoint=%s", endpoint_id)


@shared_task(acks_late=True)
def deliver_webhooks(endpoint_id: int) -> int:
    """Send the endpoint's due deliveries, oldest first, one at a time; returns how many were
    delivered.

    In order per endpoint: a delivery waiting for a retry holds every later one, so a retried
    `order.created` can never arrive after that order's `order.updated`. Safe to run twice at
    once (the lease) and to redeliver (what was delivered is no longer pending). A worker that
    dies between the request and recording it sends that event again later: delivery is
    at least once, and receivers drop repeats by the `webhook-id` header.
    """
    if not services.endpoint_claim(endpoint_id=endpoint_id, lease=LEASE):
        return 0
    delivered = 0
    retry_at = None
    more = False
    try:
        queue = services.queued_deliveries(endpoint_id=endpoint_id, limit=BATCH)
        for delivery in queue:
            if delivery.next_attempt_at > timezone.now():
                retry_at = delivery.next_attempt_at
                break
            if not services.endpoint_extend(endpoint_id=endpoint_id, lease=LEASE):
                break  # disabled meanwhile: what is left waits
            body, headers = _signed_request(delivery)
            attempted_at = timezone.now()
            outcome = transport.post(delivery.endpoint.url, body=body, headers=headers)
            recorded = services.webhook_attempt_record(
                delivery=delivery, outcome=outcome, attempted_at=attempted_at
            )
            if recorded.status == DeliveryStatus.SUCCEEDED:
                delivered += 1
            elif recorded.status == DeliveryStatus.PENDING:
                retry_at = recorded.next_attempt_at
                break
        else:
            more = len(queue) == BATCH
    finally:
        services.endpoint_release(endpoint_id=endpoint_id)
    # Scheduled only once the lease is released, so the next run can take it.
    if retry_at is not None:
        _retry_later(endpoint_id, retry_at)
    elif more:
        # More than a batch waiting: continue in a fresh task, behind other endpoints' work.
        deliver_webhooks.delay(endpoint_id)
    return delivered


@shared_task(acks_late=True)
def deliver_due_webhooks() -> int:
    """Periodic sweep: start delivery for every active endpoint whose queue head is due and
    that no worker holds. Catches retries (always, in eager mode) and tasks lost to a broker
    outage."""
    now = timezone.now()
    due = WebhookDelivery.objects.filter(
        endpoint=OuterRef("pk"), status=DeliveryStatus.PENDING, next_attempt_at__lte=now
    )
    endpoint_ids = list(
        WebhookEndpoint.objects.filter(is_active=True)
        .filter(Q(lease_until__isnull=True) | Q(lease_until__lt=now))
        .filter(Exists(due))
        .values_list("pk", flat=True)
    )
    for endpoint_id in endpoint_ids:
        deliver_webhooks.delay(endpoint_id)
    return len(endpoint_ids)


@shared_task(acks_late=True)
def send_endpoint_disabled_notice(endpoint_id: int) -> None:
    endpoint = WebhookEndpoint.objects.select_related("reseller").filter(pk=endpoint_id).first()
    if endpoint is None:
        return
    body = render_to_string(
        "emails/webhook_endpoint_disabled.txt",
        {"endpoint": endpoint, "reseller": endpoint.reseller, "site_url": settings.SITE_URL},
    )
    send_mail(
        "A webhook endpoint was disabled after failing for a day",
        body,
        None,
        [endpoint.reseller.email],
    )
