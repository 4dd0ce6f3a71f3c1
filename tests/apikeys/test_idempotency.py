from __future__ import annotations

import json
import threading
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from apikeys.choices import IdempotencyStatus
from apikeys.models import IdempotencyKey
from orders import api as services
from orders.api import OrderIn, _fingerprint
from orders.models import Order
from tests.apikeys.conftest import ApiClient, order_body

pytestmark = pytest.mark.django_db


def _in_flight(reseller, key: str, body: dict, *, claimed_ago: timedelta = timedelta(0)):
    now = timezone.now()
    return IdempotencyKey.objects.create(
        reseller=reseller,
        key=key,
        fingerprint=_fingerprint(OrderIn.model_validate(body)),
        status=IdempotencyStatus.IN_FLIGHT,
        locked_at=now - claimed_ago,
        expires_at=now + timedelta(hours=24),
    )


def test_a_retry_with_the_same_key_and_body_returns_the_first_answer(api, listings):
    first = api.post("/orders", order_body(), idempotency_key="order-1")
    retry = api.post("/orders", order_body(), idempotency_key="order-1")

    assert first.status_code == retry.status_code == 201
    assert retry.content == first.content
    assert retry["Idempotent-Replayed"] == "true"
    assert "Idempotent-Replayed" not in first
    assert Order.objects.count() == 1
    record = IdempotencyKey.objects.get()
    assert (record.status, record.response_status, record.order_id) == (
        IdempotencyStatus.COMPLETED,
        201,
        first.json()["id"],
    )
    lifetime = record.expires_at - record.created_at
    assert abs(lifetime - timedelta(hours=24)) < timedelta(seconds=5)


def test_the_same_body_written_differently_is_the_same_request(api, listings):
    body = order_body()
    first = api.post("/orders", json.dumps(body), idempotency_key="order-1")
    del body["source"]  # the default, spelled out or not
    reordered = json.dumps(dict(reversed(list(body.items()))), indent=2)

    retry = api.post("/orders", reordered, idempotency_key="order-1")

    assert retry.status_code == 201
    assert retry.content == first.content
    assert Order.objects.count() == 1


def test_the_same_key_with_a_different_body_is_422_and_places_nothing(api, listings):
    api.post("/orders", order_body(), idempotency_key="order-1")

    response = api.post("/orders", order_body("PO-2"), idempotency_key="order-1")

    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "Idempotency-Key"
    assert "different request body" in response.json()["detail"]
    assert Order.objects.count() == 1


def test_a_retry_while_the_first_is_in_flight_is_409(api, reseller, listings):
    _in_flight(reseller, "order-1", order_body())

    response = api.post("/orders", order_body(), idempotency_key="order-1")

    assert response.status_code == 409
    assert response["Retry-After"] == "1"
    assert "still being processed" in response.json()["detail"]
    assert not Order.objects.exists()


def test_an_in_flight_key_abandoned_by_a_crashed_request_is_taken_over(api, reseller, listings):
    _in_flight(reseller, "order-1", order_body(), claimed_ago=timedelta(minutes=2))

    response = api.post("/orders", order_body(), idempotency_key="order-1")

    assert response.status_code == 201
    assert Order.objects.count() == 1
    assert IdempotencyKey.objects.get().status == IdempotencyStatus.COMPLETED


def test_a_failed_attempt_is_not_remembered_so_the_fixed_request_can_reuse_the_key(api, listings):
    bad = api.post("/orders", order_body(items=[("NOPE", 1)]), idempotency_key="order-1")
    assert bad.status_code == 422
    assert not IdempotencyKey.objects.exists()

    good = api.post("/orders", order_body(), idempotency_key="order-1")

    assert good.status_code == 201
    assert Order.objects.count() == 1


