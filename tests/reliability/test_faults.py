"""Reliability under faults, with PostgreSQL, a real Redis broker and real Celery workers."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from orders.models import Order
from orders.services import LineRequest, OrderRequest, order_place
from resellers.choices import ResellerStatus
from resellers.models import Reseller, StatusChange
from resellers.services import reseller_activate_on_first_order
from resellers.tasks import activate_reseller, activate_resellers_with_orders
from tests.conftest import IS_POSTGRES, ROOT, wait_for
from tests.factories import ApprovedResellerFactory, ListingFactory
from tests.orders.conftest import SHIP_TO

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def place(reseller, reference: str, sku: str) -> Order:
    return order_place(
        reseller=reseller,
        request=OrderRequest(
            reference_number=reference, ship_to=SHIP_TO, items=[LineRequest(sku=sku, quantity=1)]
        ),
    )


def activations(reseller) -> int:
    return StatusChange.objects.filter(
        reseller=reseller, from_status=ResellerStatus.APPROVED, to_status=ResellerStatus.ACTIVE
    ).count()


def test_orders_are_accepted_while_the_broker_is_down_and_the_sweep_activates_later(
    celery_worker_process, broker_unreachable
):
    reseller = ApprovedResellerFactory()
    listing = ListingFactory(channel=reseller.channel)

    with broker_unreachable():
        orders = [place(reseller, f"PO-OUTAGE-{n}", listing.product.sku) for n in range(3)]

    assert Order.objects.filter(pk__in=[o.pk for o in orders]).count() == 3
    reseller.refresh_from_db()
    assert reseller.status == ResellerStatus.APPROVED  # the activation task was never enqueued

    activate_resellers_with_orders.delay()  # beat's periodic sweep, once the broker is back

    assert wait_for(
        lambda: Reseller.objects.filter(pk=reseller.pk, status=ResellerStatus.ACTIVE).exists()
    )
    assert activations(reseller) == 1


@pytest.fixture
def slow_worker(tmp_path, django_db_setup):
    marker = tmp_path / "activation-runs"
    database = settings.DATABASES["default"]
    url = (
        f"postgres://{database['USER']}@{database['HOST']}:{database['PORT']}/{database['NAME']}"
        if IS_POSTGRES
        else f"sqlite:///{database['NAME']}"
    )
    env = {**os.environ, "DATABASE_URL": url, "SLOW_TASK_MARKER": str(marker)}
    celery = Path(sys.executable).parent / "celery"
    process = subprocess.Popen(
        [
            str(celery),
            "-A",
            "tests.reliability.slow_worker",
            "worker",
            "-Q",
            "reliability",
            "--pool=prefork",
            "--concurrency=1",
            "-l",
            "WARNING",
            "--without-gossip",
            "--without-mingle",
            "-n",
            f"slow-{os.getpid()}@%h",
        ],
        cwd=ROOT,
        env=env,
        start_new_session=True,
    )
    yield process, marker
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)


def test_a_worker_process_killed_mid_task_gets_the_task_redelivered_and_activates_once(
    slow_worker,
):
    process, marker = slow_worker
    reseller = ApprovedResellerFactory()
    listing = ListingFactory(channel=reseller.channel)
    with pytest.MonkeyPatch.context() as patch:
        # Place the order without the usual on-commit enqueue: this test sends the task itself.
        patch.setattr("orders.services.enqueue_on_commit", lambda *args, **kwargs: None)
        place(reseller, "PO-KILL-1", listing.product.sku)

    activate_reseller.apply_async(args=[reseller.pk], queue="reliability")

    assert wait_for(lambda: marker.exists() and marker.read_text().strip(), timeout=30)
    child_pid = int(marker.read_text().split()[0])
    os.kill(child_pid, signal.SIGKILL)  # the pool process dies mid-task, like an OOM kill

    # acks_late + reject_on_worker_lost: the message goes back to the queue and runs again.
    assert wait_for(
        lambda: Reseller.objects.filter(pk=reseller.pk, status=ResellerStatus.ACTIVE).exists(),
        timeout=60,
    ), f"not redelivered; runs recorded: {marker.read_text()!r}"
    runs = marker.read_text().split()
    assert len(runs) >= 2 and runs[1] != runs[0]
    assert activations(reseller) == 1
    assert process.poll() is None  # the worker itself survived and replaced its child


@pytest.mark.postgres
def test_twenty_concurrent_first_orders_activate_exactly_once(celery_worker_process):
    reseller = ApprovedResellerFactory()
    listing = ListingFactory(channel=reseller.channel)
    barrier = threading.Barrier(20)
    errors: list[BaseException] = []

    def first_order(n: int) -> None:
        try:
            barrier.wait()
            place(reseller, f"PO-RACE-{n}", listing.product.sku)
            # The worker's task and the sweep race these direct calls too.
            reseller_activate_on_first_order(reseller_id=reseller.pk)
        except BaseException as error:  # noqa: BLE001
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=first_order, args=(n,)) for n in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    activate_resellers_with_orders.delay()

    assert errors == []
    assert Order.objects.filter(reseller=reseller).count() == 20
    assert wait_for(lambda: activations(reseller) >= 1)
    # Give the 20 enqueued tasks time to run on the worker; none may add a second change.
    wait_for(lambda: False, timeout=3)
    assert activations(reseller) == 1


@pytest.mark.postgres
def test_fifty_concurrent_posts_with_one_idempotency_key_create_one_order(live_server):
    import json
    import urllib.error
    import urllib.request

    from apikeys.services import apikey_create

    reseller = ApprovedResellerFactory()
    listing = ListingFactory(channel=reseller.channel)
    _, key = apikey_create(reseller=reseller, name="load test", actor=None)
    body = json.dumps(
        {
            "reference_number": "PO-IDEM-1",
            "shipping_address": {
                "name": "Pat Doe",
                "address_line1": "1 Main St",
                "city": "Albany",
                "state": "NY",
                "postal_code": "12207",
                "country_code": "US",
            },
            "items": [{"sku": listing.product.sku, "quantity": 2}],
        }
    ).encode()
    barrier = threading.Barrier(50)
    answers: list[tuple[int, dict]] = []

    def post() -> None:
        request = urllib.request.Request(
            f"{live_server.url}/api/v1/orders",
            data=body,
            method="POST",
            headers={
                "X-API-TOKEN": key,
                "Content-Type": "application/json",
                "Idempotency-Key": "same-key-for-everyone",
            },
        )
        barrier.wait()
        # The test server's listen backlog is small, so some connections are refused in the
        # burst; a client retrying with the same key is exactly what idempotency is for.
        for attempt in range(10):
            try:
                with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310
                    answers.append((response.status, json.load(response)))
                return
            except urllib.error.HTTPError as error:
                answers.append((error.code, json.load(error)))
                return
            except (urllib.error.URLError, ConnectionError):
                time.sleep(0.05 * (attempt + 1))

    threads = [threading.Thread(target=post) for _ in range(50)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    statuses = sorted({status for status, _ in answers})
    assert len(answers) == 50
    assert set(statuses) <= {201, 409}, statuses
    assert Order.objects.filter(reseller=reseller).count() == 1
    created = [payload for status, payload in answers if status == 201]
    assert created and all(payload == created[0] for payload in created)
    conflicts = [payload for status, payload in answers if status == 409]
    assert all(
        "in progress" in payload["detail"].lower() or payload["detail"] for payload in conflicts
    )
