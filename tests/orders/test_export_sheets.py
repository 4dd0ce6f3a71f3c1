"""The accountant's view of the exports: column sums are real figures, the XLSX has an Orders
and a Lines sheet from the same columns, and every file names the reseller."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from orders import export
from orders.export import MONEY_COLUMNS, Column, Kind, has_field, headers, layout
from orders.models import Order
from tests.factories import OrderFactory, OrderLineFactory

pytestmark = pytest.mark.django_db

LINES = headers()
ORDERS = headers(layout().orders_sheet)
MONEY = [column.header for column in layout().money]


def all_orders_url(fmt: str) -> str:
    return reverse("backoffice:order_export", kwargs={"fmt": fmt})


def get(client, url: str, params: dict | None = None) -> bytes:
    response = client.get(url, params or {})
    assert response.status_code == 200
    return b"".join(response.streaming_content) if response.streaming else response.content


def csv_dicts(body: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(body.decode("utf-8-sig"), newline="")))


def sheet_dicts(workbook, name: str) -> list[dict]:
    rows = list(workbook[name].iter_rows(values_only=True))
    return [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]


def order_with_lines(reseller, prices: list[tuple[int, str]], **fields) -> Order:
    """An order whose subtotal is the sum of its lines and whose total adds shipping, a fee,
    tax and a credit, like order_place would store it; part of it captured, some refunded."""
    order = OrderFactory(reseller=reseller, **fields)
    subtotal = Decimal("0")
    for index, (quantity, price) in enumerate(prices):
        line = OrderLineFactory(
            order=order, sku=f"S{order.pk}-{index}", quantity=quantity, unit_price=Decimal(price)
        )
        subtotal += line.line_total
    order.subtotal = subtotal
    order.shipping_total = Decimal("7.25")
    order.fees_total = Decimal("1.10")
    order.discount_total = Decimal("-2.00")
    order.tax = Decimal("0.83")
    order.total = subtotal + Decimal("7.18")
    order.amount_captured = order.total
    order.amount_refunded = Decimal("1.50")
    order.save()
    return order


@pytest.fixture
def mixed_orders(reseller, other_reseller_with_user):
    other, _ = other_reseller_with_user
    return [
        order_with_lines(reseller, [(3, "19.99"), (1, "5.00"), (12, "0.35")]),
        order_with_lines(other, [(2, "100.00")]),
        order_with_lines(reseller, [(1, "9.99"), (4, "2.50")], status="shipped"),
        order_with_lines(other, [(5, "3.33"), (1, "1.00"), (1, "1.00"), (2, "7.77")]),
    ]


def money(value) -> Decimal:
    return Decimal(str(value)) if value not in ("", None) else Decimal("0")


def test_summing_the_csv_total_column_gives_the_sum_of_the_order_totals(staff_client, mixed_orders):
    rows = csv_dicts(get(staff_client, all_orders_url("csv")))

    # The invoicing and payments fields exist on Order, so their optional columns are written.
    assert {"Invoice number", "Due date", "Tax", "Captured", "Refunded"} <= set(rows[0])
    assert {"Tax", "Captured", "Refunded"} <= set(MONEY)

    assert len(rows) == 3 + 1 + 2 + 4  # still one row per line
    assert sum(money(row["Total"]) for row in rows) == sum(o.total for o in mixed_orders)
    for header in MONEY:
        source = next(c.source for c in layout().money if c.header == header)
        expected = sum(getattr(order, source) for order in mixed_orders)
        assert sum(money(row[header]) for row in rows) == expected, header


def test_the_csv_fills_the_order_money_only_on_each_orders_first_row(staff_client, mixed_orders):
    rows = csv_dicts(get(staff_client, all_orders_url("csv")))

    first = mixed_orders[0]
    own = [row for row in rows if row["Order number"] == first.number]
    assert [row["SKU"] for row in own] == [f"S{first.pk}-0", f"S{first.pk}-1", f"S{first.pk}-2"]
    assert own[0]["Subtotal"] == str(first.subtotal)
    assert own[0]["Total"] == str(first.total)
    assert own[0]["Discounts and credits"] == "-2.00"
    for row in own[1:]:
        assert all(row[header] == "" for header in MONEY), row
        # The order's other columns stay on every row, so a filter on a line keeps them.
        assert row["Reference"] == first.reference_number
        assert row["Reseller"] == first.reseller.company_name


def test_the_orders_sheet_has_one_row_per_order_and_sums_to_the_order_totals(
    staff_client, mixed_orders
):
    workbook = load_workbook(io.BytesIO(get(staff_client, all_orders_url("xlsx"))))

    assert workbook.sheetnames == ["Orders", "Lines"]
    orders = sheet_dicts(workbook, "Orders")
    assert [row["Order number"] for row in orders] == [o.number for o in reversed(mixed_orders)]
    assert "SKU" not in orders[0]
    assert sum(money(row["Total"]) for row in orders) == sum(o.total for o in mixed_orders)
    assert isinstance(orders[0]["Total"], int | float)


def test_the_lines_sheets_line_totals_equal_the_subtotals(staff_client, mixed_orders):
    workbook = load_workbook(io.BytesIO(get(staff_client, all_orders_url("xlsx"))))

    lines = sheet_dicts(workbook, "Lines")
    assert list(lines[0]) == LINES
    assert len(lines) == 10
    line_sum = sum(money(row["Line total"]) for row in lines)
    assert line_sum == sum(o.subtotal for o in mixed_orders)
    assert line_sum == sum(money(row["Subtotal"]) for row in lines)
    assert sum(money(row["Total"]) for row in lines) == sum(o.total for o in mixed_orders)
    for order in mixed_orders:
        own = [row for row in lines if row["Order number"] == order.number]
        assert sum(money(row["Line total"]) for row in own) == order.subtotal


def test_both_sheets_have_a_frozen_bold_header_and_an_autofilter(staff_client, mixed_orders):
    workbook = load_workbook(io.BytesIO(get(staff_client, all_orders_url("xlsx"))))

    for name, columns, rows in (("Orders", ORDERS, 4), ("Lines", LINES, 10)):
        sheet = workbook[name]
        assert sheet.freeze_panes == "A2", name
        assert [cell.value for cell in sheet[1]] == columns
        assert all(cell.font.b for cell in sheet[1]), name
        last = sheet.cell(row=1, column=len(columns)).column_letter
        assert sheet.auto_filter.ref == f"A1:{last}{rows + 1}", name


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_every_export_names_the_reseller_by_id_and_company(
    staff_client, mixed_orders, reseller, other_reseller_with_user, fmt
):
    other, _ = other_reseller_with_user
    body = get(staff_client, all_orders_url(fmt))
    if fmt == "csv":
        rows = csv_dicts(body)
    else:
        rows = sheet_dicts(load_workbook(io.BytesIO(body)), "Orders")
    named = {(str(row["Reseller ID"]), row["Reseller"]) for row in rows}
    assert named == {(str(reseller.pk), reseller.company_name), (str(other.pk), other.company_name)}


def test_the_portal_export_names_the_reseller_too(reseller_client, reseller, mixed_orders):
    own = csv_dicts(get(reseller_client, reverse("portal:order_export", kwargs={"fmt": "csv"})))
    assert {(row["Reseller ID"], row["Reseller"]) for row in own} == {
        (str(reseller.pk), reseller.company_name)
    }


def test_a_sheet_over_the_row_limit_continues_on_another_sheet(
    staff_client, mixed_orders, monkeypatch
):
    # Excel's limit is 1,048,576 rows; four rows (a header and three) make the same point.
    monkeypatch.setattr(export, "MAX_SHEET_ROWS", 4)

    workbook = load_workbook(io.BytesIO(get(staff_client, all_orders_url("xlsx"))))

    assert sorted(workbook.sheetnames) == [
        "Lines",
        "Lines (2)",
        "Lines (3)",
        "Lines (4)",
        "Orders",
        "Orders (2)",
    ]
    assert workbook.sheetnames[:2] == ["Orders", "Lines"]
    lines = [
        row
        for name in workbook.sheetnames
        if name.startswith("Lines")
        for row in sheet_dicts(workbook, name)
    ]
    orders = [row for name in ("Orders", "Orders (2)") for row in sheet_dicts(workbook, name)]
    assert len(lines) == 10 and len(orders) == 4
    assert sum(money(row["Line total"]) for row in lines) == sum(o.subtotal for o in mixed_orders)
    for name in workbook.sheetnames:
        assert workbook[name].freeze_panes == "A2"
        assert workbook[name]["A1"].value == "Reseller ID"


def test_a_column_is_written_only_when_its_field_exists():
    assert has_field(Order, "reseller__company_name")
    assert not has_field(Order, "reseller__no_such_field")
    assert not has_field(Order, "no_such_field")
    declared = {column.source for column in MONEY_COLUMNS}
    written = {column.source for column in layout().money}
    assert written == {source for source in declared if has_field(Order, source)}
    assert {"subtotal", "total"} <= written


def test_a_due_date_column_is_a_date_in_both_formats():
    due = Column("Due date", "due_date", Kind.DATE)
    assert export.NUMBER_FORMATS[due.kind] == "yyyy-mm-dd"
    assert headers((due,)) == ["Due date"]
