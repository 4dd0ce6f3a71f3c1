"""The product feed: one column list behind the portal downloads, the feed URL and the API.

Rows come from one `values_list(...).iterator()` query (a server-side cursor on PostgreSQL),
so memory stays flat however large the catalog; measured with `make bench`. Text cells are
neutralised against formula injection with the order export's helper, in CSV and XLSX alike.
"""

from __future__ import annotations

import csv
import hashlib
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import IO, Any

from django.db.models import Count, F, Max, QuerySet, Value
from django.db.models.expressions import Combinable
from django.db.models.functions import Greatest
from django.utils import timezone
from django.utils.text import slugify
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from channels.models import Channel, Listing
from orders.export import neutralise

CHUNK_SIZE = 2_000
CSV_ROWS_PER_CHUNK = 500


@dataclass(frozen=True)
class FeedColumn:
    name: str
    source: str | Combinable  # a Listing lookup or expression
    kind: str  # text, money, decimal, integer, boolean, datetime
    width: int = 12


COLUMNS: tuple[FeedColumn, ...] = (
    FeedColumn("sku", "product__sku", "text", 16),
    FeedColumn("title", "product__title", "text", 32),
    FeedColumn("description", "product__description", "text", 48),
    FeedColumn("price", "price", "money"),
    FeedColumn("msrp", "product__msrp", "money"),
    # Product.available in SQL: on hand minus reserved, never below zero (backorders).
    FeedColumn(
        "quantity_available",
        Greatest(F("product__stock") - F("product__reserved"), Value(0)),
        "integer",
        18,
    ),
    FeedColumn("weight", "product__weight", "decimal"),
    FeedColumn("active", "is_active", "boolean", 8),
    FeedColumn("updated_at", "updated_at", "datetime", 22),
)
HEADER = [column.name for column in COLUMNS]
XLSX_FORMATS = {"money": "#,##0.00", "decimal": "0.000", "datetime": "yyyy-mm-dd hh:mm:ss"}
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_CONTENT_TYPE = "text/csv; charset=utf-8"


def feed_listings(channel: Channel | None) -> QuerySet[Listing]:
    """What the feed lists: the channel's active listings, by SKU."""
    if channel is None:
        return Listing.objects.none()
    return Listing.objects.filter(channel=channel, is_active=True).order_by("product__sku")


def feed_rows(channel: Channel | None) -> Iterator[tuple]:
    return (
        feed_listings(channel)
        .values_list(*(column.source for column in COLUMNS))
        .iterator(chunk_size=CHUNK_SIZE)
    )


@dataclass(frozen=True)
class FeedVersion:
    etag: str
    last_modified: datetime | None


def feed_version(channel: Channel | None) -> FeedVersion:
    """A validator for conditional GETs, from one aggregate query.

    Every change the feed shows moves a listing's updated_at (a price or active flag edit, an
    import, a product edit: see channels.services), so the newest updated_at and the number of
    rows together change whenever the file would; the count catches a deleted listing.
    """
    if channel is None:
        return FeedVersion('"empty"', None)
    summary = Listing.objects.filter(channel=channel, is_active=True).aggregate(
        newest=Max("updated_at"), rows=Count("id")
    )
    newest = summary["newest"]
    seed = f"{channel.pk}:{summary['rows']}:{newest.isoformat() if newest else '-'}:v1"
    return FeedVersion(f'"{hashlib.sha256(seed.encode()).hexdigest()[:32]}"', newest)


def filename(channel: Channel, extension: str) -> str:
    day = timezone.localdate().isoformat()
    return f"products-{slugify(channel.slug) or channel.pk}-{day}.{extension}"


# --- cells ----------------------------------------------------------------------------------


def _text(value: str | None) -> str:
    return neutralise(value) if value else ""


