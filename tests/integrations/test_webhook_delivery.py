from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.db import transaction
from django.utils import timezone
from standardwebhooks.webhooks import Webhook

from fulfilment.services import shipment_create
from integrations.choices import MAX_ATTEMPTS, DeliveryStatus
from integrations.models import WebhookAttempt, WebhookDelivery, WebhookEndpoint, WebhookEvent
from integrations.tasks import deliver_due_webhooks, deliver_webhooks
from orders import signals
from orders.services import order_place, order_transition
from tests.integrations.conftest import Receiver, free_port
from tests.orders.conftest import order_request

pytestmark = pytest.mark.django_db(transaction=True)


def _place(reseller, reference="PO-1"):
    return order_place(reseller=reseller, request=order_request(reference))


def _make_due() -> None:
    """Move every waiting retry to now, as if its delay had passed."""
    WebhookDelivery.objects.filter(status=DeliveryStatus.PENDING).update(
        next_attempt_at=timezone.now() - timedelta(seconds=1)
    )


def test_an_order_event_reaches_the_receiver_signed_per_standard_webhooks(
    reseller_with_user, listings, receiver, endpoint_for
):
    reseller, user = reseller_with_user
    endpoint, secret = endpoint_for(reseller, user, receiver.url)

    order = _place(reseller)

    assert len(receiver.requests) == 1
    request = receiver.requests[0]
    # The receiver's side: the standardwebhooks library verifies and parses the body.
    payload = Webhook(secret).verify(request.body, request.headers)
    assert payload["type"] == "order.created"
    assert payload["id"] == request.headers["webhook-id"]
    assert payload["id"].startswith("msg_")
    assert payload["data"]["order"]["id"] == order.pk
    assert payload["data"]["order"]["reference_number"] == "PO-1"
    assert payload["data"]["order"]["lines"][0]["sku"] == "SKU-1"
    assert payload["data"]["order"]["invoice"]["total"] == str(order.total)
    attempt = WebhookAttempt.objects.get()
    assert (attempt.number, attempt.response_code, attempt.succeeded) == (1, 200, True)
    # Any other secret fails verification.
    with pytest.raises(Exception, match="signature"):
        Webhook("whsec_" + "A" * 32).verify(request.body, request.headers)


def test_a_status_change_sends_order_updated_after_order_created(
    reseller_with_user, listings, receiver, endpoint_for
):
    reseller, user = reseller_with_user
    endpoint_for(reseller, user, receiver.url)
    order = _place(reseller)

    order_transition(order=order, to_status="on_hold", actor=user, message="Checking stock")

    types = [request.json["type"] for request in receiver.requests]
    assert types == ["order.created", "order.updated"]
    changes = receiver.requests[1].json["data"]["changes"]
    assert changes == {"status": {"from": "open", "to": "on_hold"}}


def test_it_retries_after_a_500_and_logs_one_failed_and_one_succeeded_attempt(
    reseller_with_user, listings, receiver, endpoint_for
):
    reseller, user = reseller_with_user
    endpoint, _ = endpoint_for(reseller, user, receiver.url)
    receiver.script = [500]

    _place(reseller)

    delivery = WebhookDelivery.objects.get()
    assert delivery.status == DeliveryStatus.PENDING
    assert delivery.next_attempt_at > timezone.now()  # backing off, not hammering
    # Not due yet: the sweep leaves it alone.
    assert deliver_due_webhooks() == 0
    _make_due()
    assert deliver_due_webhooks() == 1

    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.SUCCEEDED
    attempts = list(WebhookAttempt.objects.order_by("number"))
    assert [(a.number, a.response_code, a.succeeded) for a in attempts] == [
        (1, 500, False),
        (2, 200, True),
    ]
    assert receiver.requests[0].headers["webhook-id"] == receiver.requests[1].headers["webhook-id"]
    endpoint.refresh_from_db()
    assert endpoint.failure_count == 0
    assert endpoint.failing_since is None


def test_receiver_down_during_a_burst_gets_every_event_in_order_once_it_is_back(
    reseller_with_user, listings, endpoint_for
):
    reseller, user = reseller_with_user
    down = Receiver(port=free_port())  # nothing listens on the port yet
    endpoint, secret = endpoint_for(reseller, user, down.url)

    orders = [_place(reseller, f"PO-{n}") for n in range(5)]

    # The first delivery failed (connection refused) and holds the four behind it.
    assert list(WebhookDelivery.objects.values_list("status", flat=True)) == ["pending"] * 5
    attempt = WebhookAttempt.objects.get()
    assert attempt.response_code is None
    assert "refused" in attempt.error

    down.start()
    try:
        _make_due()
        deliver_due_webhooks()
    finally:
        down.stop()

    assert [r.json["data"]["order"]["id"] for r in down.requests] == [o.pk for o in orders]
    for request in down.requests:
        Webhook(secret).verify(request.body, request.headers)
    assert set(WebhookDelivery.objects.values_list("status", flat=True)) == {"succeeded"}


