from __future__ import annotations

import pytest
from standardwebhooks.webhooks import Webhook

from integrations.models import WebhookAttempt
from tests.apikeys.conftest import ApiClient, issue_key, order_body
from tests.conftest import wait_for


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_the_real_worker_delivers_retries_after_a_500_and_keeps_the_order(
    celery_worker_process, reseller_with_user, listings, receiver, endpoint_for
):
    reseller, user = reseller_with_user
    _, secret = endpoint_for(reseller, user, receiver.url, events=["order.created"])
    receiver.script = [500]  # the first attempt fails; the worker retries after 5 s
    api = ApiClient(issue_key(reseller, user))

    first = api.post("/orders", order_body("PO-1"), idempotency_key="one")
    second = api.post("/orders", order_body("PO-2"), idempotency_key="two")

    assert (first.status_code, second.status_code) == (201, 201)
    # The log row is written just after the receiver answers: wait for it, not the request.
    assert wait_for(lambda: WebhookAttempt.objects.count() >= 3, timeout=40)
    references = [r.json["data"]["order"]["reference_number"] for r in receiver.requests]
    # PO-2 waited behind PO-1's retry: never delivered ahead of it.
    assert references == ["PO-1", "PO-1", "PO-2"]
    for request in receiver.requests:
        Webhook(secret).verify(request.body, request.headers)
    outcomes = list(WebhookAttempt.objects.order_by("id").values_list("response_code", flat=True))
    assert outcomes == [500, 200, 200]
