from __future__ import annotations

import csv
import io
import os
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from orders.export import headers, layout, neutralise
from orders.models import Order
from tests.conftest import make_reseller_user
from tests.factories import OrderFactory, OrderLineFactory

pytestmark = pytest.mark.django_db

EVIL = '=HYPERLINK("http://evil.example","x")'
HEADER = [column.header for column in layout().lines]
NUMBER = HEADER.index("Order number")
REFERENCE = HEADER.index("Reference")
DATE = HEADER.index("Date")
STATUS = HEADER.index("Status")
SHIP_NAME = HEADER.index("Ship-to name")
NOTE = HEADER.index("Note")
DISCOUNTS = HEADER.index("Discounts and credits")
SUBTOTAL = HEADER.index("Subtotal")
TOTAL = HEADER.index("Total")
SKU = HEADER.index("SKU")
TITLE = HEADER.index("Title")
QUANTITY = HEADER.index("Quantity")
UNIT_PRICE = HEADER.index("Unit price")
LINE_TOTAL = HEADER.index("Line total")


def reseller_export_url(reseller, fmt: str) -> str:
    return reverse("backoffice:reseller_orders_export", kwargs={"pk": reseller.pk, "fmt": fmt})


def download(client, url: str, params: dict | None = None):
    response = client.get(url, params or {})
    # Consuming the stream closes the response (the test client wraps it), which is when a
    # streamed export releases its cursor and the XLSX temporary file is deleted.
    body = b"".join(response.streaming_content) if response.streaming else response.content
    return response, body


def csv_rows(body: bytes) -> list[list[str]]:
    assert body.startswith(b"\xef\xbb\xbf"), "the CSV starts with a UTF-8 byte-order mark"
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"), newline="")))


def xlsx_sheet(body: bytes, name: str = "Lines"):
    """The Lines sheet holds the CSV's rows; the Orders sheet one row per order."""
    return load_workbook(io.BytesIO(body))[name]


def xlsx_rows(body: bytes) -> list[tuple]:
    return list(xlsx_sheet(body).iter_rows(values_only=True))


def make_order(reseller, *, lines: int = 1, **fields) -> Order:
    order = OrderFactory(reseller=reseller, **fields)
    for index in range(lines):
        OrderLineFactory(
            order=order,
            sku=f"SKU-{order.pk}-{index}",
            title=f"Product {index}",
            quantity=index + 2,
            unit_price=Decimal("2.50"),
        )
    return order


def exported_numbers(rows: list) -> set[str]:
    return {row[NUMBER] for row in rows[1:]}


# --- content ----------------------------------------------------------------------------


def test_the_csv_has_one_row_per_line_with_the_order_columns_repeated(staff_client, reseller):
    first = make_order(reseller, lines=2, reference_number="PO-1", shipping_method="Ground")
    second = make_order(reseller, lines=1, reference_number="PO-2")

    response, body = download(staff_client, reseller_export_url(reseller, "csv"))

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    rows = csv_rows(body)
    assert rows[0] == headers()
    assert rows[0][DATE] == "Date (UTC)"
    assert len(rows) == 1 + 3
    # Newest first, each order's lines together and in entry order.
    assert [row[NUMBER] for row in rows[1:]] == [second.number, first.number, first.number]
    assert [row[SKU] for row in rows[2:]] == [f"SKU-{first.pk}-0", f"SKU-{first.pk}-1"]
    assert rows[2][REFERENCE] == rows[3][REFERENCE] == "PO-1"
    assert rows[2][STATUS] == "Open"
    assert rows[2][HEADER.index("Shipping method")] == "Ground"
    assert rows[3][QUANTITY] == "3"
    assert rows[3][UNIT_PRICE] == "2.50"
    assert rows[3][LINE_TOTAL] == "7.50"
    assert rows[2][TOTAL] == "10.00"
    local = timezone.localtime(first.created_at).strftime("%Y-%m-%d %H:%M:%S")
    assert rows[2][DATE] == local


