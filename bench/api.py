"""API orders per second vs a bare Django view that inserts one row.

Both sides go through the same in-process `django.test.Client` and the whole middleware stack
(sessions, CSRF, security headers, axes), one request at a time on one connection, each
committing its own transaction, so the ratio isolates what the API adds: key authentication,
the rate-limit counter, body validation, catalog lookup and pricing, the invoice rules, the
order with its lines and event, the idempotency record, and the JSON answer.

- API: `POST /api/v1/orders` with a valid key and a unique reference (and, in the first row,
  a unique `Idempotency-Key`, as integrations should send), for an active reseller (so no
  activation task is enqueued).
- Baseline: `POST /bench/insert/` — parse the same JSON body and insert one `OrderEvent` row
  with the ORM, answer 201 JSON.

It runs in its own throwaway database (a temporary file for SQLite, `<name>_bench_api` on
PostgreSQL), created and migrated at start and dropped at the end, so it never touches the
development data. Each rate is the best of REPEATS batches of SIZE requests, interleaved
across the cases. A reference row times `order_place()` alone (no HTTP): no API built on that
service can beat its ratio.
"""

from __future__ import annotations

import json
import os
import tempfile
import time
import uuid
from collections.abc import Callable
from decimal import Decimal

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from django.http import HttpRequest, JsonResponse  # noqa: E402
from django.test import Client, override_settings  # noqa: E402
from django.test.utils import (  # noqa: E402
    CaptureQueriesContext,
    setup_databases,
    teardown_databases,
)
from django.urls import path  # noqa: E402
from django.views.decorators.csrf import csrf_exempt  # noqa: E402

from apikeys.urls import api_urlpatterns  # noqa: E402
from orders.services import LineRequest, OrderRequest, ShipTo, order_place  # noqa: E402

SIZE = 100
REPEATS = 5
WARMUP = 20
TARGET_RATIO = 0.3


@csrf_exempt
def bare_insert(request: HttpRequest) -> JsonResponse:
    """The baseline: read the JSON body, insert one row, answer JSON."""
    from orders.models import OrderEvent

    body = json.loads(request.body)
    event = OrderEvent.objects.create(
        order_id=bare_insert.order_id, kind="bench", message=body["reference_number"]
    )
    return JsonResponse({"id": event.pk}, status=201)


bare_insert.order_id = None  # type: ignore[attr-defined]

# This module is the URLconf while the benchmark runs: the real API next to the bare view.
urlpatterns = [path("bench/insert/", bare_insert), *api_urlpatterns]


def _body(reference: str, lines: int) -> str:
    return json.dumps(
        {
            "reference_number": reference,
            "shipping_address": {
                "name": "Bench Customer",
                "address_line1": "1 Main St",
                "city": "Springfield",
                "state": "IL",
                "postal_code": "62701",
                "country_code": "US",
            },
            "shipping_method": "Ground",
            "items": [{"sku": f"BENCH-{n:02d}", "quantity": 1 + n % 3} for n in range(lines)],
        }
    )


def _one_line_order(reference: str) -> OrderRequest:
    """_body(reference, 1) as an OrderRequest, for calling order_place() directly."""
    return OrderRequest(
        reference_number=reference,
        ship_to=ShipTo(
            name="Bench Customer",
            address_line1="1 Main St",
            city="Springfield",
            state="IL",
            postal_code="62701",
            country_code="US",
        ),
        items=[LineRequest(sku="BENCH-00", quantity=1)],
    )


def _seed() -> str:
    """An active reseller on a channel with 10 listings; returns a plaintext API key."""
    from accounts.models import User
    from apikeys.services import apikey_create
    from channels.models import Channel, Listing, Product
    from resellers.models import Reseller

    channel = Channel.objects.create(name="Bench", slug="bench", is_default=True)
    for n in range(10):
        product = Product.objects.create(
            sku=f"BENCH-{n:02d}", title=f"Bench product {n}", weight=Decimal("0.5"), stock=10**6
        )
        Listing.objects.create(channel=channel, product=product, price=Decimal("9.95"))
    reseller = Reseller.objects.create(
        company_name="Bench Co",
        contact_name="Bench",
        email="bench@example.com",
        status="active",
        channel=channel,
        country="US",
    )
    user = User.objects.create_user(
        email="bench-user@example.com", password=uuid.uuid4().hex, reseller=reseller
    )
    _, plaintext = apikey_create(reseller=reseller, name="bench", actor=user)
    order = order_place(reseller=reseller, request=_one_line_order("BENCH-SEED"))
    bare_insert.order_id = order.pk  # type: ignore[attr-defined]
    _seed.reseller = reseller  # type: ignore[attr-defined]
    return plaintext


