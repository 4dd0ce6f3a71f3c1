"""Order exports: the CSV (one row per order line) and the two-sheet XLSX (**Orders**, one row
per order; **Lines**, the CSV's rows), from the same filter and the same column definitions.

The column lists below are the only place the export's shape is defined; both writers (and
the PostgreSQL COPY path in `orders/export_copy.py`) read them. The order's money columns are
filled on each order's first line row only, so summing a column gives the real figure.

How rows are fetched: three queries, whatever the size. One reads the *filtered* orders (the
very queryset the list page shows, through the same FilterSet), one the lines of exactly
those orders, one their shipments (for the carrier and tracking columns); all come back as
plain tuples from `.values_list(...).iterator()`, which on PostgreSQL is a server-side
cursor, so memory stays flat however many rows there are. The streams are merged on the
order id. A single JOIN would repeat the ~25 order
columns on every line, and decoding those repeated values (a timestamp in pure Python
above all) cost more than everything else put together; measured with `make bench`.

Decisions worth knowing:
- Orders come newest first by order id (the same order as the list page for any order
  placed through order_place), each order's lines in the order they were entered.
- An order with no lines (order_place never makes one, but the admin could) still gets one
  row, with the line columns empty: the export promises exactly the filtered orders.
- Status, source, payment status and capture mode are written as their labels ("On hold"),
  because people read these files; the filters use the codes.
- Times are in the site's TIME_ZONE, which the header names, e.g. "Date (UTC)".
- CSV is UTF-8 with a byte-order mark: without it Excel on Windows reads UTF-8 as a legacy
  code page and mangles every accented name. Python (`utf-8-sig`), pandas and LibreOffice
  all skip the mark.
- Formula injection (OWASP "CSV injection"), in both formats; see `neutralise`. Numbers are
  typed values and are left alone, so a credit of -5.00 stays the number -5.00. In XLSX this
  matters twice over: openpyxl itself would store a string starting with "=" as a live
  formula.
"""

from __future__ import annotations

import csv
import enum
import functools
import tempfile
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import IO, TYPE_CHECKING, Any

from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.db.models import QuerySet
from django.db.models.constants import LOOKUP_SEP
from django.utils import timezone
from django.utils.text import slugify
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from .choices import CaptureMode, OrderSource, OrderStatus, PaymentStatus
from .models import Order, OrderLine

if TYPE_CHECKING:
    from resellers.models import Reseller

# Rows fetched per round trip from the server-side cursor: large enough that round trips do
# not dominate, small enough that a chunk is a few hundred kilobytes.
CHUNK_SIZE = 2_000
# CSV rows joined into one chunk of the streamed response (about 100 KB), so the WSGI server
# is not handed 100,000 tiny writes.
CSV_ROWS_PER_CHUNK = 500
# Excel's limit per sheet; a sheet that reaches it continues on "Lines (2)".
MAX_SHEET_ROWS = 1_048_576
# Line rows between two progress reports of a background export (one small UPDATE each).
PROGRESS_EVERY = 5_000
# Characters that make a spreadsheet treat text as a formula (OWASP CSV injection).
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
TERMINATOR = "\r\n"  # csv.writer's default, as RFC 4180 asks
CSV_DATETIME_FORMAT = "%Y-%m-%d %H:%M:%S"
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_CONTENT_TYPE = "text/csv; charset=utf-8"


class Kind(enum.Enum):
    TEXT = "text"
    CHOICE = "choice"
    MONEY = "money"
    INTEGER = "integer"
    DATETIME = "datetime"
    DATE = "date"


@dataclass(frozen=True)
class Column:
    """One export column: its header, where the value comes from, and how it is typed.

    `source` is a field path of Order (ORDER_COLUMNS, MONEY_COLUMNS; `reseller__company_name`
    follows the foreign key), of OrderLine (LINE_COLUMNS) or of the shipment model behind
    Order.shipments (SHIPMENT_COLUMNS, aggregated per order). An `optional` column is written
    only when its field exists: invoicing and payments add invoice numbers, due dates, tax and
    captured/refunded amounts to Order, and the export picks them up without another change.
    """

    header: str
    source: str
    kind: Kind = Kind.TEXT
    width: int = 14
    labels: dict[str, str] = field(default_factory=dict)
    optional: bool = False


# XLSX number formats by kind; CSV writes plain numbers and ISO-like local times.
NUMBER_FORMATS: dict[Kind, str] = {
    Kind.MONEY: "#,##0.00",
    Kind.DATETIME: "yyyy-mm-dd hh:mm",
    Kind.DATE: "yyyy-mm-dd",
}