def _utc_iso(value: datetime | None) -> str:
    # Machine-read: ISO 8601 in UTC, whatever the site's time zone. The database hands back
    # UTC already (USE_TZ), so the conversion is usually skipped.
    if value is None:
        return ""
    if value.utcoffset():
        value = value.astimezone(UTC)
    return value.strftime("%Y-%m-%dT%H:%M:%SZ")


def _boolean(value: bool) -> str:
    return "true" if value else "false"


# (column index, converter) for the CSV columns whose database value needs converting;
# numbers pass through untouched (csv writes Decimal and int as plain numbers), which is most
# of what keeps the feed near the speed of COPY.
_CSV_CONVERTERS = [
    (index, {"text": _text, "boolean": _boolean, "datetime": _utc_iso}[column.kind])
    for index, column in enumerate(COLUMNS)
    if column.kind in ("text", "boolean", "datetime")
]


def csv_values(row: tuple) -> list[Any]:
    cells = list(row)
    for index, convert in _CSV_CONVERTERS:
        cells[index] = convert(cells[index])
    return cells


class _Echo:
    def write(self, value: str) -> str:
        return value


def csv_chunks(channel: Channel | None, *, byte_order_mark: bool) -> Iterator[bytes]:
    """The CSV as byte chunks for a StreamingHttpResponse; nothing is queried until the first.

    The portal download carries a UTF-8 byte-order mark (Excel on Windows needs it to read
    accents); the feed URL does not, since tools that fetch URLs mostly do not skip one.
    """
    writer = csv.writer(_Echo())
    buffer = [("\ufeff" if byte_order_mark else "") + writer.writerow(HEADER)]
    rows = feed_rows(channel)
    try:
        for row in rows:
            buffer.append(writer.writerow(csv_values(row)))
            if len(buffer) >= CSV_ROWS_PER_CHUNK:
                yield "".join(buffer).encode()
                buffer.clear()
    finally:
        rows.close()
    if buffer:
        yield "".join(buffer).encode()


def write_xlsx(channel: Channel | None, destination: IO[bytes]) -> None:
    """Typed cells (numbers, booleans, dates) in openpyxl's write-only mode, header frozen."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Products")
    sheet.freeze_panes = "A2"
    for index, column in enumerate(COLUMNS, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = column.width
    bold = Font(bold=True)
    header = []
    for name in HEADER:
        cell = WriteOnlyCell(sheet, value=name)
        cell.font = bold
        header.append(cell)
    sheet.append(header)
    # One formatted cell per number/date column, reused for every row: write-only openpyxl
    # serialises a row as soon as it is appended (see orders.export._styled_cells).
    styled = {}
    for index, column in enumerate(COLUMNS):
        if column.kind in XLSX_FORMATS:
            cell = WriteOnlyCell(sheet)
            cell.number_format = XLSX_FORMATS[column.kind]
            styled[index] = cell
    rows = feed_rows(channel)
    try:
        for row in rows:
            cells: list[Any] = list(row)
            for index, column in enumerate(COLUMNS):
                value = cells[index]
                if column.kind == "text":
                    # openpyxl refuses control characters and would store "=…" as a formula.
                    cells[index] = _text(ILLEGAL_CHARACTERS_RE.sub("", value)) if value else None
                elif column.kind == "datetime" and value is not None:
                    value = value.astimezone(UTC).replace(tzinfo=None)
                    cells[index] = value
                if index in styled and cells[index] is not None:
                    styled[index].value = cells[index]
                    cells[index] = styled[index]
            sheet.append(cells)
    finally:
        rows.close()
    workbook.save(destination)


def xlsx_file(channel: Channel | None) -> IO[bytes]:
    """The workbook in a temporary file on disk, rewound; FileResponse closes (deletes) it."""
    temporary = tempfile.NamedTemporaryFile(prefix="products-feed-", suffix=".xlsx")  # noqa: SIM115
    try:
        write_xlsx(channel, temporary)
        temporary.seek(0)
    except BaseException:
        temporary.close()
        raise
    return temporary
