from __future__ import annotations

import threading

import pytest
from django.db import close_old_connections, connection

from integrations.models import WebhookAttempt, WebhookEndpoint
from integrations.services import endpoint_claim
from integrations.tasks import LEASE, deliver_webhooks
from orders.services import order_place
from tests.orders.conftest import order_request

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_racing_workers_send_each_event_once_and_in_order(
    reseller_with_user, listings, receiver, endpoint_for
):
    reseller, user = reseller_with_user
    endpoint, _ = endpoint_for(reseller, user, receiver.url)
    # Queue the events without delivering them: hold the lease while they are written.
    endpoint_claim(endpoint_id=endpoint.pk, lease=LEASE)
    orders = [order_place(reseller=reseller, request=order_request(f"PO-{n}")) for n in range(20)]
    WebhookEndpoint.objects.filter(pk=endpoint.pk).update(lease_until=None)
    barrier = threading.Barrier(4)

    def worker() -> None:
        try:
            barrier.wait()
            deliver_webhooks(endpoint.pk)
        finally:
            close_old_connections()
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    received = [r.json["data"]["order"]["id"] for r in receiver.requests]
    assert received == [order.pk for order in orders]
    assert WebhookAttempt.objects.count() == 20
