"""Bulk order data for the benchmarks: `seed_bench --resellers N --orders M --lines L`.

M orders in total with L lines each. The first reseller gets half of the orders and the others
share the rest evenly, so exports can be measured at two sizes in one data set.

Rows are generated in Python and inserted without model instances: PostgreSQL gets them through
`COPY … FROM STDIN` (psycopg's `cursor.copy`), other databases through `executemany` in
batches. That is what makes a million order lines take seconds to minutes instead of hours.

The command converges: run it again with the same sizes and it does nothing; with other sizes
it replaces the bench data (and only the bench data: the "Bench" channel's resellers, whose
company names start with "Bench Reseller"). `--reset` rebuilds even when the sizes match.
"""

from __future__ import annotations

import random
import time
from collections.abc import Iterable, Iterator
from datetime import timedelta
from decimal import Decimal
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection, models, transaction
from django.utils import timezone

from channels.models import Channel, Listing, Product
from orders.choices import SHIPPING_METHODS, CaptureMode, OrderSource, OrderStatus, PaymentStatus
from orders.models import InvoiceLine, Order, OrderEvent, OrderLine
from resellers.choices import ResellerStatus
from resellers.models import Reseller

BENCH_CHANNEL_SLUG = "bench"
BENCH_COMPANY_PREFIX = "Bench Reseller"
BENCH_SKU_PREFIX = "BENCH-"
BATCH_SIZE = 5_000
# Orders are spread over this many days before "now", oldest first, so date filters bite.
HISTORY_DAYS = 365

FIRST_NAMES = ["Ada", "Ben", "Cleo", "Dan", "Eve", "Finn", "Gia", "Hugo", "Ines", "Jon", "Kai"]
LAST_NAMES = ["Lovelace", "Okafor", "Nguyen", "Schmidt", "Rossi", "Tanaka", "Silva", "Novak"]
CITIES = [
    ("Springfield", "OR", "97403"),
    ("Austin", "TX", "78701"),
    ("Portland", "ME", "04101"),
    ("Madison", "WI", "53703"),
    ("Boulder", "CO", "80302"),
    ("Savannah", "GA", "31401"),
]
STREETS = ["Evergreen Terrace", "Main Street", "Oak Avenue", "Harbor Road", "Mill Lane"]
STATUS_WEIGHTS = [
    (OrderStatus.OPEN, 20),
    (OrderStatus.ON_HOLD, 5),
    (OrderStatus.SHIPPED, 25),
    (OrderStatus.CLOSED, 45),
    (OrderStatus.CANCELED, 5),
]
SOURCE_WEIGHTS = [
    (OrderSource.PORTAL, 30),
    (OrderSource.API, 50),
    (OrderSource.INVENTORY_SOURCE, 20),
]
PAYMENT_FOR_STATUS = {
    OrderStatus.OPEN: PaymentStatus.AWAITING_CAPTURE,
    OrderStatus.ON_HOLD: PaymentStatus.AWAITING_CAPTURE,
    OrderStatus.SHIPPED: PaymentStatus.CAPTURED,
    OrderStatus.CLOSED: PaymentStatus.CAPTURED,
    # Canceling leaves the payment as it was (order_transition does not touch it), and only
    # open or held orders can be canceled.
    OrderStatus.CANCELED: PaymentStatus.AWAITING_CAPTURE,
}


def split_orders(total_orders: int, reseller_count: int) -> list[int]:
    """Orders per reseller: the first gets half, the others share the rest evenly.

    A remainder goes one order each to the first of the others, so the sum is always exact.
    """
    if reseller_count == 1:
        return [total_orders]
    first = total_orders // 2
    rest = total_orders - first
    share, remainder = divmod(rest, reseller_count - 1)
    return [first] + [share + (1 if i < remainder else 0) for i in range(reseller_count - 1)]


def bench_resellers() -> models.QuerySet[Reseller]:
    return Reseller.objects.filter(
        channel__slug=BENCH_CHANNEL_SLUG, company_name__startswith=BENCH_COMPANY_PREFIX
    )


def bench_sizes() -> tuple[int, int, int]:
    """(resellers, orders, lines) of the bench data already in the database."""
    resellers = bench_resellers()
    orders = Order.objects.filter(reseller__in=resellers)
    return (
        resellers.count(),
        orders.count(),
        OrderLine.objects.filter(order__in=orders).count(),
    )


