"""Fulfilment: the tracking import at two sizes, and the API order rate with and without the
stock reservation.

- Import tracking: `tracking_import_csv` of 1,000 and 10,000 rows (`order_number,carrier,
  tracking_number`, one parcel per open one-line order): the time, and the queries the import
  runs. The e-mails it owes are written in the import's transaction and sent by workers after
  commit (one task per 200 e-mails); their sending is not timed here, as it is not part of the
  request.
- API orders: `POST /api/v1/orders` (1 line, then 10 lines) with the reservation as shipped
  (one conditional UPDATE for all lines plus one UPDATE of the products' listings) against the same
  request with the reservation skipped — what the API did before stock was held. Interleaved
  batches, best of each.

Like bench.api it runs in a throwaway database (`<name>_bench_fulfilment`), dropped at the end.
"""

from __future__ import annotations

import os
import tempfile
import time
import uuid
from decimal import Decimal
from unittest import mock

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client, override_settings  # noqa: E402
from django.test.utils import (  # noqa: E402
    CaptureQueriesContext,
    setup_databases,
    teardown_databases,
)

from bench.api import _body, _seed  # noqa: E402
from bench.common import best_times, ratio, repeats, row  # noqa: E402

IMPORT_SIZES = (1_000, 10_000)
API_BATCH = 100


def _open_orders(count: int, prefix: str) -> list[str]:
    """`count` open one-line orders of the bench reseller, bulk-inserted; their numbers."""
    from channels.models import Product
    from orders.models import Order, OrderLine

    reseller = _seed.reseller  # type: ignore[attr-defined]
    product = Product.objects.get(sku="BENCH-00")
    orders = Order.objects.bulk_create(
        [
            Order(
                reseller=reseller,
                channel_id=reseller.channel_id,
                reference_number=f"{prefix}-{n}",
                source="api",
                ship_name="Bench Customer",
                ship_address_line1="1 Main St",
                ship_city="Springfield",
                ship_state="IL",
                ship_postal_code="62701",
                ship_country="US",
                subtotal=Decimal("9.95"),
                total=Decimal("9.95"),
            )
            for n in range(count)
        ],
        batch_size=1000,
    )
    OrderLine.objects.bulk_create(
        [
            OrderLine(
                order=order,
                product=product,
                sku=product.sku,
                title=product.title,
                quantity=1,
                unit_price=Decimal("9.95"),
                line_total=Decimal("9.95"),
            )
            for order in orders
        ],
        batch_size=1000,
    )
    Product.objects.filter(pk=product.pk).update(reserved=count)
    return list(
        Order.objects.filter(reference_number__startswith=f"{prefix}-").values_list(
            "number", flat=True
        )
    )


def _import_rows() -> list[dict]:
    from fulfilment.imports import tracking_import_csv

    results = {}
    for size in IMPORT_SIZES:
        numbers = _open_orders(size, f"IMP{size}")
        text = "order_number,carrier,tracking_number\n" + "".join(
            f"{number},UPS,1ZBENCH{n:08d}\n" for n, number in enumerate(numbers)
        )
        # The e-mail tasks are enqueued after commit; workers send them, not this request.
        with mock.patch("fulfilment.emails.enqueue_on_commit"):
            connection.queries_log.clear()
            with CaptureQueriesContext(connection) as queries:
                started = time.perf_counter()
                result = tracking_import_csv(text=text, actor=None)
                elapsed = time.perf_counter() - started
            query_count = len(queries)
        if result.shipments != size:
            raise RuntimeError(f"the import recorded {result.shipments} of {size} shipments")
        results[size] = (elapsed, query_count)
    small, large = IMPORT_SIZES
    rows = []
    for size in IMPORT_SIZES:
        elapsed, query_count = results[size]
        rows.append(
            row(
                "fulfilment: Import tracking (rows/s)",
                size,
                round(size / elapsed),
                "rows/s",
                note=f"{elapsed:.2f} s; {query_count} queries ({query_count / size * 1000:.1f} "
                "per 1,000 rows); shipments, lines, stock, statuses, history, e-mail rows",
            )
        )
    rows.append(
        row(
            "fulfilment: Import tracking queries, 10x the rows",
            f"{small:,}→{large:,}",
            results[large][1],
            "queries",
            baseline=results[small][1],
            ratio=ratio(results[large][1], results[small][1]),
            note="fixed per chunk of 500-900 rows (bulk inserts, IN lists), never per row",
        )
    )
    return rows


def _api_rows(key: str) -> list[dict]:
    import orders.services

    client = Client()
    counter = iter(range(10**9))
    headers = {"HTTP_X_API_TOKEN": key}
    real_reserve = orders.services._reserve_stock

    def api_order(lines: int, *, reserve: bool):
        def send() -> int:
            reference = f"F-{next(counter)}"
            with mock.patch.object(
                orders.services,
                "_reserve_stock",
                real_reserve if reserve else (lambda **kwargs: None),
            ):
                return client.post(
                    "/api/v1/orders",
                    _body(reference, lines),
                    content_type="application/json",
                    HTTP_IDEMPOTENCY_KEY=uuid.uuid4().hex,
                    **headers,
                ).status_code

        def batch() -> None:
            for _ in range(API_BATCH):
                status = send()
                if status != 201:
                    raise RuntimeError(f"benchmark order failed with HTTP {status}")

        return batch

    cases = {
        (lines, reserve): api_order(lines, reserve=reserve)
        for lines in (1, 10)
        for reserve in (False, True)
    }
    # Both sides write the order's e-mail row; sending it is a worker's job, not the request's.
    with mock.patch("fulfilment.emails.enqueue_on_commit"):
        for batch in cases.values():  # warm-up
            batch()
        best = best_times(cases, repeats(5))
    rows = []
    for lines in (1, 10):
        without = API_BATCH / best[(lines, False)][0]
        with_stock = API_BATCH / best[(lines, True)][0]
        rows.append(
            row(
                f"fulfilment: POST /api/v1/orders, {lines} line{'s' if lines > 1 else ''}, "
                "stock reserved",
                API_BATCH,
                round(with_stock, 1),
                "orders/s",
                baseline=round(without, 1),
                ratio=ratio(with_stock, without),
                note="baseline: the same request with the reservation skipped; target ≥ 0.90",
            )
        )
    return rows


def _bench_database_name(database: dict) -> str:
    if database["ENGINE"].endswith("sqlite3"):
        return os.path.join(tempfile.gettempdir(), f"reseller-portal-bench-ful-{os.getpid()}.db")
    return f"{database['NAME']}_bench_fulfilment"


def run() -> list[dict]:
    database = settings.DATABASES["default"]
    test_settings = database.setdefault("TEST", {})
    previous_test_name = test_settings.get("NAME")
    test_settings["NAME"] = _bench_database_name(database)
    old_config = setup_databases(verbosity=0, interactive=False, aliases={"default"})
    try:
        with override_settings(
            ROOT_URLCONF="bench.api",
            DEBUG=False,
            API_RATE_LIMIT_PER_MINUTE=10**9,
            CELERY_TASK_ALWAYS_EAGER=True,
            EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
        ):
            key = _seed()
            return _import_rows() + _api_rows(key)
    finally:
        teardown_databases(old_config, verbosity=0)
        test_settings["NAME"] = previous_test_name


if __name__ == "__main__":
    for result in run():
        print(result)