def test_an_unexpected_error_releases_the_key_and_answers_json(api, listings, monkeypatch):
    def broken(**kwargs):
        raise RuntimeError("database on fire")

    monkeypatch.setattr(services, "order_place", broken)

    response = api.post("/orders", order_body(), idempotency_key="order-1")

    assert response.status_code == 500
    assert response.json()["detail"].startswith("Something went wrong on our side")
    assert "fire" not in response.content.decode()
    assert not IdempotencyKey.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_a_request_whose_claim_was_taken_over_rolls_back_its_order(api, listings, monkeypatch):
    real_order_place = services.order_place

    def take_over_from_another_connection():
        try:
            IdempotencyKey.objects.update(locked_at=timezone.now() + timedelta(seconds=1))
        finally:
            connection.close()

    def slow_then_taken_over(**kwargs):
        # While this request is slow, a retry decides it was abandoned and claims the key.
        retry = threading.Thread(target=take_over_from_another_connection)
        retry.start()
        retry.join()
        return real_order_place(**kwargs)

    monkeypatch.setattr(services, "order_place", slow_then_taken_over)

    response = api.post("/orders", order_body(), idempotency_key="order-1")

    assert response.status_code == 409
    assert not Order.objects.exists()
    # The retry's claim is untouched: its answer will be the only one.
    assert IdempotencyKey.objects.get().status == IdempotencyStatus.IN_FLIGHT


def test_an_expired_key_may_be_used_again(api, reseller, listings):
    record = _in_flight(reseller, "order-1", order_body("OLD"))
    IdempotencyKey.objects.filter(pk=record.pk).update(
        status=IdempotencyStatus.COMPLETED, expires_at=timezone.now() - timedelta(seconds=1)
    )

    response = api.post("/orders", order_body("NEW"), idempotency_key="order-1")

    assert response.status_code == 201
    record.refresh_from_db()
    assert (record.status, record.order_id) == (IdempotencyStatus.COMPLETED, response.json()["id"])


def test_idempotency_keys_are_per_reseller(api, other_api, listings):
    mine = api.post("/orders", order_body(), idempotency_key="shared-key")
    theirs = other_api.post("/orders", order_body(), idempotency_key="shared-key")

    assert mine.status_code == theirs.status_code == 201
    assert mine.json()["id"] != theirs.json()["id"]
    assert IdempotencyKey.objects.count() == 2


def test_without_an_idempotency_key_nothing_is_stored(api, listings):
    assert api.post("/orders", order_body()).status_code == 201
    assert not IdempotencyKey.objects.exists()


# --- Real concurrent requests (PostgreSQL) ------------------------------------------------


def _post_in_thread(key, body, idempotency_key, results, index, barrier=None):
    try:
        if barrier is not None:
            barrier.wait(timeout=30)
        response = ApiClient(key).post("/orders", body, idempotency_key=idempotency_key)
        results[index] = (response.status_code, response.content)
    finally:
        connection.close()  # each thread has its own connection; do not leak it


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_concurrent_retry_while_the_first_request_is_in_flight_is_409(key, listings, monkeypatch):
    in_flight = threading.Event()
    finish = threading.Event()
    real_order_place = services.order_place

    def slow_order_place(**kwargs):
        in_flight.set()
        assert finish.wait(timeout=30)
        return real_order_place(**kwargs)

    monkeypatch.setattr(services, "order_place", slow_order_place)
    results: dict[int, tuple[int, bytes]] = {}
    first = threading.Thread(
        target=_post_in_thread, args=(key, order_body(), "order-1", results, 0)
    )
    first.start()
    try:
        assert in_flight.wait(timeout=30)
        _post_in_thread(key, order_body(), "order-1", results, 1)
    finally:
        finish.set()
        first.join(timeout=30)

    assert results[1][0] == 409
    assert results[0][0] == 201
    assert Order.objects.count() == 1
    monkeypatch.setattr(services, "order_place", real_order_place)
    replay = ApiClient(key).post("/orders", order_body(), idempotency_key="order-1")
    assert (replay.status_code, replay.content) == results[0]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_twenty_concurrent_requests_with_one_key_place_exactly_one_order(key, listings):
    threads = 20
    barrier = threading.Barrier(threads)
    results: dict[int, tuple[int, bytes]] = {}
    workers = [
        threading.Thread(
            target=_post_in_thread, args=(key, order_body(), "burst", results, n, barrier)
        )
        for n in range(threads)
    ]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=60)

    assert len(results) == threads
    statuses = [status for status, _ in results.values()]
    assert set(statuses) <= {201, 409}
    assert 201 in statuses
    assert len({content for status, content in results.values() if status == 201}) == 1
    assert Order.objects.count() == 1
    assert IdempotencyKey.objects.get().status == IdempotencyStatus.COMPLETED