def _choice(header: str, source: str, choices: type[enum.Enum], width: int = 16) -> Column:
    return Column(header, source, Kind.CHOICE, width, {c.value: c.label for c in choices})


# On every row of the CSV and the Lines sheet, and on each row of the Orders sheet.
ORDER_COLUMNS: tuple[Column, ...] = (
    Column("Reseller ID", "reseller_id", Kind.INTEGER, width=10),
    Column("Reseller", "reseller__company_name", width=24),
    Column("Order number", "number", width=13),
    Column("Invoice number", "invoice_number", width=14, optional=True),
    Column("Reference", "reference_number", width=18),
    Column("Date", "created_at", Kind.DATETIME, width=17),
    Column("Due date", "due_date", Kind.DATE, width=11, optional=True),
    _choice("Status", "status", OrderStatus, width=11),
    _choice("Source", "source", OrderSource),
    _choice("Payment status", "payment_status", PaymentStatus, width=20),
    _choice("Capture mode", "capture_mode", CaptureMode, width=22),
    Column("Ship-to name", "ship_name", width=20),
    Column("Ship-to company", "ship_company", width=20),
    Column("Address line 1", "ship_address_line1", width=24),
    Column("Address line 2", "ship_address_line2", width=16),
    Column("City", "ship_city"),
    Column("State", "ship_state", width=8),
    Column("Postal code", "ship_postal_code", width=11),
    Column("Country", "ship_country", width=8),
    Column("Ship-to phone", "ship_phone"),
    Column("Ship-to email", "ship_email", width=22),
    Column("Shipping method", "shipping_method"),
    Column("Note", "note", width=24),
    Column("Currency", "currency", width=9),
)
# The order's shipments (the fulfilment app's, reached through Order.shipments so orders
# imports nothing from above it): every carrier and every tracking number, each joined with
# "; " in shipment order, repeats and empty values dropped. Order-level text like the columns
# above: on every row of the CSV and both sheets. Sources here are Shipment fields; the
# columns are left out when no app adds shipments to orders.
SHIPMENT_COLUMNS: tuple[Column, ...] = (
    Column("Carrier", "carrier", width=12),
    Column("Tracking numbers", "tracking_number", width=24),
)
SHIPMENT_SEPARATOR = "; "
# The order's money: on the Orders sheet's rows, and on only the *first* row of each order in
# the CSV and the Lines sheet (empty on its other rows, as in Shopify's order export), so that
# summing a column gives the real figure instead of counting an order once per line.
MONEY_COLUMNS: tuple[Column, ...] = (
    Column("Subtotal", "subtotal", Kind.MONEY, width=12),
    Column("Shipping", "shipping_total", Kind.MONEY, width=11),
    Column("Fees", "fees_total", Kind.MONEY, width=10),
    Column("Other", "other_total", Kind.MONEY, width=10),
    Column("Tax", "tax", Kind.MONEY, width=10, optional=True),
    Column("Discounts and credits", "discount_total", Kind.MONEY, width=12),
    Column("Total", "total", Kind.MONEY, width=12),
    Column("Captured", "amount_captured", Kind.MONEY, width=12, optional=True),
    Column("Refunded", "amount_refunded", Kind.MONEY, width=12, optional=True),
)
# Sources here are OrderLine fields.
LINE_COLUMNS: tuple[Column, ...] = (
    Column("SKU", "sku", width=16),
    Column("Title", "title", width=30),
    Column("Quantity", "quantity", Kind.INTEGER, width=9),
    Column("Unit price", "unit_price", Kind.MONEY, width=11),
    Column("Line total", "line_total", Kind.MONEY, width=12),
)


def has_field(model: type[models.Model], path: str) -> bool:
    for name in path.split(LOOKUP_SEP):
        try:
            target = model._meta.get_field(name)
        except FieldDoesNotExist:
            return False
        model = target.related_model or model
    return True


@dataclass(frozen=True)
class Layout:
    """The columns this installation writes: the declared ones whose fields exist."""

    order: tuple[Column, ...]
    shipment: tuple[Column, ...]
    money: tuple[Column, ...]
    line: tuple[Column, ...]

    @property
    def order_text(self) -> tuple[Column, ...]:
        """The order's cells written on every row: its own fields, then its shipments'."""
        return self.order + self.shipment

    @property
    def orders_sheet(self) -> tuple[Column, ...]:
        return self.order_text + self.money

    @property
    def lines(self) -> tuple[Column, ...]:
        """The CSV's columns, and the Lines sheet's."""
        return self.order_text + self.money + self.line


