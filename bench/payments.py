"""API orders per second with the Stripe gateway configured vs the offline gateway.

The point: payment work is off the request path. With Stripe configured and a card on file, a
capture-now order writes a pending PaymentAttempt and enqueues `process_payment_attempt` after
commit; the request never waits for Stripe. So the benchmark publishes the task to a broker
and does not run it: Celery's eager mode is off for the Stripe side, tasks go to Redis when
REDIS_URL is set, else to kombu's in-process `memory://` transport (publishing is serialised
and queued either way; nobody consumes during the run and the queue is purged at the end).
The offline side is the embedded default: no key, payment by invoice, no attempt row, no task.

Both sides send the same one-line `POST /api/v1/orders` with an Idempotency-Key through the same
in-process test client and middleware, interleaved batch by batch (best of 5). Same throwaway
database scheme as bench/api.py (`<name>_bench_payments`).
"""

from __future__ import annotations

import contextlib
import os
import tempfile
import uuid

from django.conf import settings  # noqa: E402  (after Django setup, as in bench/api.py)
from django.db import connection  # noqa: E402
from django.test import Client, override_settings  # noqa: E402
from django.test.utils import setup_databases, teardown_databases  # noqa: E402

from bench import api as api_bench  # sets Django up; its URLconf serves the API
from bench.common import ratio, row
from config.celery import app as celery_app  # noqa: E402

TARGET_RATIO = 0.9


def _give_the_reseller_a_card() -> None:
    from payments.models import PaymentMethod, PaymentProfile

    reseller = api_bench._seed.reseller  # type: ignore[attr-defined]
    PaymentProfile.objects.create(reseller=reseller, stripe_customer_id="cus_bench")
    PaymentMethod.objects.create(
        reseller=reseller,
        gateway_id="pm_bench",
        brand="visa",
        last4="4242",
        exp_month=12,
        exp_year=2030,
        is_default=True,
    )


def _measure(key: str) -> list[dict]:
    from payments.models import PaymentAttempt

    client = Client()
    counter = iter(range(10**9))

    def order(stripe: bool):
        def send() -> int:
            # configured_gateway_name() reads the key on every order: flip it per request.
            settings.STRIPE_SECRET_KEY = "sk_test_bench" if stripe else ""
            return client.post(
                "/api/v1/orders",
                api_bench._body(f"P-{next(counter)}", 1),
                content_type="application/json",
                HTTP_X_API_TOKEN=key,
                HTTP_IDEMPOTENCY_KEY=uuid.uuid4().hex,
            ).status_code

        return send

    senders = {"stripe": order(True), "offline": order(False)}
    for _ in range(api_bench.WARMUP):
        for send in senders.values():
            send()
    rates = api_bench._best_rates(senders)
    pending = PaymentAttempt.objects.filter(status="pending", gateway="stripe").count()
    offline, stripe = rates["offline"], rates["stripe"]
    value = ratio(stripe, offline) or 0
    return [
        row(
            "payments: POST /api/v1/orders, offline gateway (baseline)",
            api_bench.SIZE,
            round(offline, 1),
            "orders/s",
            note=f"{connection.vendor}; no STRIPE_SECRET_KEY: payment by invoice",
        ),
        row(
            "payments: POST /api/v1/orders, Stripe gateway configured",
            api_bench.SIZE,
            round(stripe, 1),
            "orders/s",
            baseline=round(offline, 1),
            ratio=value,
            note=(
                f"capture now: attempt row + task published to "
                f"{_broker_label()}, not run ({pending} attempts queued); target ratio ≥ "
                f"{TARGET_RATIO}" + ("" if value >= TARGET_RATIO else " — BELOW TARGET")
            ),
        ),
    ]


def _broker_label() -> str:
    return "Redis" if settings.CELERY_BROKER_URL else "kombu memory://"


def _bench_database_name(database: dict) -> str:
    if database["ENGINE"].endswith("sqlite3"):
        return os.path.join(
            tempfile.gettempdir(), f"reseller-portal-bench-payments-{os.getpid()}.db"
        )
    return f"{database['NAME']}_bench_payments"


def run() -> list[dict]:
    database = settings.DATABASES["default"]
    test_settings = database.setdefault("TEST", {})
    previous_test_name = test_settings.get("NAME")
    test_settings["NAME"] = _bench_database_name(database)
    conf = celery_app.conf
    previous_celery = (conf.task_always_eager, conf.broker_url, conf.broker_write_url)
    previous_key = settings.STRIPE_SECRET_KEY
    old_config = setup_databases(verbosity=0, interactive=False, aliases={"default"})
    queue_url = settings.CELERY_BROKER_URL or "memory://"
    try:
        with override_settings(
            ROOT_URLCONF="bench.api",
            DEBUG=False,
            API_RATE_LIMIT_PER_MINUTE=10**9,
            STRIPE_PUBLISHABLE_KEY="pk_test_bench",
        ):
            key = api_bench._seed()
            _give_the_reseller_a_card()
            conf.task_always_eager = False
            conf.broker_url = conf.broker_write_url = queue_url
            celery_app._pool = celery_app.amqp._producer_pool = None
            return _measure(key)
    finally:
        settings.STRIPE_SECRET_KEY = previous_key
        # Nothing may run the published tasks later: they name rows of a dropped database.
        with contextlib.suppress(Exception), celery_app.connection_for_write() as broker:
            broker.default_channel.queue_purge("celery")
        if celery_app._pool is not None:
            celery_app._pool.force_close_all()
        conf.task_always_eager, conf.broker_url, conf.broker_write_url = previous_celery
        celery_app._pool = celery_app.amqp._producer_pool = None
        teardown_databases(old_config, verbosity=0)
        test_settings["NAME"] = previous_test_name


if __name__ == "__main__":
    for result in run():
        print(result)