class Command(BaseCommand):
    help = (
        "Bulk order data for benchmarks: M orders with L lines each over N resellers; the first "
        "reseller gets half of the orders. Idempotent for the same sizes; --reset rebuilds."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--resellers", type=int, default=20, help="Resellers (default 20).")
        parser.add_argument("--orders", type=int, default=20_000, help="Orders in total.")
        parser.add_argument("--lines", type=int, default=10, help="Lines per order (default 10).")
        parser.add_argument(
            "--reset", action="store_true", help="Rebuild the bench data even if the sizes match."
        )
        parser.add_argument("--seed", type=int, default=2026, help="Random seed (default 2026).")

    def handle(self, *args, **options) -> None:
        resellers, orders, lines = options["resellers"], options["orders"], options["lines"]
        if resellers < 1 or orders < 1 or lines < 1:
            raise CommandError("--resellers, --orders and --lines must each be at least 1.")
        if min(split_orders(orders, resellers)) < 1:
            raise CommandError(
                f"--orders ({orders}) is too small for {resellers} resellers: the first gets "
                "half and every other reseller needs at least one order, so use at least "
                f"{2 * (resellers - 1)} orders."
            )
        wanted = (resellers, orders, orders * lines)
        if not options["reset"] and bench_sizes() == wanted:
            self.stdout.write(
                f"Bench data already seeded: {resellers} resellers, {orders:,} orders, "
                f"{orders * lines:,} order lines. Nothing to do (pass --reset to rebuild)."
            )
            return
        started = time.monotonic()
        with transaction.atomic():
            self._delete_bench_data()
            channel, listings = self._catalog(lines)
            reseller_objects = self._resellers(channel, resellers)
            self._orders(
                channel=channel,
                resellers=reseller_objects,
                counts=split_orders(orders, resellers),
                listings=listings,
                lines_per_order=lines,
                rng=random.Random(options["seed"]),
            )
        if connection.vendor == "postgresql":
            # Fresh planner statistics, so the first benchmark does not get a naive plan.
            with connection.cursor() as cursor:
                cursor.execute(
                    f"ANALYZE {Order._meta.db_table}, {OrderLine._meta.db_table}"  # noqa: S608
                )
        elapsed = time.monotonic() - started
        self.stdout.write(
            self.style.SUCCESS(
                f"Seeded {resellers} resellers, {orders:,} orders and {orders * lines:,} order "
                f"lines in {elapsed:.1f} s ({connection.vendor})."
            )
        )

    def _delete_bench_data(self) -> None:
        resellers = bench_resellers()
        orders = Order.objects.filter(reseller__in=resellers)
        # Children first, each as one DELETE; otherwise the collector would load every line.
        for child in (OrderLine, InvoiceLine, OrderEvent):
            child.objects.filter(order__in=orders).delete()
        orders.delete()
        resellers.delete()

    def _catalog(self, lines_per_order: int) -> tuple[Channel, list[Listing]]:
        channel, _ = Channel.objects.get_or_create(
            slug=BENCH_CHANNEL_SLUG, defaults={"name": "Bench", "currency": "USD"}
        )
        # At least as many products as lines per order, so no order lists a SKU twice.
        product_count = max(lines_per_order, 100)
        for index in range(product_count):
            product, _ = Product.objects.get_or_create(
                sku=f"{BENCH_SKU_PREFIX}{index + 1:05d}",
                defaults={
                    "title": f"Bench product {index + 1}",
                    "cost": Decimal("3.00"),
                    "msrp": Decimal("20.00"),
                    "weight": Decimal("0.500"),
                    "stock": 1_000_000,
                },
            )
            Listing.objects.get_or_create(
                channel=channel,
                product=product,
                defaults={"price": Decimal(5 + index % 20) + Decimal("0.99")},
            )
        # Products loaded up front: the row generators run inside a COPY, where a lazy query
        # would wait forever for the connection the COPY holds.
        listings = list(
            Listing.objects.filter(channel=channel, product__sku__startswith=BENCH_SKU_PREFIX)
            .select_related("product")
            .order_by("product__sku")[:product_count]
        )
        return channel, listings

    def _resellers(self, channel: Channel, count: int) -> list[Reseller]:
        width = max(2, len(str(count)))
        return Reseller.objects.bulk_create(
            [
                Reseller(
                    company_name=f"{BENCH_COMPANY_PREFIX} {number:0{width}d}",
                    contact_name=f"Bench Contact {number}",
                    email=f"bench-reseller-{number:0{width}d}@example.com",
                    country="US",
                    channel=channel,
                    status=ResellerStatus.ACTIVE,
                )
                for number in range(1, count + 1)
            ]
        )

    def _orders(
        self,
        *,
        channel: Channel,
        resellers: list[Reseller],
        counts: list[int],
        listings: list[Listing],
        lines_per_order: int,
        rng: random.Random,
    ) -> None:
        # Interleave resellers over time, as real traffic would, while keeping each reseller's
        # exact share of the orders.
        owners = [
            reseller
            for reseller, count in zip(resellers, counts, strict=True)
            for _ in range(count)
        ]
        rng.shuffle(owners)
        order_ids = _reserve_ids(Order, len(owners))
        now = timezone.now().replace(microsecond=0)
        start = now - timedelta(days=HISTORY_DAYS)
        step = timedelta(days=HISTORY_DAYS) / len(owners)
        statuses, status_weights = zip(*STATUS_WEIGHTS, strict=True)
        sources, source_weights = zip(*SOURCE_WEIGHTS, strict=True)
        product_count = len(listings)

        def line_specs(index: int) -> Iterator[tuple[Listing, int]]:
            # Deterministic, so the orders pass (subtotals) and the lines pass agree.
            first_product = (index * lines_per_order) % product_count
            for position in range(lines_per_order):
                yield (
                    listings[(first_product + position) % product_count],
                    1 + (index + position) % 5,
                )

        def order_rows() -> Iterator[dict[str, Any]]:
            sequence_by_reseller: dict[int, int] = {}
            for index, (order_id, reseller) in enumerate(zip(order_ids, owners, strict=True)):
                sequence = sequence_by_reseller.get(reseller.pk, 0) + 1
                sequence_by_reseller[reseller.pk] = sequence
                status = rng.choices(statuses, status_weights)[0]
                city, state, postal_code = CITIES[index % len(CITIES)]
                created_at = start + step * index
                subtotal = sum(
                    (listing.price * quantity for listing, quantity in line_specs(index)),
                    start=Decimal("0.00"),
                )
                yield {
                    "id": order_id,
                    "reseller_id": reseller.pk,
                    "channel_id": channel.pk,
                    "currency": channel.currency,
                    "reference_number": f"BENCH-{reseller.pk}-{sequence:07d}",
                    "source": rng.choices(sources, source_weights)[0],
                    "status": status,
                    "ship_name": f"{FIRST_NAMES[index % 11]} {LAST_NAMES[index % 8]}",
                    "ship_company": "Example Retail LLC" if index % 7 == 0 else "",
                    "ship_address_line1": f"{100 + index % 900} {STREETS[index % 5]}",
                    "ship_address_line2": "Suite 4" if index % 9 == 0 else "",
                    "ship_city": city,
                    "ship_state": state,
                    "ship_postal_code": postal_code,
                    "ship_country": "US",
                    "shipping_method": SHIPPING_METHODS[index % len(SHIPPING_METHODS)],
                    "note": "Leave at the back door." if index % 25 == 0 else "",
                    "subtotal": subtotal,
                    # Totals as order_place computes them before the rules engine adds charges.
                    "total": subtotal,
                    "capture_mode": CaptureMode.CAPTURE_NOW,
                    "payment_status": PAYMENT_FOR_STATUS[status],
                    "created_at": created_at,
                    "updated_at": created_at,
                }

        def line_rows() -> Iterator[dict[str, Any]]:
            for index, order_id in enumerate(order_ids):
                for listing, quantity in line_specs(index):
                    yield {
                        "order_id": order_id,
                        "product_id": listing.product_id,
                        "sku": listing.product.sku,
                        "title": listing.product.title,
                        "quantity": quantity,
                        "unit_price": listing.price,
                        "unit_weight": listing.product.weight,
                        "line_total": listing.price * quantity,
                    }

        # One table at a time: a PostgreSQL connection runs only one COPY at once.
        bulk_insert(Order, order_rows(), with_primary_key=True)
        bulk_insert(OrderLine, line_rows(), with_primary_key=False)


def _reserve_ids(model: type[models.Model], count: int) -> list[int]:
    """Primary keys for `count` new rows, known upfront so the lines can name their orders.

    PostgreSQL hands them out from the table's own sequence, which keeps the sequence right for
    later inserts; elsewhere the ids continue after the largest one ever used.
    """
    table = model._meta.db_table
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
                [table, count],
            )
            return [row[0] for row in cursor.fetchall()]
    largest = model.objects.aggregate(largest=models.Max("id"))["largest"] or 0
    if connection.vendor == "sqlite":
        # AUTOINCREMENT never reuses an id, even a deleted one; neither do we.
        with connection.cursor() as cursor:
            cursor.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [table])
            row = cursor.fetchone()
        largest = max(largest, row[0] if row else 0)
    return list(range(largest + 1, largest + 1 + count))