def shipment_model() -> type[models.Model] | None:
    """The model behind Order.shipments, or None when no installed app adds it."""
    try:
        return Order._meta.get_field("shipments").related_model
    except FieldDoesNotExist:
        return None


@functools.cache
def layout() -> Layout:
    def present(columns: tuple[Column, ...], model: type[models.Model]) -> tuple[Column, ...]:
        return tuple(c for c in columns if not c.optional or has_field(model, c.source))

    return Layout(
        order=present(ORDER_COLUMNS, Order),
        shipment=SHIPMENT_COLUMNS if shipment_model() is not None else (),
        money=present(MONEY_COLUMNS, Order),
        line=present(LINE_COLUMNS, OrderLine),
    )


def headers(columns: tuple[Column, ...] | None = None) -> list[str]:
    """Header cells; the CSV's (and the Lines sheet's) when no columns are given."""
    zone = timezone.get_default_timezone_name()
    return [
        f"{c.header} ({zone})" if c.kind is Kind.DATETIME else c.header
        for c in (layout().lines if columns is None else columns)
    ]


# Every character NFKC folds to a trigger (or to text starting with one): full-width ＝＋－＠,
# small ﹦﹢﹣﹫, super/subscript ⁺⁼₊₌, ⩵ ⩶ ﬩. A spreadsheet, or whatever normalises the text
# on the way, may read them as the ASCII ones. Listed, not computed at import (a scan of
# every code point costs most of a second); a test recomputes it.
TRIGGER_CHARACTERS = frozenset(
    FORMULA_TRIGGERS
    + tuple(
        "\u207a\u207c\u208a\u208c\u2a75\u2a76\ufb29\ufe62\ufe63\ufe66\ufe6b\uff0b\uff0d\uff1d\uff20"
    )
)
# Where a reader may start a new cell: the separators people pick when opening a CSV
# (comma, semicolon — the default in many European locales — and tab) and line breaks.
CELL_BREAKS = frozenset(",;\t\r\n")


def _skippable(char: str) -> bool:
    """Characters a reader may drop or not see before a cell's first real character:
    whitespace, zero-width and other format characters (ZWSP, BOM, joiners, direction marks),
    other control characters."""
    return char.isspace() or unicodedata.category(char) in ("Cf", "Cc")


def _first_real(text: str, start: int) -> int:
    """Index of the first character from `start` that is not skippable or a double quote (a
    reader whose separator does not match ours may take it for a text delimiter)."""
    index = start
    while index < len(text) and (
        (_skippable(text[index]) and text[index] not in TRIGGER_CHARACTERS) or text[index] == '"'
    ):
        index += 1
    return index


def neutralise(text: str) -> str:
    """Make user-entered text inert in a spreadsheet: no cell a reader can make of it starts
    a formula.

    - Leading: if the first character that is not whitespace, invisible (ZWSP, BOM, …) or a
      double quote is a trigger (= + - @ tab CR, or anything NFKC folds to one, such as
      full-width ＝), the text gets a leading single quote, the spreadsheet convention for
      "this is text".
    - Inside: opened with a separator other than the one we wrote (LibreOffice with ";" for
      our "," file), `x;=HYPERLINK(…)` becomes two cells, the second a live formula; our
      quoting no longer applies because the reader splits on the other character. So wherever
      a comma, semicolon, tab or line break is followed (after whitespace, invisible
      characters or double quotes, which a reader strips as a text delimiter) by a trigger, a
      single quote goes right before that trigger: `x;'=HYPERLINK(…)`. The cell still reads
      as what was typed, with one visible apostrophe.
    """
    if not text:
        return text
    insert_at: list[int] = []
    for index, char in enumerate(text):
        if char in CELL_BREAKS:
            first = _first_real(text, index + 1)
            if first < len(text) and text[first] in TRIGGER_CHARACTERS:
                insert_at.append(first)
    if insert_at:
        pieces, previous = [], 0
        for position in sorted(set(insert_at)):
            pieces.append(text[previous:position])
            pieces.append("'")
            previous = position
        pieces.append(text[previous:])
        text = "".join(pieces)
    first = _first_real(text, 0)
    if first < len(text) and text[first] in TRIGGER_CHARACTERS:
        return "'" + text
    return text


