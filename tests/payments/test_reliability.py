"""Payments under faults: Stripe unreachable, a worker dying mid-capture, two staff racing."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.utils import timezone

from fulfilment.services import shipment_create
from payments.choices import AttemptKind, AttemptStatus
from payments.exceptions import PaymentNotAllowed
from payments.gateways import GatewayUnavailable, Payer, StripeGateway
from payments.models import PaymentAttempt
from payments.services import payment_capture
from payments.tasks import process_payment_attempt, retry_stale_payment_attempts
from tests.conftest import IS_POSTGRES, ROOT, wait_for
from tests.payments.localstripe import (
    PUBLISHABLE_KEY,
    SECRET_KEY,
    add_card,
    capture_rule,
    captured_minor_units,
    place,
)


def capture_attempts(order):
    return PaymentAttempt.objects.filter(order=order, kind=AttemptKind.CAPTURE)


@pytest.mark.django_db
def test_stripe_unreachable_during_capture_leaves_the_order_authorized_until_it_is_back(
    stripe_settings,
    stripe_api,
    localstripe,
    staff,
    reseller,
    catalog,
    django_capture_on_commit_callbacks,
):
    capture_rule({"type": "capture_on_shipment"})
    add_card(reseller)
    with django_capture_on_commit_callbacks(execute=True):
        order = place(reseller)
    hold = PaymentAttempt.objects.get(order=order)
    proxy = localstripe["proxy"]

    proxy.stop()
    try:
        with django_capture_on_commit_callbacks(execute=True):
            shipment_create(
                order=order, carrier="UPS", tracking_number="1Z999AA10123456784", actor=staff
            )
        order.refresh_from_db()
        capture = capture_attempts(order).get()
        assert (order.payment_status, capture.status) == ("authorized", AttemptStatus.PENDING)
        # The beat sweep finds nothing to do yet: the attempt is not stale.
        assert retry_stale_payment_attempts() == 0
    finally:
        proxy.start()

    PaymentAttempt.objects.filter(pk=capture.pk).update(
        updated_at=timezone.now() - timedelta(minutes=11)
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert retry_stale_payment_attempts() == 1

    order.refresh_from_db()
    capture.refresh_from_db()
    assert (order.payment_status, order.amount_captured) == ("captured", Decimal("25.00"))
    assert capture.status == AttemptStatus.SUCCEEDED
    assert captured_minor_units(stripe_api, hold.reference) == 2500
    assert capture_attempts(order).count() == 1


@pytest.mark.django_db
def test_a_worker_task_retries_with_growing_backoff_while_stripe_is_down(
    stripe_settings, localstripe, staff, reseller, catalog, django_capture_on_commit_callbacks
):
    capture_rule({"type": "capture_on_shipment"})
    add_card(reseller)
    with django_capture_on_commit_callbacks(execute=True):
        order = place(reseller)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("payments.ledger.enqueue_on_commit", lambda *args: None)
        shipment_create(
            order=order, carrier="UPS", tracking_number="1Z999AA10123456784", actor=staff
        )
    capture = capture_attempts(order).get()
    countdowns = []

    class Retried(Exception):
        pass

    def retry(countdown):
        countdowns.append(countdown)
        return Retried()

    localstripe["proxy"].stop()
    try:
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(process_payment_attempt, "retry", retry)
            for attempt_number in range(4):
                process_payment_attempt.push_request(retries=attempt_number, is_eager=False)
                try:
                    with pytest.raises(Retried):
                        process_payment_attempt.run(capture.pk)
                finally:
                    process_payment_attempt.pop_request()
    finally:
        localstripe["proxy"].start()

    assert countdowns == [2, 4, 8, 16]
    capture.refresh_from_db()
    assert capture.status == AttemptStatus.PENDING


@pytest.mark.django_db
def test_a_capture_whose_answer_was_lost_is_not_made_twice(
    stripe_settings, stripe_api, staff, reseller, catalog, django_capture_on_commit_callbacks
):
    capture_rule({"type": "capture_on_shipment"})
    add_card(reseller)
    with django_capture_on_commit_callbacks(execute=True):
        order = place(reseller)
    hold = PaymentAttempt.objects.get(order=order)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("payments.ledger.enqueue_on_commit", lambda *args: None)
        shipment_create(
            order=order, carrier="UPS", tracking_number="1Z999AA10123456784", actor=staff
        )
    capture = capture_attempts(order).get()
    # The first run reached Stripe, which captured; then the worker died before recording it.
    StripeGateway().capture(attempt=capture, authorization=hold.reference, payer=Payer())

    assert process_payment_attempt.apply(args=[capture.pk]).get() == "succeeded"
    assert process_payment_attempt.apply(args=[capture.pk]).get() == "done already"

    order.refresh_from_db()
    assert (order.payment_status, order.amount_captured) == ("captured", Decimal("25.00"))
    assert captured_minor_units(stripe_api, hold.reference) == 2500


@pytest.mark.django_db
def test_the_gateway_reports_unreachable_stripe_as_retryable(stripe_settings, localstripe):
    localstripe["proxy"].stop()
    try:
        with pytest.raises(GatewayUnavailable):
            StripeGateway().create_customer(reseller_id=1, name="x", email="x@example.com")
    finally:
        localstripe["proxy"].start()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_staff_clicking_capture_at_once_capture_once(
    stripe_settings, stripe_api, staff, reseller, catalog
):
    capture_rule({"type": "capture_now"}, {"type": "max_auto_capture", "amount": "1.00"})
    add_card(reseller)
    order = place(reseller)
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def click() -> None:
        try:
            barrier.wait()
            payment_capture(order=order, actor=staff)
            outcomes.append("captured")
        except PaymentNotAllowed as error:
            outcomes.append(str(error))
        finally:
            connection.close()

    threads = [threading.Thread(target=click) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(outcomes)[0] in (
        "A payment for this order is already being processed.",
        "Payment for this order is already captured.",
    )
    assert outcomes.count("captured") == 1
    assert wait_for(lambda: capture_attempts(order).filter(status="succeeded").exists())
    charge = capture_attempts(order).get()
    assert captured_minor_units(stripe_api, charge.reference) == 2500


@pytest.fixture
def slow_payment_worker(tmp_path, django_db_setup, localstripe, stripe_settings):
    if not settings.CELERY_BROKER_URL:
        pytest.skip("needs a Redis broker (set REDIS_URL)")
    marker = tmp_path / "capture-runs"
    database = settings.DATABASES["default"]
    url = (
        f"postgres://{database['USER']}@{database['HOST']}:{database['PORT']}/{database['NAME']}"
        if IS_POSTGRES
        else f"sqlite:///{database['NAME']}"
    )
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "SLOW_CAPTURE_MARKER": str(marker),
        "STRIPE_SECRET_KEY": SECRET_KEY,
        "STRIPE_PUBLISHABLE_KEY": PUBLISHABLE_KEY,
        "STRIPE_API_BASE": stripe_settings.STRIPE_API_BASE,
    }
    celery = Path(sys.executable).parent / "celery"
    process = subprocess.Popen(
        [
            str(celery),
            "-A",
            "tests.payments.slow_payment_worker",
            "worker",
            "-Q",
            "payments-reliability",
            "--pool=prefork",
            "--concurrency=1",
            "-l",
            "WARNING",
            "--without-gossip",
            "--without-mingle",
            "-n",
            f"slow-capture-{os.getpid()}@%h",
        ],
        cwd=ROOT,
        env=env,
        start_new_session=True,
    )
    yield marker
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_mid_capture_captures_exactly_once(
    slow_payment_worker, stripe_api, staff, reseller, catalog
):
    marker = slow_payment_worker
    capture_rule({"type": "capture_on_shipment"})
    add_card(reseller)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("payments.ledger.enqueue_on_commit", lambda *args: None)
        order = place(reseller)
        hold = PaymentAttempt.objects.get(order=order)
        process_payment_attempt.apply(args=[hold.pk])  # authorize here, in-process
        shipment_create(
            order=order, carrier="UPS", tracking_number="1Z999AA10123456784", actor=staff
        )
    capture = capture_attempts(order).get()
    hold.refresh_from_db()

    process_payment_attempt.apply_async(args=[capture.pk], queue="payments-reliability")

    assert wait_for(lambda: marker.exists() and marker.read_text().strip(), timeout=30)
    os.kill(int(marker.read_text().split()[0]), signal.SIGKILL)  # after Stripe captured

    assert wait_for(
        lambda: capture_attempts(order).filter(status=AttemptStatus.SUCCEEDED).exists(),
        timeout=60,
    ), f"not redelivered; runs: {marker.read_text()!r}"
    order.refresh_from_db()
    assert (order.payment_status, order.amount_captured) == ("captured", Decimal("25.00"))
    assert captured_minor_units(stripe_api, hold.reference) == 2500
    assert capture_attempts(order).count() == 1