def bulk_insert(
    model: type[models.Model], rows: Iterable[dict[str, Any]], *, with_primary_key: bool
) -> None:
    """Insert rows given as {attname: value} dicts, without building model instances.

    Every concrete column is written (except those the database generates, such as the order
    number); a column a row leaves out gets the field's default, so a field added to the model
    later does not break the command. Memory stays bounded: rows are
    streamed into one COPY on PostgreSQL and inserted in batches elsewhere.
    """
    fields = [
        field
        for field in model._meta.concrete_fields
        if (with_primary_key or not field.primary_key) and not field.generated
    ]
    names = [field.attname for field in fields]
    defaults = {
        field.attname: field.get_db_prep_save(field.get_default(), connection) for field in fields
    }
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    columns = ", ".join(quote(field.column) for field in fields)

    def tuples() -> Iterator[tuple[Any, ...]]:
        for row in rows:
            yield tuple(row[name] if name in row else defaults[name] for name in names)

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for values in tuples():
                    copy.write_row(values)
            return
        placeholders = ", ".join(["%s"] * len(fields))
        statement = f"INSERT INTO {table} ({columns}) VALUES ({placeholders})"  # noqa: S608
        batch: list[tuple[Any, ...]] = []
        for values in tuples():
            batch.append(values)
            if len(batch) >= BATCH_SIZE:
                cursor.executemany(statement, batch)
                batch.clear()
        if batch:
            cursor.executemany(statement, batch)
