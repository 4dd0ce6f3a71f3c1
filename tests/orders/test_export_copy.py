"""On PostgreSQL the CSV is written by COPY: it must be the same file as the Python writer's."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from fulfilment.models import Shipment
from orders.export import FORMULA_TRIGGERS, csv_chunks
from orders.export_copy import copy_csv_chunks
from orders.models import Order
from orders.selectors import order_list
from tests.factories import OrderFactory, OrderLineFactory

SHIPPED = datetime(2026, 3, 9, 12, 0, tzinfo=UTC)

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]


def parsed(chunks) -> list[list[str]]:
    body = b"".join(chunks)
    assert body.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"), newline="")))


@pytest.fixture
def awkward_orders(reseller, other_reseller_with_user):
    other, _ = other_reseller_with_user
    other.company_name = '=Evil "Co", Ltd'
    other.save()
    orders = []
    for index, trigger in enumerate(FORMULA_TRIGGERS):
        order = OrderFactory(
            reseller=other if index % 2 else reseller,
            reference_number=f"{trigger}REF-{index}",
            ship_name=f'Name, with "quotes" {index}',
            ship_company="",
            note=f"line one\nline two {trigger}" if index % 3 == 0 else "",
            status=["open", "on_hold", "shipped"][index % 3],
            payment_status="awaiting_authorization",
            discount_total=Decimal("-5.00"),
            total=Decimal("1234.56"),
        )
        Order.objects.filter(pk=order.pk).update(
            created_at=datetime(2026, 3, 8, 6, 59, 59, tzinfo=UTC)
        )
        for line in range(index % 3):
            OrderLineFactory(order=order, sku=f"{trigger}SKU-{line}", title="Ünïcode ✓")
        orders.append(order)
    orders.append(OrderFactory(reseller=reseller, note="plain"))  # and one without lines
    # Shipments (the fulfilment app's): one order with three — a repeated carrier and a
    # repeated tracking number are written once, in shipment order, and a carrier that starts
    # a formula after the "; " separator is neutralised — and one with an empty tracking number.
    shipped, single = orders[2], orders[1]
    for carrier, tracking in (("UPS", "1ZB, =X"), ("=DHL", "1ZA"), ("UPS", "1ZA")):
        Shipment.objects.create(
            order=shipped, carrier=carrier, tracking_number=tracking, shipped_at=SHIPPED
        )
    Shipment.objects.create(order=single, carrier="FedEx", tracking_number="", shipped_at=SHIPPED)
    return orders


@pytest.mark.parametrize("zone", ["UTC", "America/New_York"])
def test_the_copy_csv_is_the_python_csv(awkward_orders, settings, zone):
    settings.TIME_ZONE = zone
    orders = order_list(reseller=None)

    python_rows = parsed(csv_chunks(orders))
    copy_rows = parsed(copy_csv_chunks(orders))

    # 1+2+1+2 lines, and one row for each of the three orders without lines
    assert len(python_rows) == 1 + 6 + 3
    assert copy_rows == python_rows
    header = python_rows[0]
    shipments = {
        (row[header.index("Order number")], row[header.index("Carrier")])
        + (row[header.index("Tracking numbers")],)
        for row in python_rows[1:]
        if row[header.index("Carrier")]
    }
    assert shipments == {
        (awkward_orders[2].number, "UPS; '=DHL", "1ZB, '=X; 1ZA"),
        (awkward_orders[1].number, "FedEx", ""),
    }


def test_the_copy_csv_applies_the_filters(awkward_orders, reseller):
    orders = order_list(reseller=reseller).filter(status="open")
    assert parsed(copy_csv_chunks(orders)) == parsed(csv_chunks(orders))


def test_the_csv_view_on_postgresql_streams_from_copy(staff_client, awkward_orders, monkeypatch):
    from exports import views

    used = []
    monkeypatch.setattr(
        views, "copy_csv_chunks", lambda orders: used.append(1) or csv_chunks(orders)
    )

    response = staff_client.get(reverse("backoffice:order_export", kwargs={"fmt": "csv"}))

    b"".join(response.streaming_content)
    assert used == [1]


def neutralised_in_sql(texts: list[str]) -> list[str]:
    from django.db import connection

    from orders.export_copy import neutralise_sql

    sql, patterns = neutralise_sql("t.value")
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT coalesce({sql}, '') FROM unnest(%s::text[]) WITH ORDINALITY AS t(value, n) "
            "ORDER BY n",
            [*patterns, texts],
        )
        return [row[0] for row in cursor.fetchall()]


def test_the_sql_neutralising_is_the_python_function():
    import random

    from orders.export import CELL_BREAKS, TRIGGER_CHARACTERS, neutralise

    alphabet = [
        *TRIGGER_CHARACTERS,
        *CELL_BREAKS,
        " ",
        '"',
        "'",
        "\u200b",
        "\ufeff",
        "\u00a0",
        "\u3000",
        "\x07",
        "a",
        "Z",
        "1",
        "é",
        "(",
    ]
    rng = random.Random(15)
    texts = ["", "plain", "=1+1", " =x", "a;=b", "a,\t=b", "x;;=y", "＝1", "MUG-350"]
    texts += ["".join(rng.choice(alphabet) for _ in range(rng.randint(1, 12))) for _ in range(3000)]

    assert neutralised_in_sql(texts) == [neutralise(text) for text in texts]