def test_a_held_queue_keeps_later_events_of_the_same_order_behind_a_retry(
    reseller_with_user, listings, receiver, endpoint_for
):
    reseller, user = reseller_with_user
    endpoint_for(reseller, user, receiver.url)
    receiver.script = [503]
    order = _place(reseller)

    order_transition(order=order, to_status="on_hold", actor=user)

    # order.updated was not sent ahead of the order.created waiting for its retry.
    assert [r.json["type"] for r in receiver.requests] == ["order.created"]
    _make_due()
    deliver_due_webhooks()
    assert [r.json["type"] for r in receiver.requests] == [
        "order.created",
        "order.created",
        "order.updated",
    ]


def test_the_outbox_row_commits_with_the_change_and_not_on_rollback(
    reseller_with_user, listings, receiver, endpoint_for
):
    reseller, user = reseller_with_user
    endpoint_for(reseller, user, receiver.url)

    with pytest.raises(RuntimeError), transaction.atomic():
        _place(reseller, "PO-ROLLED-BACK")
        assert WebhookEvent.objects.count() == 1  # written inside the order's transaction
        raise RuntimeError("the order's transaction fails after the signal")

    assert WebhookEvent.objects.count() == 0
    assert WebhookDelivery.objects.count() == 0
    assert receiver.requests == []

    _place(reseller, "PO-KEPT")
    assert WebhookEvent.objects.get().payload["data"]["order"]["reference_number"] == "PO-KEPT"


def test_a_broker_outage_loses_no_event_the_sweep_delivers_it(
    reseller_with_user, listings, receiver, endpoint_for, broker_unreachable
):
    reseller, user = reseller_with_user
    endpoint_for(reseller, user, receiver.url)

    with broker_unreachable():
        order = _place(reseller)  # the order commits; enqueueing the delivery fails

    assert receiver.requests == []
    assert WebhookDelivery.objects.get().status == DeliveryStatus.PENDING
    assert deliver_due_webhooks() == 1
    assert receiver.requests[0].json["data"]["order"]["id"] == order.pk


def test_shipment_and_payment_signals_become_events(
    reseller_with_user, listings, receiver, endpoint_for
):
    reseller, user = reseller_with_user
    endpoint_for(
        reseller,
        user,
        receiver.url,
        events=["shipment.created", "payment.captured", "payment.failed"],
    )
    order = _place(reseller)  # order.created is not subscribed: nothing written
    assert WebhookEvent.objects.count() == 0
    with transaction.atomic():
        signals.payment_captured.send(sender=None, order=order, attempt=None, amount=order.total)
    shipment_create(
        order=order,
        carrier="UPS",
        service="Ground",
        tracking_number="1Z999",
        actor=None,
    )
    with transaction.atomic():
        signals.payment_failed.send(
            sender=None, order=order, attempt=None, message="Your card was declined."
        )

    bodies = [r.json for r in receiver.requests]
    assert [b["type"] for b in bodies] == ["payment.captured", "shipment.created", "payment.failed"]
    assert bodies[0]["data"]["payment"]["amount"] == str(order.total)
    shipment = bodies[1]["data"]["shipment"]
    assert (shipment["tracking_number"], shipment["order_number"]) == ("1Z999", order.number)
    assert shipment["tracking_url"].startswith("https://")
    assert bodies[1]["data"]["final"] is True
    assert bodies[2]["data"]["payment"]["message"] == "Your card was declined."
    assert all(b["data"]["order"]["id"] == order.pk for b in bodies)


def test_events_go_only_to_the_resellers_own_endpoints(
    reseller_with_user, other_reseller_with_user, listings, receiver, endpoint_for
):
    reseller, user = reseller_with_user
    other, other_user = other_reseller_with_user
    other_receiver = Receiver(port=free_port())
    other_receiver.start()
    try:
        endpoint_for(reseller, user, receiver.url)
        endpoint_for(other, other_user, other_receiver.url)
        _place(reseller)
    finally:
        other_receiver.stop()

    assert len(receiver.requests) == 1
    assert other_receiver.requests == []


