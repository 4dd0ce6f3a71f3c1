"""First-order activation: approved → active exactly once, whatever the timing or the broker."""

from __future__ import annotations

import pytest
from kombu.exceptions import OperationalError

from config.celery import app as celery_app
from orders.models import Order
from orders.services import order_place
from resellers.choices import ResellerStatus
from resellers.models import Reseller, StatusChange
from resellers.services import reseller_activate_on_first_order, reseller_suspend
from resellers.tasks import activate_reseller, activate_resellers_with_orders
from tests.conftest import wait_for
from tests.factories import ApprovedResellerFactory, ListingFactory, OrderFactory, ProductFactory
from tests.orders.conftest import order_request


def activations(reseller) -> list[StatusChange]:
    return list(
        StatusChange.objects.filter(
            reseller=reseller, from_status=ResellerStatus.APPROVED, to_status=ResellerStatus.ACTIVE
        )
    )


def status_of(reseller) -> str:
    return Reseller.objects.values_list("status", flat=True).get(pk=reseller.pk)


@pytest.mark.django_db
def test_the_first_order_activates_the_reseller_after_commit(
    reseller, listings, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        order_place(reseller=reseller, request=order_request())
        assert status_of(reseller) == ResellerStatus.APPROVED  # not before the commit

    assert status_of(reseller) == ResellerStatus.ACTIVE
    [change] = activations(reseller)
    assert change.actor is None
    assert change.actor_display == "system"


@pytest.mark.django_db
def test_later_orders_of_an_active_reseller_enqueue_nothing(
    reseller, listings, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        order_place(reseller=reseller, request=order_request(reference="PO-1"))
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        order_place(reseller=reseller, request=order_request(reference="PO-2"))

    # (The order e-mail is still sent after each order.)
    assert [callback.args[0].name for callback in callbacks] == [
        "fulfilment.tasks.send_order_emails"
    ]
    assert len(activations(reseller)) == 1


@pytest.mark.django_db
def test_the_periodic_sweep_activates_what_the_task_missed(reseller):
    # An order committed, but its activation task never reached a worker.
    OrderFactory(reseller=reseller)
    idle = ApprovedResellerFactory()  # approved, no orders: stays approved

    assert activate_resellers_with_orders() == 1
    assert activate_resellers_with_orders() == 0  # a second sweep finds nothing to do

    assert status_of(reseller) == ResellerStatus.ACTIVE
    assert status_of(idle) == ResellerStatus.APPROVED
    assert len(activations(reseller)) == 1


def test_the_sweep_is_on_the_celery_beat_schedule():
    schedule = celery_app.conf.beat_schedule
    tasks = {entry["task"] for entry in schedule.values()}
    assert "resellers.tasks.activate_resellers_with_orders" in tasks


@pytest.mark.django_db
@pytest.mark.parametrize(
    "status", [ResellerStatus.SUSPENDED, ResellerStatus.DENIED, ResellerStatus.PENDING]
)
def test_a_reseller_that_is_not_approved_is_never_flipped(channel, status):
    reseller = ApprovedResellerFactory(channel=channel, status=status)
    OrderFactory(reseller=reseller)

    assert activate_reseller.apply(args=[reseller.pk]).get() is False
    assert activate_resellers_with_orders() == 0

    assert status_of(reseller) == status
    assert not StatusChange.objects.filter(reseller=reseller).exists()


@pytest.mark.django_db
def test_a_reseller_suspended_before_its_task_runs_stays_suspended(
    reseller, staff, listings, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        order_place(reseller=reseller, request=order_request())
    reseller_suspend(reseller=reseller, actor=staff, reason="Chargebacks")

    for callback in callbacks:
        callback()  # the activation task arrives late, after the suspension

    assert status_of(reseller) == ResellerStatus.SUSPENDED
    assert activations(reseller) == []


@pytest.mark.django_db
def test_an_approved_reseller_without_orders_is_not_activated(reseller):
    assert reseller_activate_on_first_order(reseller_id=reseller.pk) is False
    assert status_of(reseller) == ResellerStatus.APPROVED


@pytest.mark.django_db(transaction=True)
def test_a_broker_outage_still_commits_the_order_and_the_sweep_catches_up(
    channel, monkeypatch, caplog
):
    reseller = ApprovedResellerFactory(channel=channel)
    ListingFactory(channel=channel, product=ProductFactory(sku="SKU-1"))

    def broker_down(*args, **kwargs):
        raise OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr(activate_reseller, "apply_async", broker_down)

    order = order_place(reseller=reseller, request=order_request())

    assert Order.objects.filter(pk=order.pk).exists()  # committed despite the outage
    assert status_of(reseller) == ResellerStatus.APPROVED
    assert "could not enqueue task=resellers.tasks.activate_reseller" in caplog.text

    monkeypatch.undo()
    activate_resellers_with_orders()

    assert status_of(reseller) == ResellerStatus.ACTIVE
    assert len(activations(reseller)) == 1


@pytest.mark.django_db(transaction=True)
def test_a_broker_on_a_closed_port_does_not_fail_the_order(channel, caplog, broker_unreachable):
    reseller = ApprovedResellerFactory(channel=channel)
    ListingFactory(channel=channel, product=ProductFactory(sku="SKU-1"))
    with broker_unreachable():
        order = order_place(reseller=reseller, request=order_request())

    assert Order.objects.filter(pk=order.pk).exists()
    assert status_of(reseller) == ResellerStatus.APPROVED
    assert "could not enqueue task=resellers.tasks.activate_reseller" in caplog.text
    activate_resellers_with_orders()
    assert status_of(reseller) == ResellerStatus.ACTIVE


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_first_order_goes_through_the_broker_to_a_real_worker(channel, celery_worker_process):
    assert celery_app.conf.task_always_eager is False
    reseller = ApprovedResellerFactory(channel=channel)
    ListingFactory(channel=channel, product=ProductFactory(sku="SKU-1"))

    order_place(reseller=reseller, request=order_request())

    activated = wait_for(lambda: status_of(reseller) == ResellerStatus.ACTIVE, timeout=30)
    assert activated, "the worker did not activate the reseller"
    [change] = activations(reseller)
    assert change.actor is None