def export_filename(*, reseller: Reseller | None, extension: str) -> str:
    """`orders-acme-outfitters-2026-11-27.csv`; `all-orders-2026-11-27.csv` for every reseller.

    The date is today's in the site's time zone, like the times in the file.
    """
    day = timezone.localdate().isoformat()
    if reseller is None:
        return f"all-orders-{day}.{extension}"
    who = slugify(reseller.company_name) or f"reseller-{reseller.pk}"
    return f"orders-{who}-{day}.{extension}"


# --- fetching -------------------------------------------------------------------------------


def order_rows_queryset(orders: QuerySet[Order]) -> QuerySet:
    """(order id, *order columns, *money columns) for exactly the filtered orders, newest first."""
    columns = layout()
    return orders.order_by("-id").values_list(
        "id", *(c.source for c in columns.order + columns.money)
    )


def line_rows_queryset(orders: QuerySet[Order]) -> QuerySet:
    """(order id, *line column values) for the lines of those orders, in the same order."""
    return (
        OrderLine.objects.filter(order__in=orders.order_by().values("id"))
        .order_by("-order_id", "id")
        .values_list("order_id", *(c.source for c in layout().line))
    )


def shipment_rows_queryset(orders: QuerySet[Order]) -> QuerySet | None:
    """(order id, *shipment column values) for the shipments of those orders, in the same
    order, each order's shipments oldest first; None when no app adds shipments to orders."""
    model = shipment_model()
    if model is None:
        return None
    return (
        model.objects.filter(order__in=orders.order_by().values("id"))
        .order_by("-order_id", "id")
        .values_list("order_id", *(c.source for c in layout().shipment))
    )


def _shipment_values(shipments: list[tuple], width: int) -> tuple:
    """One value per shipment column: the order's shipments' values joined with "; ",
    repeats and empty values dropped, first seen first."""
    return tuple(
        SHIPMENT_SEPARATOR.join(dict.fromkeys(row[index] for row in shipments if row[index]))
        for index in range(width)
    )


def export_row_count(orders: QuerySet[Order]) -> int:
    """How many line rows an export of these orders writes: what decides instant or background,
    and the "of N" of a background export's progress."""
    return OrderLine.objects.filter(order__in=orders.order_by().values("id")).count()


def orders_with_lines(orders: QuerySet[Order]) -> Iterator[tuple[tuple, list[tuple]]]:
    """(order values, [line values, ...]) per order, from three streamed queries. The order
    values are the layout's `orders_sheet` cells: order fields, shipment values, money.

    A merge join on the order id, which every stream is sorted by (descending). The queries
    run a moment apart, so an order placed or deleted in between may be in one stream and not
    the other: lines whose order is not in the order stream are skipped, and an order whose
    lines are gone gets one row with empty line columns. Memory holds one order's lines.
    """
    columns = layout()
    split = 1 + len(columns.order)  # the order id, then the order fields, then the money
    width = len(columns.shipment)
    order_stream = order_rows_queryset(orders).iterator(chunk_size=CHUNK_SIZE)
    lines = line_rows_queryset(orders).iterator(chunk_size=CHUNK_SIZE)
    shipment_query = shipment_rows_queryset(orders)
    shipments = iter(()) if shipment_query is None else shipment_query.iterator(CHUNK_SIZE)
    try:
        line = next(lines, None)
        shipment = next(shipments, None)
        for order in order_stream:
            order_id = order[0]
            while line is not None and line[0] > order_id:
                line = next(lines, None)
            order_lines = []
            while line is not None and line[0] == order_id:
                order_lines.append(line[1:])
                line = next(lines, None)
            while shipment is not None and shipment[0] > order_id:
                shipment = next(shipments, None)
            order_shipments = []
            while shipment is not None and shipment[0] == order_id:
                order_shipments.append(shipment[1:])
                shipment = next(shipments, None)
            shipped = _shipment_values(order_shipments, width) if width else ()
            yield order[1:split] + shipped + order[split:], order_lines
    finally:
        # Release the cursors now (also when a download is abandoned half-way), not
        # whenever the generators happen to be collected.
        lines.close()
        order_stream.close()
        if shipment_query is not None:
            shipments.close()


# --- cell values ----------------------------------------------------------------------------


Converter = Callable[[Any], Any]
# Called with the number of line rows written so far (a background export's progress bar).
Progress = Callable[[int], None]