def test_a_disabled_endpoint_gets_nothing_until_enabled(
    reseller_with_user, listings, receiver, endpoint_for
):
    from integrations.services import webhook_endpoint_disable, webhook_endpoint_enable

    reseller, user = reseller_with_user
    endpoint, _ = endpoint_for(reseller, user, receiver.url)
    webhook_endpoint_disable(endpoint=endpoint, actor=user)

    _place(reseller)
    assert receiver.requests == []
    assert WebhookEvent.objects.count() == 0  # a disabled endpoint subscribes to nothing

    webhook_endpoint_enable(endpoint=endpoint, actor=user)
    _place(reseller, "PO-2")
    assert [r.json["data"]["order"]["reference_number"] for r in receiver.requests] == ["PO-2"]


def test_an_endpoint_failing_for_a_day_is_disabled_and_the_reseller_emailed(
    reseller_with_user, listings, receiver, endpoint_for
):
    reseller, user = reseller_with_user
    endpoint, _ = endpoint_for(reseller, user, receiver.url)
    receiver.script = [500, 500]
    _place(reseller)
    WebhookEndpoint.objects.filter(pk=endpoint.pk).update(
        failing_since=timezone.now() - timedelta(days=1, minutes=1)
    )
    mail.outbox.clear()

    _make_due()
    deliver_due_webhooks()

    endpoint.refresh_from_db()
    assert not endpoint.is_active
    assert endpoint.disabled_reason == "failing"
    assert endpoint.failure_count == 2
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [reseller.email]
    assert endpoint.url in mail.outbox[0].body
    # Its events wait, and the sweep leaves a disabled endpoint alone.
    _make_due()
    assert deliver_due_webhooks() == 0
    assert WebhookDelivery.objects.get().status == DeliveryStatus.PENDING


def test_a_delivery_is_given_up_after_the_last_attempt_and_the_queue_moves_on(
    reseller_with_user, listings, receiver, endpoint_for
):
    reseller, user = reseller_with_user
    endpoint, _ = endpoint_for(reseller, user, receiver.url)
    receiver.script = [500] * MAX_ATTEMPTS
    first = _place(reseller, "PO-1")
    second = _place(reseller, "PO-2")
    for _ in range(MAX_ATTEMPTS - 1):
        # Keep the endpoint from being disabled: this test is about the attempt limit.
        WebhookEndpoint.objects.filter(pk=endpoint.pk).update(failing_since=timezone.now())
        _make_due()
        deliver_due_webhooks()

    statuses = dict(
        WebhookDelivery.objects.values_list("event__payload__data__order__id", "status")
    )
    assert statuses == {first.pk: "failed", second.pk: "succeeded"}
    assert WebhookAttempt.objects.filter(succeeded=False).count() == MAX_ATTEMPTS


def test_a_second_worker_does_not_send_while_the_first_holds_the_endpoint(
    reseller_with_user, listings, receiver, endpoint_for
):
    from integrations.services import endpoint_claim

    reseller, user = reseller_with_user
    endpoint, _ = endpoint_for(reseller, user, receiver.url)
    assert endpoint_claim(endpoint_id=endpoint.pk, lease=timedelta(minutes=2))

    _place(reseller)  # its task finds the endpoint held and returns

    assert receiver.requests == []
    assert deliver_webhooks(endpoint.pk) == 0
    WebhookEndpoint.objects.filter(pk=endpoint.pk).update(lease_until=None)
    assert deliver_webhooks(endpoint.pk) == 1


def test_a_tracking_import_records_one_shipment_event_per_order_with_one_endpoint_lookup(
    reseller_with_user, listings, receiver, endpoint_for, staff, django_capture_on_commit_callbacks
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from fulfilment.imports import tracking_import_csv

    reseller, user = reseller_with_user
    endpoint_for(reseller, user, receiver.url, events=["shipment.created"])
    orders = [_place(reseller, reference=f"PO-{n}") for n in range(5)]
    text = "".join(f"{order.number},UPS,1Z{order.pk}\n" for order in orders)

    with CaptureQueriesContext(connection) as queries:
        tracking_import_csv(text=text, actor=staff)

    endpoint_lookups = [q for q in queries if 'FROM "integrations_webhookendpoint"' in q["sql"]]
    assert len(endpoint_lookups) == 1  # remembered for the import's batch of signals
    events = WebhookEvent.objects.filter(type="shipment.created")
    assert sorted(e.payload["data"]["order"]["id"] for e in events) == sorted(o.pk for o in orders)


def test_outside_a_batch_each_signal_looks_endpoints_up_again(
    reseller_with_user, listings, receiver, endpoint_for
):
    reseller, user = reseller_with_user
    order = _place(reseller)  # no endpoint yet: nothing recorded
    endpoint_for(reseller, user, receiver.url, events=["order.updated"])

    order_transition(order=order, to_status="on_hold", actor=None)

    assert WebhookEvent.objects.filter(type="order.updated").count() == 1