def test_the_xlsx_has_typed_cells_and_a_frozen_header_row(staff_client, reseller):
    order = make_order(reseller, lines=2, discount_total=Decimal("-5.00"))

    response, body = download(staff_client, reseller_export_url(reseller, "xlsx"))

    assert response.status_code == 200
    assert response["Content-Type"] == (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    sheet = xlsx_sheet(body)
    assert sheet.freeze_panes == "A2"
    rows = list(sheet.iter_rows(values_only=True))
    assert list(rows[0]) == headers()
    assert len(rows) == 1 + 2
    first_line = rows[1]
    assert first_line[NUMBER] == order.number
    assert isinstance(first_line[DATE], datetime)
    assert first_line[DATE] == timezone.localtime(order.created_at).replace(
        tzinfo=None, microsecond=first_line[DATE].microsecond
    )
    for index in (SUBTOTAL, TOTAL, UNIT_PRICE, LINE_TOTAL, DISCOUNTS):
        assert isinstance(first_line[index], int | float), HEADER[index]
    assert first_line[DISCOUNTS] == -5
    assert first_line[QUANTITY] == 2 and isinstance(first_line[QUANTITY], int)
    assert first_line[LINE_TOTAL] == 5
    cells = list(sheet.iter_rows(min_row=2, max_row=2))[0]
    assert cells[TOTAL].number_format == "#,##0.00"
    assert cells[DATE].is_date
    # The same styled cell object is reused row after row: each row keeps its own values.
    assert [row[SKU] for row in rows[1:]] == [f"SKU-{order.pk}-0", f"SKU-{order.pk}-1"]
    assert [row[LINE_TOTAL] for row in rows[1:]] == [5, 7.5]


def test_times_are_written_in_the_site_time_zone(staff_client, reseller, settings):
    settings.TIME_ZONE = "America/New_York"
    order = make_order(reseller)
    Order.objects.filter(pk=order.pk).update(created_at=datetime(2026, 1, 15, 3, 30, tzinfo=UTC))

    _, csv_body = download(staff_client, reseller_export_url(reseller, "csv"))
    _, xlsx_body = download(staff_client, reseller_export_url(reseller, "xlsx"))

    rows = csv_rows(csv_body)
    assert rows[0][DATE] == "Date (America/New_York)"
    assert rows[1][DATE] == "2026-01-14 22:30:00"
    assert xlsx_rows(xlsx_body)[1][DATE] == datetime(2026, 1, 14, 22, 30)


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_formula_looking_text_comes_out_inert_and_numbers_stay_numbers(staff_client, reseller, fmt):
    order = make_order(
        reseller,
        lines=0,
        reference_number=EVIL,
        ship_name="@SUM(A1:A9)",
        ship_company="-5",
        ship_address_line2="+1 (555) 0100",
        ship_city="\tTabbed",
        ship_state="\rReturned",
        note="=1+1",
        discount_total=Decimal("-5.00"),
        total=Decimal("5.00"),
    )
    OrderLineFactory(order=order, sku="=cmd|' /C calc'!A0", title="-2+3", quantity=1)

    _, body = download(staff_client, reseller_export_url(reseller, fmt))

    row = (csv_rows(body) if fmt == "csv" else xlsx_rows(body))[1]
    assert row[REFERENCE] == "'" + EVIL
    assert row[SHIP_NAME] == "'@SUM(A1:A9)"
    assert row[HEADER.index("Ship-to company")] == "'-5"
    assert row[HEADER.index("Address line 2")] == "'+1 (555) 0100"
    assert row[HEADER.index("City")] == "'\tTabbed"
    assert row[NOTE] == "'=1+1"
    assert row[SKU] == "'=cmd|' /C calc'!A0"
    assert row[TITLE] == "'-2+3"
    if fmt == "csv":
        assert row[HEADER.index("State")] == "'\rReturned"
        assert row[DISCOUNTS] == "-5.00"  # a number: no quote
    else:
        assert row[DISCOUNTS] == -5
        sheet = xlsx_sheet(body)
        assert not any(cell.data_type == "f" for cell in sheet[2]), "no cell holds a formula"


def test_control_characters_are_dropped_from_xlsx_instead_of_failing_the_export(
    staff_client, reseller
):
    make_order(reseller, note="Ring\x07 the bell\x0b twice")

    response, body = download(staff_client, reseller_export_url(reseller, "xlsx"))

    assert response.status_code == 200
    assert xlsx_rows(body)[1][NOTE] == "Ring the bell twice"


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_an_order_without_lines_still_gets_one_row(staff_client, reseller, fmt):
    bare = make_order(reseller, lines=0)
    make_order(reseller, lines=2)

    _, body = download(staff_client, reseller_export_url(reseller, fmt))

    rows = csv_rows(body) if fmt == "csv" else xlsx_rows(body)
    assert len(rows) == 1 + 1 + 2
    bare_rows = [row for row in rows[1:] if row[NUMBER] == bare.number]
    assert len(bare_rows) == 1
    assert all(value in ("", None) for value in bare_rows[0][SKU:])


def test_lines_of_orders_missing_from_the_order_stream_are_skipped(
    monkeypatch, reseller, other_reseller_with_user
):
    """The two export queries run a moment apart; the merge must cope with an order that is in
    the line stream but not in the order stream (placed in between, or filtered out)."""
    from orders import export
    from orders.selectors import order_list

    other, _ = other_reseller_with_user
    make_order(other, lines=2)
    older = make_order(reseller, lines=2)
    make_order(other, lines=1)
    empty = make_order(reseller, lines=0)
    make_order(other, lines=3)
    newest = make_order(reseller, lines=1)
    make_order(other, lines=2)
    every_line = export.line_rows_queryset
    monkeypatch.setattr(
        export, "line_rows_queryset", lambda orders: every_line(Order.objects.all())
    )

    merged = list(export.orders_with_lines(order_list(reseller=reseller)))

    assert [(values[NUMBER], len(lines)) for values, lines in merged] == [
        (newest.number, 1),
        (empty.number, 0),
        (older.number, 2),
    ]


@pytest.mark.parametrize(
    "text, expected",
    [
        ("=1+1", "'=1+1"),
        ("+1", "'+1"),
        ("-1", "'-1"),
        ("@x", "'@x"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("plain", "plain"),
        ("a=b", "a=b"),
        ("", ""),
    ],
)
def test_neutralise_prefixes_only_text_that_starts_a_formula(text, expected):
    assert neutralise(text) == expected


# --- exactly the filtered orders ---------------------------------------------------------


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_the_export_holds_exactly_the_orders_the_filters_select(staff_client, reseller, fmt):
    wanted = make_order(reseller, status="on_hold", source="api")
    wrong_status = make_order(reseller, status="open", source="api")
    wrong_source = make_order(reseller, status="on_hold", source="portal")
    too_old = make_order(reseller, status="on_hold", source="api")
    Order.objects.filter(pk=too_old.pk).update(created_at=timezone.now() - timedelta(days=40))
    today = timezone.localdate().isoformat()

    _, body = download(
        staff_client,
        reseller_export_url(reseller, fmt),
        {"status": "on_hold", "source": "api", "created_from": today, "created_to": today},
    )

    rows = csv_rows(body) if fmt == "csv" else xlsx_rows(body)
    assert exported_numbers(rows) == {wanted.number}
    assert not {wrong_status.number, wrong_source.number, too_old.number} & exported_numbers(rows)


def test_the_reference_or_sku_search_filters_the_export_too(staff_client, reseller):
    wanted = make_order(reseller)
    OrderLineFactory(order=wanted, sku="FIND-ME")
    make_order(reseller)

    _, body = download(staff_client, reseller_export_url(reseller, "csv"), {"q": "find-me"})

    rows = csv_rows(body)
    assert exported_numbers(rows) == {wanted.number}
    assert len(rows) == 1 + 2  # every line of the matching order, not only the matching line


def test_the_resellers_export_leaves_out_other_resellers(
    staff_client, reseller, other_reseller_with_user
):
    mine = make_order(reseller)
    theirs = make_order(other_reseller_with_user[0])

    _, body = download(staff_client, reseller_export_url(reseller, "csv"))

    assert exported_numbers(csv_rows(body)) == {mine.number}
    assert theirs.number not in body.decode("utf-8-sig")


def test_the_all_orders_export_has_every_resellers_orders_and_applies_the_filters(
    staff_client, reseller, other_reseller_with_user
):
    mine = make_order(reseller, status="shipped")
    theirs = make_order(other_reseller_with_user[0], status="shipped")
    make_order(reseller, status="open")

    response, body = download(
        staff_client,
        reverse("backoffice:order_export", kwargs={"fmt": "csv"}),
        {"status": "shipped"},
    )

    assert exported_numbers(csv_rows(body)) == {mine.number, theirs.number}
    today = timezone.localdate().isoformat()
    assert f'filename="all-orders-{today}.csv"' in response["Content-Disposition"]


def test_the_file_name_names_the_reseller_and_the_date(staff_client, reseller):
    reseller.company_name = "Acme Outfitters"
    reseller.save(update_fields=["company_name"])
    today = timezone.localdate().isoformat()

    for fmt in ("csv", "xlsx"):
        response, _ = download(staff_client, reseller_export_url(reseller, fmt))
        disposition = response["Content-Disposition"]
        assert disposition.startswith("attachment")
        assert f'filename="orders-acme-outfitters-{today}.{fmt}"' in disposition
        assert "no-store" in response["Cache-Control"]


@pytest.mark.parametrize(
    "params",
    [{"created_from": "not-a-date"}, {"status": "lost"}, {"source": "fax"}],
)
@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_invalid_filters_get_a_400_with_a_clear_message(staff_client, reseller, params, fmt):
    response = staff_client.get(reseller_export_url(reseller, fmt), params)

    assert response.status_code == 400
    message = response.content.decode()
    assert "The export filters are not valid" in message
    assert "Correct them on the orders page" in message


def test_an_unknown_reseller_is_a_404(staff_client):
    response = staff_client.get(
        reverse("backoffice:reseller_orders_export", kwargs={"pk": 999999, "fmt": "csv"})
    )
    assert response.status_code == 404


def test_an_unknown_format_has_no_url(staff_client):
    assert staff_client.get("/backoffice/orders/export.pdf").status_code == 404


# --- who may export ----------------------------------------------------------------------


def staff_export_urls(reseller) -> list[str]:
    return [
        reverse(name, kwargs={**kwargs, "fmt": fmt})
        for fmt in ("csv", "xlsx")
        for name, kwargs in (
            ("backoffice:order_export", {}),
            ("backoffice:reseller_orders_export", {"pk": reseller.pk}),
        )
    ]


def test_a_reseller_gets_403_on_the_staff_exports(reseller_client, reseller):
    make_order(reseller)
    for url in staff_export_urls(reseller):
        assert reseller_client.get(url).status_code == 403, url


def test_an_anonymous_visitor_is_sent_to_log_in_from_every_export(client, reseller):
    portal = [reverse("portal:order_export", kwargs={"fmt": fmt}) for fmt in ("csv", "xlsx")]
    for url in [*staff_export_urls(reseller), *portal]:
        response = client.get(url)
        assert response.status_code == 302, url
        assert response.url.startswith(reverse("login")), url


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_the_portal_export_holds_only_the_resellers_own_orders(
    reseller_client, reseller, other_reseller_with_user, fmt
):
    mine = make_order(reseller, lines=2)
    other, _ = other_reseller_with_user
    theirs = [make_order(other, lines=1) for _ in range(3)]

    response, body = download(reseller_client, reverse("portal:order_export", kwargs={"fmt": fmt}))

    assert response.status_code == 200
    rows = csv_rows(body) if fmt == "csv" else xlsx_rows(body)
    assert exported_numbers(rows) == {mine.number}
    assert len(rows) == 1 + 2
    assert not {order.number for order in theirs} & exported_numbers(rows)


def test_the_portal_export_applies_the_filters(reseller_client, reseller):
    shipped = make_order(reseller, status="shipped")
    make_order(reseller, status="open")

    _, body = download(
        reseller_client,
        reverse("portal:order_export", kwargs={"fmt": "csv"}),
        {"status": "shipped"},
    )

    assert exported_numbers(csv_rows(body)) == {shipped.number}


def test_another_resellers_user_cannot_reach_my_orders_through_the_portal_export(
    client, reseller, other_reseller_with_user
):
    mine = make_order(reseller)
    _, other_user = other_reseller_with_user
    client.force_login(other_user)

    _, body = download(client, reverse("portal:order_export", kwargs={"fmt": "csv"}))

    assert mine.number not in body.decode("utf-8-sig")
    assert len(csv_rows(body)) == 1  # just the header


def test_staff_have_no_portal_export(staff_client):
    response = staff_client.get(reverse("portal:order_export", kwargs={"fmt": "csv"}))
    assert response.status_code == 403


# --- efficiency --------------------------------------------------------------------------


def seed_orders(reseller, *, orders: int, lines: int) -> None:
    for _ in range(orders):
        make_order(reseller, lines=lines)


def count_export_queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        response, _ = download(client, url)
    assert response.status_code == 200
    return len(captured)


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_the_query_count_does_not_grow_with_the_number_of_orders(
    staff_client, reseller, django_assert_max_num_queries, fmt
):
    url = reseller_export_url(reseller, fmt)
    seed_orders(reseller, orders=2, lines=1)
    small = count_export_queries(staff_client, url)
    seed_orders(reseller, orders=25, lines=4)
    with django_assert_max_num_queries(small):
        response, body = download(staff_client, url)
    rows = csv_rows(body) if fmt == "csv" else xlsx_rows(body)
    assert len(rows) == 1 + 2 + 25 * 4
    # Session, user, reseller, the line count that decides instant or background, then one
    # query each for the orders, their lines and their shipments (carrier, tracking numbers).
    # On PostgreSQL the CSV is one COPY instead (not counted by Django) in its own transaction
    # (savepoint, set_config of its sort memory, release): also 7.
    assert small == 7


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_the_portal_export_query_count_does_not_grow_either(
    reseller_client, reseller, django_assert_max_num_queries, fmt
):
    url = reverse("portal:order_export", kwargs={"fmt": fmt})
    seed_orders(reseller, orders=1, lines=1)
    small = count_export_queries(reseller_client, url)
    seed_orders(reseller, orders=20, lines=3)
    with django_assert_max_num_queries(small):
        response, body = download(reseller_client, url)
    rows = csv_rows(body) if fmt == "csv" else xlsx_rows(body)
    assert len(rows) == 1 + 1 + 20 * 3


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_the_all_orders_export_query_count_does_not_grow_either(
    staff_client, reseller, other_reseller_with_user, django_assert_max_num_queries, fmt
):
    url = reverse("backoffice:order_export", kwargs={"fmt": fmt})
    other, _ = other_reseller_with_user
    seed_orders(reseller, orders=1, lines=1)
    small = count_export_queries(staff_client, url)
    seed_orders(reseller, orders=15, lines=3)
    seed_orders(other, orders=15, lines=2)
    with django_assert_max_num_queries(small):
        response, body = download(staff_client, url)
    rows = csv_rows(body) if fmt == "csv" else xlsx_rows(body)
    assert len(rows) == 1 + 1 + 15 * 3 + 15 * 2


def test_the_xlsx_temporary_file_is_removed_once_sent(staff_client, reseller, monkeypatch):
    from exports import views as export_views

    files = []
    original = export_views.xlsx_file

    def spy(orders):
        files.append(original(orders))
        return files[-1]

    monkeypatch.setattr(export_views, "xlsx_file", spy)
    make_order(reseller)

    response = staff_client.get(reseller_export_url(reseller, "xlsx"))
    assert os.path.exists(files[0].name)
    body = b"".join(response.streaming_content)  # the test client closes it at the end

    assert xlsx_rows(body)[1][NUMBER]
    assert not os.path.exists(files[0].name)


# --- the buttons -------------------------------------------------------------------------


def test_the_list_pages_offer_both_exports_with_the_current_filters(staff_client, client, reseller):
    _, reseller_user = make_reseller_user(channel=reseller.channel, company_name="Buttons Co")
    make_order(reseller)
    pages = [
        (staff_client, reverse("backoffice:order_list")),
        (staff_client, reverse("backoffice:reseller_orders", args=[reseller.pk])),
    ]
    for http, page in pages:
        html = http.get(page, {"status": "open", "page": "1"}).content.decode()
        assert "Export CSV" in html and "Export XLSX" in html, page
        assert f'href="{page}export.csv?status=open"' in html, page
        assert f'href="{page}export.xlsx?status=open"' in html, page

    client.force_login(reseller_user)
    page = reverse("portal:order_list")
    html = client.get(page, {"source": "api", "status": "open"}).content.decode()
    assert f'href="{page}export.csv?source=api&amp;status=open"' in html
    assert f'href="{page}export.xlsx?source=api&amp;status=open"' in html


def test_the_export_links_lead_to_the_matching_export(staff_client, reseller):
    wanted = make_order(reseller, status="open")
    make_order(reseller, status="shipped")
    page = reverse("backoffice:reseller_orders", args=[reseller.pk])
    html = staff_client.get(page, {"status": "open"}).content.decode()
    href = html[html.index(f"{page}export.csv") :].split('"')[0].replace("&amp;", "&")

    _, body = download(staff_client, href)

    assert exported_numbers(csv_rows(body)) == {wanted.number}