def _converters(columns: tuple[Column, ...], *, for_xlsx: bool) -> list[tuple[int, Converter]]:
    """(column index, function) for each column whose database value needs converting.

    Only text, labels and times need work. Numbers pass through untouched: csv.writer writes
    Decimal and int as plain numbers and None as an empty field, and openpyxl types them
    itself. Skipping those calls is most of what keeps the export near the speed of COPY.
    """
    zone = timezone.get_default_timezone()

    def text(value: str | None) -> str | None:
        if not value:
            # An empty XLSX cell is written as no cell at all, which is also the smaller file.
            return None if for_xlsx else value
        if for_xlsx:
            # openpyxl refuses control characters; one in a note would fail the whole export.
            value = ILLEGAL_CHARACTERS_RE.sub("", value)
        return neutralise(value)

    def moment(value: datetime | None) -> datetime | str | None:
        if value is None:
            return None
        local = timezone.localtime(value, zone) if timezone.is_aware(value) else value
        # Excel has no time zones; openpyxl wants a naive datetime, here in local time.
        return local.replace(tzinfo=None) if for_xlsx else local.strftime(CSV_DATETIME_FORMAT)

    def label_of(labels: dict[str, str]) -> Converter:
        return lambda value: text(labels.get(value, value))

    converters: list[tuple[int, Converter]] = []
    for index, column in enumerate(columns):
        if column.kind is Kind.TEXT:
            converters.append((index, text))
        elif column.kind is Kind.CHOICE:
            converters.append((index, label_of(column.labels)))
        elif column.kind is Kind.DATETIME:
            converters.append((index, moment))
    return converters


def _convert(converters: list[tuple[int, Converter]], values: tuple) -> list[Any]:
    cells = list(values)
    for index, convert in converters:
        cells[index] = convert(cells[index])
    return cells


class _ProgressEvery:
    """Reports progress every `step` line rows, and once more at the end."""

    def __init__(self, progress: Progress | None) -> None:
        self.progress, self.step, self.done = progress, PROGRESS_EVERY, 0
        self.next_report = self.step

    def add(self, rows: int) -> None:
        self.done += rows
        if self.progress is not None and self.done >= self.next_report:
            self.progress(self.done)
            self.next_report = self.done + self.step

    def finish(self) -> None:
        if self.progress is not None:
            self.progress(self.done)


# --- CSV ------------------------------------------------------------------------------------


class _Echo:
    """A file-like object whose write() hands the text back, so csv.writer can stream."""

    def write(self, value: str) -> str:
        return value


def csv_chunks(orders: QuerySet[Order], *, progress: Progress | None = None) -> Iterator[bytes]:
    """The CSV file as byte chunks, for a StreamingHttpResponse or a background job's file.

    Nothing is queried until the first chunk is asked for. The order columns are encoded once
    per order and reused as the prefix of each of its lines (CSV fields are independent, so
    joining encoded pieces with a comma is the same as encoding the whole row). The money
    columns go on the order's first row only.
    """
    columns = layout()
    writer = csv.writer(_Echo())
    order_converters = _converters(columns.order_text, for_xlsx=False)
    line_converters = _converters(columns.line, for_xlsx=False)
    split = len(columns.order_text)
    end = -len(TERMINATOR)
    no_money = "," * len(columns.money)  # n empty fields and the comma before the line columns
    no_line = writer.writerow([None] * len(columns.line))
    counter = _ProgressEvery(progress)
    buffer = ["\ufeff" + writer.writerow(headers())]
    for order, lines in orders_with_lines(orders):
        order_text = writer.writerow(_convert(order_converters, order[:split]))[:end] + ","
        first = order_text + writer.writerow(order[split:])[:end] + ","
        if not lines:
            buffer.append(first + no_line)
        for index, line in enumerate(lines):
            prefix = first if index == 0 else order_text + no_money
            buffer.append(prefix + writer.writerow(_convert(line_converters, line)))
        counter.add(len(lines))
        if len(buffer) >= CSV_ROWS_PER_CHUNK:
            yield "".join(buffer).encode()
            buffer.clear()
    if buffer:
        yield "".join(buffer).encode()
    counter.finish()


# --- XLSX -----------------------------------------------------------------------------------


