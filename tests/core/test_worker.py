from __future__ import annotations

import pytest

from resellers.choices import ResellerStatus
from resellers.models import StatusChange
from resellers.tasks import activate_resellers_with_orders
from tests.conftest import wait_for
from tests.factories import ApprovedResellerFactory, ListingFactory

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def test_the_periodic_sweep_runs_on_the_real_worker_through_redis(celery_worker_process):
    from orders.models import Order

    reseller = ApprovedResellerFactory()
    listing = ListingFactory(channel=reseller.channel)
    Order.objects.create(
        reseller=reseller,
        channel=reseller.channel,
        reference_number="PO-1",
        source="api",
        ship_name="A",
        ship_address_line1="1 St",
        ship_city="C",
        ship_state="S",
        ship_postal_code="1",
        ship_country="US",
        subtotal=listing.price,
        total=listing.price,
    )

    result = activate_resellers_with_orders.delay()

    assert result.id
    reseller = wait_for(
        lambda: type(reseller).objects.filter(pk=reseller.pk, status=ResellerStatus.ACTIVE).first()
    )
    assert reseller is not None, "the worker did not activate the reseller"
    change = StatusChange.objects.get(reseller=reseller, to_status=ResellerStatus.ACTIVE)
    assert change.actor is None