def _best_rates(senders: dict[str, Callable[[int], int]], size: int) -> dict[str, float]:
    """Requests per second for each sender: the best of REPEATS timed batches of `size`.

    The batches are interleaved (bare, service, API, bare, …) rather than run one sender after
    another, so a burst of load from elsewhere on the machine hits every side alike and the
    ratios stay comparable.
    """
    best = dict.fromkeys(senders, float("inf"))
    for _ in range(REPEATS):
        for name, send in senders.items():
            start = time.perf_counter()
            for _ in range(size):
                status = send(0)
                if status != 201:
                    raise RuntimeError(f"benchmark request {name} failed with HTTP {status}")
            best[name] = min(best[name], time.perf_counter() - start)
    return {name: size / seconds for name, seconds in best.items()}


def _measure(key: str) -> list[dict]:
    client = Client()
    counter = iter(range(10**9))
    headers = {"HTTP_X_API_TOKEN": key}

    def api_order(lines: int, *, idempotency: bool) -> Callable[[int], int]:
        def send(_: int) -> int:
            reference = f"B-{next(counter)}"
            extra = {"HTTP_IDEMPOTENCY_KEY": uuid.uuid4().hex} if idempotency else {}
            return client.post(
                "/api/v1/orders",
                _body(reference, lines),
                content_type="application/json",
                **headers,
                **extra,
            ).status_code

        return send

    def bare(_: int) -> int:
        return client.post(
            "/bench/insert/", _body(f"B-{next(counter)}", 1), content_type="application/json"
        ).status_code

    def service_only(_: int) -> int:
        # order_place() alone, no HTTP: the floor under any API built on it.
        order_place(
            reseller=_seed.reseller,  # type: ignore[attr-defined]
            request=_one_line_order(f"B-{next(counter)}"),
        )
        return 201

    cases = [
        ("1 line, Idempotency-Key", api_order(1, idempotency=True)),
        ("1 line, no Idempotency-Key", api_order(1, idempotency=False)),
        ("10 lines, Idempotency-Key", api_order(10, idempotency=True)),
    ]
    for _ in range(WARMUP):
        bare(0)
        service_only(0)
        for _, send in cases:
            send(0)

    query_counts = {}
    for label, send in cases:
        # The query log is a bounded deque that migrating the database has already filled;
        # empty it so the capture can count.
        connection.queries_log.clear()
        with CaptureQueriesContext(connection) as queries:
            send(0)
        # Counted now: the captured list is read lazily from a log later requests reset.
        query_counts[label] = len(queries)

    rates = _best_rates({"bare": bare, "service": service_only, **dict(cases)}, SIZE)
    baseline, service = rates["bare"], rates["service"]
    rows = [
        {
            "benchmark": "api: bare one-insert view (baseline)",
            "size": SIZE,
            "value": round(baseline, 1),
            "unit": "requests/s",
            "baseline": None,
            "ratio": None,
            "note": f"{connection.vendor}; in-process test client; 1 INSERT per request",
        }
    ]
    rows.append(
        {
            "benchmark": "api: order_place() alone, no HTTP (reference)",
            "size": SIZE,
            "value": round(service, 1),
            "unit": "orders/s",
            "baseline": round(baseline, 1),
            "ratio": round(service / baseline, 2),
            "note": "the order service the API calls: the ceiling for any API ratio",
        }
    )
    for label, _send in cases:
        value = rates[label]
        ratio = value / baseline
        rows.append(
            {
                "benchmark": f"api: POST /api/v1/orders ({label})",
                "size": SIZE,
                "value": round(value, 1),
                "unit": "orders/s",
                "baseline": round(baseline, 1),
                "ratio": round(ratio, 2),
                "note": f"{query_counts[label]} queries per order; target ratio ≥ {TARGET_RATIO}"
                + ("" if ratio >= TARGET_RATIO else " — BELOW TARGET"),
            }
        )
    return rows


def _bench_database_name(database: dict) -> str:
    if database["ENGINE"].endswith("sqlite3"):
        # A file, not SQLite's in-memory test database, so commits cost what they really cost.
        return os.path.join(tempfile.gettempdir(), f"reseller-portal-bench-api-{os.getpid()}.db")
    return f"{database['NAME']}_bench_api"


def run() -> list[dict]:
    database = settings.DATABASES["default"]
    test_settings = database.setdefault("TEST", {})
    previous_test_name = test_settings.get("NAME")
    test_settings["NAME"] = _bench_database_name(database)
    old_config = setup_databases(verbosity=0, interactive=False, aliases={"default"})
    try:
        with override_settings(
            ROOT_URLCONF=__name__,
            DEBUG=False,
            # The counter still runs on every request; the limit just never trips.
            API_RATE_LIMIT_PER_MINUTE=10**9,
            CELERY_TASK_ALWAYS_EAGER=True,
        ):
            key = _seed()
            return _measure(key)
    finally:
        teardown_databases(old_config, verbosity=0)
        test_settings["NAME"] = previous_test_name


if __name__ == "__main__":
    for row in run():
        print(row)