class _Sheets:
    """One logical sheet (Orders, Lines) that continues on "Lines (2)", "Lines (3)"… when it
    reaches Excel's row limit, each part with the header row, frozen and filterable."""

    def __init__(self, workbook: Workbook, title: str, columns: tuple[Column, ...]) -> None:
        self.workbook, self.title, self.columns = workbook, title, columns
        self.parts: list[tuple[Any, int]] = []
        self.bold = Font(bold=True)
        self.styled: dict[int, WriteOnlyCell] = {}
        self._open()

    def _open(self) -> None:
        number = len(self.parts) + 1
        title = self.title if number == 1 else f"{self.title} ({number})"
        sheet = self.workbook.create_sheet(title)
        # Frozen panes and column widths must be set before the first row in write-only mode.
        sheet.freeze_panes = "A2"
        for index, column in enumerate(self.columns, start=1):
            sheet.column_dimensions[get_column_letter(index)].width = column.width
        header_cells = []
        for title in headers(self.columns):
            cell = WriteOnlyCell(sheet, value=title)
            cell.font = self.bold
            header_cells.append(cell)
        sheet.append(header_cells)
        if not self.styled:
            self.styled = _styled_cells(sheet, self.columns)
        self.sheet, self.rows = sheet, 1
        self.parts.append((sheet, 1))

    def append(self, values: list[Any]) -> None:
        if self.rows >= MAX_SHEET_ROWS:
            self._close_part()
            self._open()
        self.sheet.append(_typed(self.styled, values))
        self.rows += 1

    def _close_part(self) -> None:
        self.parts[-1] = (self.sheet, self.rows)

    def finish(self) -> None:
        """Autofilter over each part's rows (write-only sheets write it when saved)."""
        self._close_part()
        last_column = get_column_letter(len(self.columns))
        for sheet, rows in self.parts:
            sheet.auto_filter.ref = f"A1:{last_column}{rows}"


def write_xlsx(
    orders: QuerySet[Order], destination: IO[bytes], *, progress: Progress | None = None
) -> None:
    """Write the two-sheet workbook into `destination` (a binary file) in openpyxl's write-only
    mode, which holds one row per sheet in memory at a time. One pass over the orders fills
    both sheets: **Orders** (one row per order) and **Lines** (the CSV's rows)."""
    columns = layout()
    workbook = Workbook(write_only=True)
    order_sheet = _Sheets(workbook, "Orders", columns.orders_sheet)
    line_sheet = _Sheets(workbook, "Lines", columns.lines)
    order_converters = _converters(columns.order_text, for_xlsx=True)
    line_converters = _converters(columns.line, for_xlsx=True)
    split = len(columns.order_text)
    no_money = [None] * len(columns.money)
    no_line = [None] * len(columns.line)
    counter = _ProgressEvery(progress)
    for order, lines in orders_with_lines(orders):
        order_cells = _convert(order_converters, order[:split])
        money = list(order[split:])
        order_sheet.append(order_cells + money)
        if not lines:
            line_sheet.append(order_cells + money + no_line)
        for index, line in enumerate(lines):
            line_sheet.append(
                order_cells + (money if index == 0 else no_money) + _convert(line_converters, line)
            )
        counter.add(len(lines))
    order_sheet.finish()
    line_sheet.finish()
    workbook.save(destination)
    counter.finish()


def _styled_cells(sheet: Any, columns: tuple[Column, ...]) -> dict[int, WriteOnlyCell]:
    """One number-formatted cell per money or date column, reused for every row.

    Write-only openpyxl serialises a row as soon as it is appended, so a cell object can carry
    the next row's value afterwards; formatting a fresh cell per value would cost about a
    third of the export time.
    """
    styled = {}
    for index, column in enumerate(columns):
        if column.kind in NUMBER_FORMATS:
            cell = WriteOnlyCell(sheet)
            cell.number_format = NUMBER_FORMATS[column.kind]
            styled[index] = cell
    return styled


def _typed(styled: dict[int, WriteOnlyCell], values: list[Any]) -> list[Any]:
    for index, cell in styled.items():
        value = values[index]
        if value is not None:
            cell.value = value
            values[index] = cell
    return values


def xlsx_file(orders: QuerySet[Order], *, progress: Progress | None = None) -> IO[bytes]:
    """The workbook in a temporary file, rewound and ready to stream or store.

    The file lives on disk (not in memory) and disappears when it is closed, which
    FileResponse does once the download has been sent.
    """
    temporary = tempfile.NamedTemporaryFile(prefix="orders-export-", suffix=".xlsx")  # noqa: SIM115
    try:
        write_xlsx(orders, temporary, progress=progress)
        temporary.seek(0)
    except BaseException:
        temporary.close()
        raise
    return temporary
