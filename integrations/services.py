"""Writes for feeds and webhooks. No network here: delivery is tasks.deliver_webhooks."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from accounts.models import User
from core.tasks import enqueue_on_commit
from orders import signals
from resellers.models import Reseller

from . import credentials, payloads, transport
from .choices import (
    DISABLE_AFTER,
    MAX_ATTEMPTS,
    RETRY_DELAYS,
    TEST_EVENT_TYPE,
    DeliveryStatus,
    DisabledReason,
    EventType,
)
from .exceptions import FeedNotAllowed, WebhookNotAllowed
from .models import FeedToken, WebhookAttempt, WebhookDelivery, WebhookEndpoint, WebhookEvent

logger = logging.getLogger(__name__)

# Enough for every system a reseller runs, few enough that a script creating them in a loop
# is noticed. Each endpoint is one more request per event.
MAX_ENDPOINTS = 10
# `last_fetched_at` is written at most this often, so a feed polled every few seconds costs
# reads only.
FETCH_RESOLUTION = timedelta(seconds=60)
# Likewise an endpoint's `last_success_at`: a healthy endpoint's row is written once a minute.
LAST_SUCCESS_RESOLUTION = timedelta(seconds=60)


# --- Feed token ---------------------------------------------------------------------------


@transaction.atomic
def feed_token_issue(*, reseller: Reseller, actor: User | None) -> tuple[FeedToken, str]:
    """Create the reseller's feed token, or replace it (a rotation: the old URL stops at once).

    Returns the token with its plaintext, which exists only in this return value.
    """
    if not reseller.may_order:
        raise FeedNotAllowed("Only approved or active accounts can have a product feed.")
    # The reseller row lock serialises two concurrent "create" clicks, so the one-to-one
    # insert cannot collide.
    Reseller.objects.select_for_update().filter(pk=reseller.pk).first()
    plaintext, hint, hashed = credentials.new_feed_token()
    token, _ = FeedToken.objects.update_or_create(
        reseller=reseller,
        defaults={
            "prefix": hint,
            "hash": hashed,
            "created_by": actor,
            "created_at": timezone.now(),
            "last_fetched_at": None,
        },
    )
    return token, plaintext


@transaction.atomic
def feed_token_revoke(*, reseller: Reseller) -> bool:
    deleted, _ = FeedToken.objects.filter(reseller=reseller).delete()
    return bool(deleted)


def feed_token_mark_fetched(*, token: FeedToken, now: datetime | None = None) -> None:
    """Record a fetch, at most once a minute (a conditional UPDATE; no lock, no read)."""
    now = now or timezone.now()
    FeedToken.objects.filter(pk=token.pk).filter(
        Q(last_fetched_at__isnull=True) | Q(last_fetched_at__lt=now - FETCH_RESOLUTION)
    ).update(last_fetched_at=now)


# --- Endpoints ----------------------------------------------------------------------------


def _clean_events(events: list[str]) -> list[str]:
    known = [value for value in EventType.values if value in set(events)]
    if not known:
        raise WebhookNotAllowed("Choose at least one event to receive.", field="events")
    return known


def _ensure_may_manage(endpoint: WebhookEndpoint, actor: User) -> None:
    """Views scope the lookup already; this keeps the ownership rule in the service too."""
    if not actor.is_staff and actor.reseller_id != endpoint.reseller_id:
        raise WebhookNotAllowed("You can only change your own account's webhook endpoints.")


def webhook_endpoint_create(
    *, reseller: Reseller, url: str, events: list[str], actor: User
) -> tuple[WebhookEndpoint, str]:
    """Add an endpoint; returns it with its signing secret (shown to the reseller once)."""
    if not reseller.may_order:
        raise WebhookNotAllowed("Only approved or active accounts can add webhook endpoints.")
    events = _clean_events(events)
    # Resolved before the transaction (a DNS lookup is a network call), only to tell the
    # reseller at once; the send-time check is the one that protects, since DNS can change.
    try:
        transport.resolve(url)
    except transport.UnsafeUrl as error:
        raise WebhookNotAllowed(str(error), field="url") from error
    return _endpoint_insert(reseller=reseller, url=url.strip(), events=events)


@transaction.atomic
def _endpoint_insert(
    *, reseller: Reseller, url: str, events: list[str]
) -> tuple[WebhookEndpoint, str]:
    # Serialises concurrent creations for one reseller so the limit holds.
    Reseller.objects.select_for_update().filter(pk=reseller.pk).first()
    if WebhookEndpoint.objects.filter(reseller=reseller).count() >= MAX_ENDPOINTS:
        raise WebhookNotAllowed(
            f"An account can have at most {MAX_ENDPOINTS} webhook endpoints; delete one first."
        )
    secret = credentials.new_signing_secret()
    endpoint = WebhookEndpoint.objects.create(
        reseller=reseller, url=url, events=events, secret=secret
    )
    return endpoint, secret


@transaction.atomic
def webhook_endpoint_rotate_secret(*, endpoint: WebhookEndpoint, actor: User) -> str:
    """A new signing secret, effective for the next attempt; the old one stops at once."""
    _ensure_may_manage(endpoint, actor)
    secret = credentials.new_signing_secret()
    WebhookEndpoint.objects.filter(pk=endpoint.pk).update(secret=secret, updated_at=timezone.now())
    endpoint.secret = secret
    return secret


@transaction.atomic
def webhook_endpoint_disable(
    *, endpoint: WebhookEndpoint, actor: User | None, reason: str = DisabledReason.RESELLER
) -> bool:
    """Stop deliveries to the endpoint. Pending ones wait; enabling it sends them."""
    if actor is not None:
        _ensure_may_manage(endpoint, actor)
    # Conditional: a second click, or the failure sweep racing the reseller, changes nothing.
    changed = WebhookEndpoint.objects.filter(pk=endpoint.pk, is_active=True).update(
        is_active=False, disabled_at=timezone.now(), disabled_reason=reason
    )
    endpoint.refresh_from_db()
    return bool(changed)


@transaction.atomic
def webhook_endpoint_enable(*, endpoint: WebhookEndpoint, actor: User) -> bool:
    _ensure_may_manage(endpoint, actor)
    if not endpoint.reseller.may_order:
        raise WebhookNotAllowed("Only approved or active accounts can receive webhooks.")
    now = timezone.now()
    changed = WebhookEndpoint.objects.filter(pk=endpoint.pk, is_active=False).update(
        is_active=True,
        disabled_at=None,
        disabled_reason="",
        failure_count=0,
        failing_since=None,
        lease_until=None,
    )
    # Whatever waited while it was off becomes due now, oldest first.
    WebhookDelivery.objects.filter(endpoint=endpoint, status=DeliveryStatus.PENDING).update(
        next_attempt_at=now
    )
    endpoint.refresh_from_db()
    if changed:
        _schedule(endpoint.pk)
    return bool(changed)


@transaction.atomic
def webhook_endpoint_delete(*, endpoint: WebhookEndpoint, actor: User) -> None:
    _ensure_may_manage(endpoint, actor)
    endpoint.delete()


# --- Events (the outbox) ------------------------------------------------------------------


def _schedule(endpoint_id: int) -> None:
    from .tasks import deliver_webhooks

    enqueue_on_commit(deliver_webhooks, endpoint_id)


def _record(
    *,
    reseller: Reseller,
    event_type: str,
    data: dict,
    endpoints: list[WebhookEndpoint],
) -> WebhookEvent | None:
    if not endpoints:
        return None
    event = WebhookEvent(reseller=reseller, type=event_type, payload={})
    event.payload = payloads.body(event_id=event.event_id, event_type=event_type, data=data)
    event.save()
    now = timezone.now()
    WebhookDelivery.objects.bulk_create(
        WebhookDelivery(event=event, endpoint=endpoint, next_attempt_at=now)
        for endpoint in endpoints
    )
    for endpoint in endpoints:
        _schedule(endpoint.pk)
    return event


def subscribed_endpoints(*, reseller_id: int, event_type: str) -> list[WebhookEndpoint]:
    # JSON "contains" is not available on SQLite; an account has at most MAX_ENDPOINTS.
    # Inside a batch of order signals (a tracking import) the lookup is made once per reseller.
    active = signals.memo(
        ("webhook_endpoints", reseller_id),
        lambda: list(
            WebhookEndpoint.objects.filter(reseller_id=reseller_id, is_active=True).select_related(
                "reseller"
            )
        ),
    )
    return [endpoint for endpoint in active if event_type in endpoint.events]


def webhook_event_record(
    *, reseller_id: int, event_type: str, data: Callable[[], dict]
) -> WebhookEvent | None:
    """Write the event and one delivery per subscribed endpoint, in the caller's transaction.

    Called by the receivers of orders.signals inside the transaction that made the change:
    the outbox rows commit with it or not at all, and the delivery task is only enqueued
    after the commit. If the broker is down then, the rows wait for the periodic sweep.
    `data` builds the payload; it is only called when an endpoint wants the event.
    """
    endpoints = subscribed_endpoints(reseller_id=reseller_id, event_type=event_type)
    if not endpoints:
        return None  # nobody listens: no payload to build, no row to write
    return _record(
        reseller=endpoints[0].reseller, event_type=event_type, data=data(), endpoints=endpoints
    )


@transaction.atomic
def webhook_send_test(*, endpoint: WebhookEndpoint, actor: User) -> WebhookEvent:
    """Queue a `webhook.test` event to this one endpoint.

    It joins the back of the endpoint's queue like any event, and whatever is waiting for a
    retry becomes due now: a reseller who has just fixed the receiver sends a test event and
    sees the backlog arrive, instead of waiting hours for the next scheduled retry.
    """
    _ensure_may_manage(endpoint, actor)
    if not endpoint.is_active:
        raise WebhookNotAllowed("This endpoint is disabled; enable it to send a test event.")
    WebhookDelivery.objects.filter(endpoint=endpoint, status=DeliveryStatus.PENDING).update(
        next_attempt_at=timezone.now()
    )
    event = _record(
        reseller=endpoint.reseller,
        event_type=TEST_EVENT_TYPE,
        data=payloads.test_event_data(endpoint.url),
        endpoints=[endpoint],
    )
    assert event is not None
    return event


@transaction.atomic
def webhook_delivery_resend(*, delivery: WebhookDelivery, actor: User) -> WebhookDelivery:
    """Deliver an event again (same id, so the receiver can tell it is a repeat).

    A new delivery at the back of the endpoint's queue: resending an old event must not jump
    ahead of newer ones still waiting.
    """
    _ensure_may_manage(delivery.endpoint, actor)
    resent = WebhookDelivery.objects.create(
        event=delivery.event, endpoint=delivery.endpoint, next_attempt_at=timezone.now()
    )
    _schedule(delivery.endpoint_id)
    return resent


# --- Delivery bookkeeping (called by the task, around the network call) --------------------


def queued_deliveries(*, endpoint_id: int, limit: int) -> list[WebhookDelivery]:
    """The head of the endpoint's queue: its oldest pending deliveries, due or not."""
    return list(
        WebhookDelivery.objects.filter(endpoint_id=endpoint_id, status=DeliveryStatus.PENDING)
        .select_related("event", "endpoint")
        .order_by("id")[:limit]
    )


