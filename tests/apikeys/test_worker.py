from __future__ import annotations

import pytest

from resellers.choices import ResellerStatus
from resellers.models import Reseller, StatusChange
from tests.apikeys.conftest import ApiClient, order_body
from tests.conftest import wait_for


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_the_first_api_order_activates_the_reseller_through_the_real_worker(
    celery_worker_process, key, reseller, listings
):
    assert reseller.status == ResellerStatus.APPROVED

    response = ApiClient(key).post("/orders", order_body(), idempotency_key="first")

    assert response.status_code == 201
    assert wait_for(
        lambda: Reseller.objects.get(pk=reseller.pk).status == ResellerStatus.ACTIVE, timeout=30
    )
    change = StatusChange.objects.get(reseller=reseller, to_status=ResellerStatus.ACTIVE)
    assert (change.from_status, change.actor) == (ResellerStatus.APPROVED, None)
