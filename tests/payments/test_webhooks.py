"""Stripe webhooks: verified with the SDK, each event applied once, forgeries refused."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from decimal import Decimal

import pytest
from django.urls import reverse

from fulfilment.services import shipment_create
from payments.choices import AttemptKind
from payments.models import PaymentAttempt, ProcessedWebhookEvent
from payments.tasks import process_payment_attempt
from tests.factories import ListingFactory, ProductFactory
from tests.payments.localstripe import WEBHOOK_SECRET, add_card, capture_rule, place

pytestmark = pytest.mark.django_db

URL = "/payments/stripe/webhook/"


def signed(payload: bytes, secret: str = WEBHOOK_SECRET, timestamp: int | None = None) -> str:
    timestamp = timestamp or int(time.time())
    signature = hmac.new(
        secret.encode(), f"{timestamp}.".encode() + payload, hashlib.sha256
    ).hexdigest()
    return f"t={timestamp},v1={signature}"


def event(event_id: str, event_type: str, obj: dict) -> bytes:
    return json.dumps(
        {"id": event_id, "object": "event", "type": event_type, "data": {"object": obj}}
    ).encode()


def post(client, payload: bytes, signature: str):
    return client.post(
        URL, payload, content_type="application/json", HTTP_STRIPE_SIGNATURE=signature
    )


@pytest.fixture
def capture_waiting_for_its_answer(stripe_settings, stripe_api, staff, reseller, channel):
    """An on-shipment order whose capture went through at Stripe but whose task never
    recorded it (the worker died after the call): only the webhook can tell us."""
    ListingFactory(channel=channel, product=ProductFactory(sku="SKU-1"), price=Decimal("12.50"))
    capture_rule({"type": "capture_on_shipment"})
    add_card(reseller)
    callbacks = []
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(
            "payments.ledger.enqueue_on_commit", lambda task, *args: callbacks.append(args)
        )
        order = place(reseller)
        # Authorize for real (as the task would have), then ship without running the capture.
        process_payment_attempt.apply(args=callbacks[0])
        shipment_create(
            order=order, carrier="UPS", tracking_number="1Z999AA10123456784", actor=staff
        )
    hold = PaymentAttempt.objects.get(order=order, kind=AttemptKind.AUTHORIZE)
    capture = PaymentAttempt.objects.get(order=order, kind=AttemptKind.CAPTURE)
    intent = stripe_api.v1.payment_intents.capture(hold.reference)
    return order, capture, intent.to_dict()


def test_a_signed_payment_intent_succeeded_completes_the_capture_once(
    client, capture_waiting_for_its_answer
):
    order, capture, intent = capture_waiting_for_its_answer
    payload = event("evt_1", "payment_intent.succeeded", intent)

    first = post(client, payload, signed(payload))
    again = post(client, payload, signed(payload))  # Stripe delivers at least once

    assert (first.status_code, first.json()["duplicate"]) == (200, False)
    assert (again.status_code, again.json()["duplicate"]) == (200, True)
    order.refresh_from_db()
    capture.refresh_from_db()
    assert (order.payment_status, order.amount_captured) == ("captured", Decimal("25.00"))
    assert capture.status == "succeeded"
    assert ProcessedWebhookEvent.objects.filter(event_id="evt_1").count() == 1


@pytest.mark.parametrize(
    "signature",
    [
        "t=1,v1=deadbeef",
        "",
        "wrong-secret",
        "stale",
    ],
)
def test_a_forged_or_stale_webhook_is_refused_and_changes_nothing(
    client, capture_waiting_for_its_answer, signature
):
    order, capture, intent = capture_waiting_for_its_answer
    payload = event("evt_forged", "payment_intent.succeeded", intent)
    if signature == "wrong-secret":
        signature = signed(payload, secret="whsec_someone_else")
    elif signature == "stale":
        signature = signed(payload, timestamp=int(time.time()) - 3600)

    response = post(client, payload, signature)

    assert response.status_code == 400
    order.refresh_from_db()
    capture.refresh_from_db()
    assert (order.payment_status, capture.status) == ("authorized", "pending")
    assert not ProcessedWebhookEvent.objects.exists()


def test_a_payment_failed_event_fails_the_pending_attempt(
    client, stripe_settings, reseller, catalog
):
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("payments.ledger.enqueue_on_commit", lambda *args: None)
        add_card(reseller)
        order = place(reseller)
    attempt = PaymentAttempt.objects.get(order=order)
    payload = event(
        "evt_2",
        "payment_intent.payment_failed",
        {
            "id": "pi_unknown_to_us",
            "object": "payment_intent",
            "metadata": {"attempt": str(attempt.pk)},
            "last_payment_error": {"code": "card_declined", "message": "Your card was declined."},
        },
    )

    assert post(client, payload, signed(payload)).status_code == 200

    order.refresh_from_db()
    attempt.refresh_from_db()
    assert (order.payment_status, order.last_payment_error) == (
        "failed",
        "Your card was declined.",
    )
    assert (attempt.status, attempt.error_code) == ("failed", "card_declined")


def test_webhooks_are_off_without_a_signing_secret(client, settings):
    settings.STRIPE_WEBHOOK_SECRET = ""
    payload = event("evt_3", "payment_intent.succeeded", {"id": "pi_x"})

    assert post(client, payload, signed(payload)).status_code == 404
    assert not ProcessedWebhookEvent.objects.exists()


def test_the_webhook_url_is_the_contract_path():
    assert reverse("stripe_webhook") == URL