@transaction.atomic
def webhook_attempt_record(
    *, delivery: WebhookDelivery, outcome: transport.Outcome, attempted_at: datetime
) -> WebhookDelivery:
    """Write the log row and move the delivery and its endpoint on after one attempt.

    Called only by the holder of the endpoint's lease (tasks.deliver_webhooks), so nobody
    else changes this delivery meanwhile. A success, the common case, is three statements;
    a failure locks the endpoint to count it and maybe disable it.
    """
    number = delivery.attempts + 1
    WebhookAttempt.objects.create(
        delivery=delivery,
        endpoint_id=delivery.endpoint_id,
        number=number,
        attempted_at=attempted_at,
        response_code=outcome.response_code,
        duration_ms=outcome.duration_ms,
        succeeded=outcome.succeeded,
        error=outcome.error[:300],
    )
    delivery.attempts = number
    now = timezone.now()
    if outcome.succeeded:
        delivery.status = DeliveryStatus.SUCCEEDED
        # Only a change is written: a healthy endpoint's row is touched once a minute at most.
        WebhookEndpoint.objects.filter(pk=delivery.endpoint_id).filter(
            Q(failure_count__gt=0)
            | Q(last_success_at__isnull=True)
            | Q(last_success_at__lt=now - LAST_SUCCESS_RESOLUTION)
        ).update(failure_count=0, failing_since=None, last_success_at=now)
    else:
        endpoint = WebhookEndpoint.objects.select_for_update().get(pk=delivery.endpoint_id)
        if number >= MAX_ATTEMPTS:
            delivery.status = DeliveryStatus.FAILED
        else:
            delivery.next_attempt_at = now + RETRY_DELAYS[number - 1]
        endpoint.failure_count += 1
        endpoint.failing_since = endpoint.failing_since or attempted_at
        endpoint.save(update_fields=["failure_count", "failing_since"])
        if endpoint.is_active and endpoint.failing_since <= now - DISABLE_AFTER:
            _disable_failing(endpoint)
    delivery.save(update_fields=["attempts", "status", "next_attempt_at", "updated_at"])
    return delivery


