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
development data. Each rate is the best of 5 batches (BENCH_REPEATS overrides) of SIZE
requests, interleaved across the cases. Two reference rows bound what any implementation could
reach:

- `order_place()` alone (no HTTP): no API built on that service can beat its ratio.
- The floor: `POST /bench/floor/` sends the statements an API order with an Idempotency-Key
  runs (the same tables, joins, transactions and commits) as hand-written SQL through Django's
  cursor, behind the same middleware, with nothing else — no ORM, no django-ninja, no
  validation, no rules engine, a fixed one-line order. The database work of the API's contract
  (a claim other requests see at once, then the order, its line, its event and the stored
  answer in one transaction) costs this much even with zero framework overhead.
"""

from __future__ import annotations

import json
import os
import tempfile
import uuid
from collections.abc import Callable
from dataclasses import asdict
from decimal import Decimal

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.http import HttpRequest, JsonResponse  # noqa: E402
from django.test import Client, override_settings  # noqa: E402
from django.test.utils import (  # noqa: E402
    CaptureQueriesContext,
    setup_databases,
    teardown_databases,
)
from django.urls import path  # noqa: E402
from django.views.decorators.csrf import csrf_exempt  # noqa: E402

from bench.common import best_times, ratio, repeats, row  # noqa: E402
from config.urls import urlpatterns as site_urlpatterns  # noqa: E402
from orders.services import LineRequest, OrderRequest, ShipTo, order_place  # noqa: E402

SIZE = 100
WARMUP = 20
TARGET_RATIO = 0.3
# Every bench order ships here: the API body, order_place() and the floor's SQL.
SHIP_TO = ShipTo(
    name="Bench Customer",
    address_line1="1 Main St",
    city="Springfield",
    state="IL",
    postal_code="62701",
    country_code="US",
)


@csrf_exempt
def bare_insert(request: HttpRequest) -> JsonResponse:
    """The baseline: read the JSON body, insert one row, answer JSON."""
    from orders.models import OrderEvent

    body = json.loads(request.body)
    event = OrderEvent.objects.create(
        order_id=bare_insert.order_id,
        kind="created",
        params={"source": "api", "reference": body["reference_number"]},
    )
    return JsonResponse({"id": event.pk}, status=201)


bare_insert.order_id = None  # type: ignore[attr-defined]


@csrf_exempt
def floor_order(request: HttpRequest) -> JsonResponse:
    """The floor: an API order's statements as hand-written SQL, nothing else (see above).

    Statement for statement what the API runs for a one-line order with an Idempotency-Key:
    the key with its reseller and channel, the idempotency claim (committed on its own), then
    in one transaction the reseller's status, the listings, the rules in scope, the order
    (numbered by the database), its line, its event and the stored answer.
    """
    body = json.loads(request.body)
    ids = floor_order.ids  # type: ignore[attr-defined]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT k.*, r.*, c.* FROM apikeys_apikey k"
            " JOIN resellers_reseller r ON r.id = k.reseller_id"
            " LEFT JOIN channels_channel c ON c.id = r.channel_id WHERE k.prefix = %s",
            [request.headers["X-Api-Token"][:16]],
        )
        cursor.fetchone()
        cursor.execute(
            "INSERT INTO apikeys_idempotencykey (reseller_id, key, fingerprint, status,"
            " locked_at, response_body, created_at, expires_at)"
            " VALUES (%s, %s, '', 'in_flight', now(), '', now(), now() + interval '1 day')"
            " RETURNING id",
            [ids["reseller"], request.headers["Idempotency-Key"]],
        )
        (claim,) = cursor.fetchone()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "SELECT status, channel_id FROM resellers_reseller WHERE id = %s", [ids["reseller"]]
        )
        cursor.fetchone()
        cursor.execute(
            "SELECT l.*, p.* FROM channels_listing l JOIN channels_product p ON p.id = l.product_id"
            " WHERE l.channel_id = %s AND l.is_active AND p.sku = %s",
            [ids["channel"], body["items"][0]["sku"]],
        )
        cursor.fetchall()
        cursor.execute(
            "SELECT id, name, kind, scope, channel_id, reseller_id, priority, enabled, match,"
            " stop_further_rules, conditions::text, actions::text FROM rules_rule"
            " WHERE enabled AND (scope = 'global' OR (scope = 'channel' AND channel_id = %s)"
            " OR (scope = 'reseller' AND reseller_id = %s)) ORDER BY kind, priority, id",
            [ids["channel"], ids["reseller"]],
        )
        cursor.fetchall()
        cursor.execute(
            "INSERT INTO orders_order (reseller_id, channel_id, currency, reference_number,"
            " source, status, ship_name, ship_company, ship_address_line1, ship_address_line2,"
            " ship_city, ship_state, ship_postal_code, ship_country, ship_phone, ship_email,"
            " shipping_method, note, subtotal, shipping_total, fees_total, other_total,"
            " discount_total, total, capture_mode, payment_status, created_at, updated_at)"
            " VALUES (%s, %s, 'USD', %s, 'api', 'open', %s, %s, %s, %s, %s, %s, %s, %s, %s, %s,"
            " 'Ground', '', 9.95, 0, 0, 0, 0, 9.95, 'capture_now', 'awaiting_capture', now(),"
            " now()) RETURNING id, number",
            [
                ids["reseller"],
                ids["channel"],
                body["reference_number"],
                SHIP_TO.name,
                SHIP_TO.company,
                SHIP_TO.address_line1,
                SHIP_TO.address_line2,
                SHIP_TO.city,
                SHIP_TO.state,
                SHIP_TO.postal_code,
                SHIP_TO.country_code,
                SHIP_TO.phone,
                SHIP_TO.email,
            ],
        )
        order_id, number = cursor.fetchone()
        cursor.execute(
            "INSERT INTO orders_orderline (order_id, product_id, sku, title, quantity,"
            " unit_price, unit_weight, line_total)"
            " VALUES (%s, %s, 'BENCH-00', 'Bench product 0', 1, 9.95, 0.5, 9.95)",
            [order_id, ids["product"]],
        )
        cursor.execute(
            "INSERT INTO orders_orderevent (order_id, kind, from_status, to_status, params,"
            """ created_at) VALUES (%s, 'created', '', 'open', '{"source": "api"}', now())""",
            [order_id],
        )
        answer = json.dumps({"id": order_id, "number": number})
        cursor.execute(
            "UPDATE apikeys_idempotencykey SET status = 'completed', response_status = 201,"
            " response_body = %s, order_id = %s WHERE id = %s",
            [answer, order_id, claim],
        )
    return JsonResponse({"id": order_id, "number": number}, status=201)


floor_order.ids = {}  # type: ignore[attr-defined]

# This module is the URLconf while the benchmark runs: the real site (the API, and the portal
# its order e-mails link to) next to the bare view and the hand-written floor.
urlpatterns = [
    path("bench/insert/", bare_insert),
    path("bench/floor/", floor_order),
    *site_urlpatterns,
]


def _body(reference: str, lines: int) -> str:
    return json.dumps(
        {
            "reference_number": reference,
            # The optional fields SHIP_TO leaves empty are left out, as a client would.
            "shipping_address": {field: value for field, value in asdict(SHIP_TO).items() if value},
            "shipping_method": "Ground",
            "items": [{"sku": f"BENCH-{n:02d}", "quantity": 1 + n % 3} for n in range(lines)],
        }
    )


def _one_line_order(reference: str) -> OrderRequest:
    """_body(reference, 1) as an OrderRequest, for calling order_place() directly."""
    return OrderRequest(
        reference_number=reference,
        ship_to=SHIP_TO,
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
    floor_order.ids = {  # type: ignore[attr-defined]
        "reseller": reseller.pk,
        "channel": channel.pk,
        "product": Product.objects.get(sku="BENCH-00").pk,
    }
    _seed.reseller = reseller  # type: ignore[attr-defined]
    return plaintext


def _best_rates(senders: dict[str, Callable[[], int]]) -> dict[str, float]:
    """Requests per second for each sender: the best of `repeats(5)` timed batches of SIZE.

    The batches are interleaved (bare, service, API, bare, …) rather than run one sender after
    another, so a burst of load from elsewhere on the machine hits every side alike and the
    ratios stay comparable.
    """

    def batch(name: str, send: Callable[[], int]) -> Callable[[], None]:
        def run_batch() -> None:
            for _ in range(SIZE):
                status = send()
                if status != 201:
                    raise RuntimeError(f"benchmark request {name} failed with HTTP {status}")

        return run_batch

    best = best_times({name: batch(name, send) for name, send in senders.items()}, repeats(5))
    return {name: SIZE / seconds for name, (seconds, _) in best.items()}


def _measure(key: str) -> list[dict]:
    client = Client()
    counter = iter(range(10**9))
    headers = {"HTTP_X_API_TOKEN": key}

    def api_order(lines: int, *, idempotency: bool) -> Callable[[], int]:
        def send() -> int:
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

    def bare() -> int:
        return client.post(
            "/bench/insert/", _body(f"B-{next(counter)}", 1), content_type="application/json"
        ).status_code

    def floor() -> int:
        return client.post(
            "/bench/floor/",
            _body(f"B-{next(counter)}", 1),
            content_type="application/json",
            HTTP_IDEMPOTENCY_KEY=uuid.uuid4().hex,
            **headers,
        ).status_code

    def service_only() -> int:
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
    # The floor's SQL is PostgreSQL's (now(), ::text); `make bench` always runs there.
    references = {"service": service_only}
    if connection.vendor == "postgresql":
        references["floor"] = floor
    for _ in range(WARMUP):
        bare()
        for send in references.values():
            send()
        for _, send in cases:
            send()

    query_counts = {}
    for label, send in cases:
        # The query log is a bounded deque that migrating the database has already filled;
        # empty it so the capture can count.
        connection.queries_log.clear()
        with CaptureQueriesContext(connection) as queries:
            send()
        # Counted now: the captured list is read lazily from a log later requests reset.
        query_counts[label] = len(queries)

    rates = _best_rates({"bare": bare, **references, **dict(cases)})
    baseline = rates["bare"]

    def compared(benchmark: str, value: float, note: str) -> dict:
        return row(
            benchmark,
            SIZE,
            round(value, 1),
            "orders/s",
            baseline=round(baseline, 1),
            ratio=ratio(value, baseline),
            note=note,
        )

    rows = [
        row(
            "api: bare one-insert view (baseline)",
            SIZE,
            round(baseline, 1),
            "requests/s",
            note=f"{connection.vendor}; in-process test client; 1 INSERT per request",
        )
    ]
    if "floor" in rates:
        rows.append(
            compared(
                "api: the API's statements as hand-written SQL (floor)",
                rates["floor"],
                "same middleware and commits; no ORM, ninja, validation or rules engine",
            )
        )
    rows.append(
        compared(
            "api: order_place() alone, no HTTP (reference)",
            rates["service"],
            "the order service the API calls: the ceiling for an API built on it",
        )
    )
    for label, _send in cases:
        value = rates[label]
        rows.append(
            compared(
                f"api: POST /api/v1/orders ({label})",
                value,
                f"{query_counts[label]} queries per order; target ratio ≥ {TARGET_RATIO}"
                + ("" if value / baseline >= TARGET_RATIO else " — BELOW TARGET"),
            )
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
            # Each order's "received" e-mail is sent (eagerly) to memory, not the console.
            EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
        ):
            key = _seed()
            return _measure(key)
    finally:
        teardown_databases(old_config, verbosity=0)
        test_settings["NAME"] = previous_test_name


if __name__ == "__main__":
    for result in run():
        print(result)