def _disable_failing(endpoint: WebhookEndpoint) -> None:
    from .tasks import send_endpoint_disabled_notice

    if webhook_endpoint_disable(endpoint=endpoint, actor=None, reason=DisabledReason.FAILING):
        logger.warning("webhook endpoint disabled after failing a day endpoint=%s", endpoint.pk)
        enqueue_on_commit(send_endpoint_disabled_notice, endpoint.pk)


def endpoint_claim(*, endpoint_id: int, lease: timedelta) -> bool:
    """Take the endpoint's queue for `lease`, if no other worker holds it.

    A conditional UPDATE rather than a row lock: the lock would have to be held across the
    HTTP requests, and no database lock may wait on the network. Two workers (a retry and the
    sweep, or a redelivered task) can therefore never send the same endpoint's events at once
    or out of order.
    """
    now = timezone.now()
    return bool(
        WebhookEndpoint.objects.filter(pk=endpoint_id, is_active=True)
        .filter(Q(lease_until__isnull=True) | Q(lease_until__lt=now))
        .update(lease_until=now + lease)
    )


def endpoint_extend(*, endpoint_id: int, lease: timedelta) -> bool:
    """Renew the lease before the next request; False once the endpoint has been disabled
    (by the reseller, staff, or a failure), which ends the run."""
    return bool(
        WebhookEndpoint.objects.filter(pk=endpoint_id, is_active=True).update(
            lease_until=timezone.now() + lease
        )
    )


def endpoint_release(*, endpoint_id: int) -> None:
    WebhookEndpoint.objects.filter(pk=endpoint_id).update(lease_until=None)
