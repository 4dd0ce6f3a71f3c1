from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.db import IntegrityError, connection, models, transaction
from django.db.models import Case, F, Value, When
from django.db.models.functions import Greatest
from django.utils import timezone

from accounts.models import User
from core.concurrency import version_check
from core.services import assign_changed

from .choices import StockAdjustmentKind
from .exceptions import (
    CatalogError,
    ImportRowError,
    InsufficientStock,
    ListingImportError,
    Shortfall,
    StockImportError,
)
from .models import Channel, Listing, Product, StockAdjustment

CHANNEL_FIELDS = (
    "name",
    "slug",
    "currency",
    "is_active",
    "is_default",
    "stock_policy",
    "cancel_window_hours",
)
# Stock on hand is not among them: it changes through product_stock_set, which records it.
PRODUCT_FIELDS = ("sku", "title", "description", "cost", "msrp", "weight")
LISTING_FIELDS = ("channel", "product", "price", "is_active")
# Product fields resellers' product feeds show. Changing one moves the product's listings'
# updated_at, so an incremental read (`GET /api/v1/products?updated_since=`) sees it.
FEED_PRODUCT_FIELDS = frozenset({"sku", "title", "description", "msrp", "weight", "stock"})

# Imports are validated and saved in one transaction; a cap keeps that transaction short.
MAX_IMPORT_ROWS = 10_000
MAX_PRICE = Decimal("9999999999.99")  # what Listing.price (12 digits, 2 places) can hold
MAX_STOCK = 2_147_483_647  # what a PositiveIntegerField holds on every database
TRUE_WORDS = frozenset({"1", "true", "yes", "y", "active"})
FALSE_WORDS = frozenset({"0", "false", "no", "n", "inactive"})
IMPORT_COLUMNS = ("sku", "price", "active")


@transaction.atomic
def channel_save(
    *, channel: Channel | None = None, data: dict, expected_version: int | None = None
) -> Channel:
    """Create or update a channel. Making one the default clears the flag on the others.

    `expected_version` is the version the edit form was drawn from; a change since then
    raises StaleEdit and nothing is saved.
    """
    if channel is None or channel.pk is None:
        channel = channel or Channel()
    else:
        channel = Channel.objects.select_for_update().get(pk=channel.pk)
        version_check(channel, expected_version, noun="channel")
        changed = [name for name in CHANNEL_FIELDS if name in data]
        if not any(getattr(channel, name) != data[name] for name in changed):
            return channel
        channel.version += 1
    if data.get("is_default"):
        # Lock the current default so two staff members cannot both make a new default.
        list(Channel.objects.select_for_update().filter(is_default=True))
        # The old default's version moves too: its own stale form would make it default again.
        Channel.objects.filter(is_default=True).exclude(pk=channel.pk).update(
            is_default=False, version=F("version") + 1
        )
    for name in CHANNEL_FIELDS:
        if name in data:
            setattr(channel, name, data[name])
    channel.save()
    return channel


@transaction.atomic
def product_save(
    *,
    product: Product | None = None,
    data: dict,
    expected_version: int | None = None,
    actor: User | None = None,
) -> Product:
    """Create a product, or update the given one with the fields present in `data`.

    `expected_version` is the version the edit form was drawn from; a change since then
    raises StaleEdit and nothing is saved. A changed stock on hand goes through
    product_stock_set (recorded as an adjustment); any change moves the product's listings in
    the product feed.
    """
    if product is None or product.pk is None:
        product = Product(
            **{name: data[name] for name in (*PRODUCT_FIELDS, "stock") if name in data}
        )
        try:
            with transaction.atomic():
                product.save()
        except IntegrityError as error:
            # Two staff members created the same SKU at once; the unique index caught it.
            raise CatalogError(f"A product with SKU “{product.sku}” already exists.") from error
        return product
    locked = Product.objects.select_for_update().get(pk=product.pk)
    version_check(locked, expected_version, noun="product")
    changed = assign_changed(locked, data, PRODUCT_FIELDS)
    if changed:
        locked.version += 1
        try:
            with transaction.atomic():
                locked.save(update_fields=[*changed, "version", "updated_at"])
        except IntegrityError as error:
            raise CatalogError(f"A product with SKU “{locked.sku}” already exists.") from error
        if FEED_PRODUCT_FIELDS.intersection(changed):
            listings_touch(product_ids=[locked.pk])
    if "stock" in data and data["stock"] != locked.stock:
        locked = product_stock_set(product=locked, stock=data["stock"], actor=actor)
    return locked


@transaction.atomic
def listing_save(
    *, listing: Listing | None = None, data: dict, expected_version: int | None = None
) -> Listing:
    """Create a listing (a product on a channel at a price), or update the given one.

    `expected_version` is the version the edit form was drawn from; a change since then (an
    edit or a CSV import) raises StaleEdit and nothing is saved.
    """
    if listing is None or listing.pk is None:
        target = Listing(**{name: data[name] for name in LISTING_FIELDS if name in data})
        changed: list[str] = []
    else:
        target = Listing.objects.select_for_update().get(pk=listing.pk)
        version_check(target, expected_version, noun="listing")
        changed = assign_changed(target, data, LISTING_FIELDS)
        if not changed:
            return target
        target.version += 1
        changed.append("version")
    try:
        with transaction.atomic():
            if target.pk is None:
                target.save()
            else:
                target.save(update_fields=[*changed, "updated_at"])
    except IntegrityError as error:
        # Another request listed the same product on the same channel in the meantime.
        raise CatalogError(
            f"{target.product.sku} is already listed on {target.channel}; edit that listing."
        ) from error
    return target


@dataclass(frozen=True)
class ListingImportResult:
    created: int
    updated: int
    unchanged: int

    @property
    def total(self) -> int:
        return self.created + self.updated + self.unchanged


@dataclass(frozen=True)
class _ImportRow:
    row: int
    sku: str
    price: Decimal
    is_active: bool | None  # None: the file did not say, keep what the listing has


def _parse_price(raw: str) -> Decimal | str:
    """The price, or a message saying what is wrong with it."""
    text = raw.strip()
    example = "use digits with at most two decimals, e.g. 12.50"
    if not text:
        return f"Price is missing; {example}."
    try:
        price = Decimal(text)
    except InvalidOperation:
        return f"Price “{text}” is not a number; {example}."
    if not price.is_finite():
        return f"Price “{text}” is not a number; {example}."
    if price < 0:
        return f"Price “{text}” is negative; prices must be 0 or more."
    if price > MAX_PRICE:
        return f"Price “{text}” is too large."
    if price != price.quantize(Decimal("0.01")):
        return f"Price “{text}” has more than two decimals; {example}."
    return price.quantize(Decimal("0.01"))


def _parse_active(raw: str) -> bool | None | str:
    word = raw.strip().lower()
    if not word:
        return None
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    return f"Active “{raw.strip()}” is not understood; use yes or no (or true/false, 1/0)."


def _cell(cells: list[str], columns: dict[str, int], name: str) -> str:
    index = columns.get(name)
    return cells[index] if index is not None and index < len(cells) else ""


def _read_rows(text: str) -> tuple[list[_ImportRow], list[ImportRowError]]:
    """Parse `sku,price[,active]` rows; a header row naming the columns is optional."""
    errors: list[ImportRowError] = []
    rows: list[_ImportRow] = []
    first_seen: dict[str, int] = {}
    columns = {"sku": 0, "price": 1, "active": 2}
    header_checked = False
    data_rows = 0
    reader = csv.reader(io.StringIO(text))
    row_number = 0
    while True:
        row_number += 1
        try:
            cells = next(reader)
        except StopIteration:
            break
        except csv.Error as error:
            errors.append(ImportRowError(row_number, "", f"This is not valid CSV: {error}."))
            break
        if not any(cell.strip() for cell in cells):
            continue
        if not header_checked:
            header_checked = True
            names = [cell.strip().lower() for cell in cells]
            if names and names[0] in IMPORT_COLUMNS and "sku" in names:
                unknown = [name for name in names if name not in IMPORT_COLUMNS]
                if unknown or "price" not in names or len(set(names)) != len(names):
                    errors.append(
                        ImportRowError(
                            row_number,
                            "",
                            "The header must name the columns sku, price and optionally "
                            "active, each once.",
                        )
                    )
                    return rows, errors
                columns = {name: names.index(name) for name in names}
                continue
        data_rows += 1
        if data_rows > MAX_IMPORT_ROWS:
            errors.append(
                ImportRowError(
                    row_number, "", f"A file may hold at most {MAX_IMPORT_ROWS:,} rows; split it."
                )
            )
            break
        if len(cells) > len(IMPORT_COLUMNS) or len(cells) < 2:
            errors.append(
                ImportRowError(
                    row_number,
                    cells[0].strip() if cells else "",
                    f"Expected 2 or 3 columns (sku, price, active); found {len(cells)}.",
                )
            )
            continue

        sku = _cell(cells, columns, "sku").strip()
        problems: list[str] = []
        if not sku:
            problems.append("SKU is missing.")
        elif sku in first_seen:
            problems.append(
                f"SKU “{sku}” already appears on row {first_seen[sku]}; keep one row per SKU."
            )
        else:
            first_seen[sku] = row_number
        price = _parse_price(_cell(cells, columns, "price"))
        if isinstance(price, str):
            problems.append(price)
        active = _parse_active(_cell(cells, columns, "active"))
        if isinstance(active, str):
            problems.append(active)
        if problems:
            errors.extend(ImportRowError(row_number, sku, problem) for problem in problems)
            continue
        rows.append(_ImportRow(row_number, sku, price, active))
    return rows, errors


def _products_by_sku(skus: list[str]) -> dict[str, Product]:
    found: dict[str, Product] = {}
    # Chunked so a long file stays under every database's limit on query parameters.
    for start in range(0, len(skus), 900):
        for product in Product.objects.filter(sku__in=skus[start : start + 900]):
            found[product.sku] = product
    return found


@transaction.atomic
def listing_import_csv(*, channel: Channel, text: str) -> ListingImportResult:
    """Create or update `channel`'s listings from CSV rows `sku,price[,active]`.

    All or nothing: every row is checked first (unknown SKU, bad price, bad active flag,
    a SKU twice) and if any row is wrong, ListingImportError lists them all and nothing is
    saved, so staff fix the file and upload it again instead of untangling half an import.
    A missing or blank active column makes new listings active and leaves existing ones as
    they are.
    """
    # Lock the channel so two imports into it run one after the other; otherwise both could
    # decide a listing is new and the second would fail on the unique (channel, product).
    Channel.objects.select_for_update().filter(pk=channel.pk).first()
    rows, errors = _read_rows(text)
    products = _products_by_sku([row.sku for row in rows])
    for row in rows:
        if row.sku not in products:
            errors.append(ImportRowError(row.row, row.sku, f"Unknown SKU “{row.sku}”."))
    if not rows and not errors:
        errors.append(ImportRowError(1, "", "The file has no rows to import."))
    if errors:
        raise ListingImportError(sorted(errors, key=lambda error: error.row))

    existing = {
        listing.product_id: listing
        for listing in Listing.objects.select_for_update().filter(
            channel=channel, product_id__in=[product.pk for product in products.values()]
        )
    }
    to_create: list[Listing] = []
    to_update: list[Listing] = []
    unchanged = 0
    for row in rows:
        product = products[row.sku]
        listing = existing.get(product.pk)
        if listing is None:
            to_create.append(
                Listing(
                    channel=channel,
                    product=product,
                    price=row.price,
                    is_active=True if row.is_active is None else row.is_active,
                )
            )
            continue
        is_active = listing.is_active if row.is_active is None else row.is_active
        if listing.price == row.price and listing.is_active == is_active:
            unchanged += 1
            continue
        listing.price, listing.is_active = row.price, is_active
        to_update.append(listing)
    Listing.objects.bulk_create(to_create, batch_size=500)
    if to_update:
        now = timezone.now()
        for listing in to_update:
            listing.updated_at = now
            listing.version += 1  # an edit form opened before the import must not undo it
        Listing.objects.bulk_update(
            to_update, ["price", "is_active", "version", "updated_at"], batch_size=500
        )
    return ListingImportResult(created=len(to_create), updated=len(to_update), unchanged=unchanged)


# --- Stock ------------------------------------------------------------------------------


@dataclass(frozen=True)
class StockRequest:
    position: int  # the caller's index of the line, echoed back in a Shortfall
    product_id: int
    sku: str
    quantity: int


def listings_touch(*, product_ids: list[int]) -> None:
    """Move `updated_at` of every listing of these products: their price or availability
    changed, and the product feed (`updated_since`) must hand them out again."""
    if product_ids:
        Listing.objects.filter(product_id__in=product_ids).update(updated_at=timezone.now())


def stock_reserve(*, requests: list[StockRequest], allow_backorder: bool) -> None:
    """Reserve stock for an order's lines, inside the caller's transaction.

    The race: two orders for the last units, each reading "5 available" and each reserving
    5. One conditional UPDATE (`… SET reserved = reserved + q WHERE stock - reserved >= q`)
    makes the check and the write one statement, so the database serialises them on the row
    and the second order's row no longer matches. One statement for all the order's lines
    (RETURNING the rows it reserved); on PostgreSQL the rows are locked in id order first, so
    two orders for the same products cannot deadlock. On a shortfall the caller's transaction
    rolls back with InsufficientStock, so nothing stays reserved.
    """
    if not requests:
        return
    quantities: dict[int, int] = {}
    for request in requests:
        quantities[request.product_id] = quantities.get(request.product_id, 0) + request.quantity
    ids = sorted(quantities)
    table = connection.ops.quote_name(Product._meta.db_table)
    amount = "CASE id " + " ".join("WHEN %s THEN %s" for _ in ids) + " END"
    amount_params = [value for product_id in ids for value in (product_id, quantities[product_id])]
    id_list = ", ".join("%s" for _ in ids)
    # Only placeholders and the model's own table name are formatted into the SQL (S608).
    if connection.vendor == "postgresql":
        target = f"SELECT id FROM {table} WHERE id IN ({id_list}) ORDER BY id FOR UPDATE"  # noqa: S608
    else:  # SQLite locks the whole database for a write; there is no row order to keep
        target = id_list
    sql = (
        f"UPDATE {table} SET reserved = reserved + {amount}, updated_at = %s WHERE id IN ({target})"  # noqa: S608, E501
    )
    params = [*amount_params, timezone.now(), *ids]
    if not allow_backorder:
        sql += f" AND stock - reserved >= {amount}"
        params += amount_params
    with connection.cursor() as cursor:
        cursor.execute(sql + " RETURNING id", params)
        reserved = {product_id for (product_id,) in cursor.fetchall()}
    if len(reserved) < len(ids):
        # Rows not reserved were short (or are gone); their columns are unchanged by us.
        current = {
            product_id: max(stock - held, 0)
            for product_id, stock, held in Product.objects.filter(
                pk__in=[product_id for product_id in ids if product_id not in reserved]
            ).values_list("pk", "stock", "reserved")
        }
        raise InsufficientStock(
            [
                Shortfall(
                    position=request.position,
                    sku=request.sku,
                    available=current.get(request.product_id, 0),
                    requested=request.quantity,
                )
                for request in sorted(requests, key=lambda r: r.position)
                if request.product_id not in reserved
            ]
        )
    listings_touch(product_ids=ids)


def _quantities_update(quantities: dict[int, int], **assignments) -> None:
    """One UPDATE per 500 products: each column minus that product's quantity, floored at 0."""
    product_ids = sorted(product_id for product_id, quantity in quantities.items() if quantity)
    now = timezone.now()
    for start in range(0, len(product_ids), 500):
        chunk = product_ids[start : start + 500]
        amount = Case(
            *[When(pk=product_id, then=Value(quantities[product_id])) for product_id in chunk],
            default=Value(0),
            output_field=models.IntegerField(),
        )
        Product.objects.filter(pk__in=chunk).update(
            **{column: Greatest(F(column) - amount, Value(0)) for column in assignments},
            updated_at=now,
        )
    listings_touch(product_ids=product_ids)


def stock_release(*, quantities: dict[int, int]) -> None:
    """Give back reservations of canceled quantities ({product id: units})."""
    _quantities_update(quantities, reserved=True)


def stock_consume(*, quantities: dict[int, int]) -> None:
    """Shipped units leave the shelf: on hand and reserved both drop ({product id: units}).

    Floored at 0: a backordered unit shipped before staff counted it in must not make the
    column negative (the shelf count is corrected by the next adjustment).
    """
    _quantities_update(quantities, stock=True, reserved=True)


@transaction.atomic
def product_stock_set(
    *,
    product: Product,
    stock: int,
    actor: User | None,
    kind: str = StockAdjustmentKind.PRODUCT_PAGE,
) -> Product:
    """Staff set the units on hand; the change is recorded and the listings move in the feed."""
    if stock < 0:
        raise CatalogError("Stock on hand cannot be negative.")
    # Locked so two adjustments record the right "from"; reservations keep running (they
    # change `reserved`, not `stock`).
    locked = Product.objects.select_for_update().get(pk=product.pk)
    if locked.stock == stock:
        return locked
    StockAdjustment.objects.create(
        product=locked, kind=kind, params={"from": locked.stock, "to": stock}, actor=actor
    )
    locked.stock = stock
    locked.version += 1  # a staff edit: a product form opened before it must not undo it
    locked.save(update_fields=["stock", "version", "updated_at"])
    listings_touch(product_ids=[locked.pk])
    return locked


@dataclass(frozen=True)
class StockImportResult:
    updated: int
    unchanged: int


def _read_stock_rows(text: str) -> tuple[list[tuple[int, str, int]], list[ImportRowError]]:
    """Parse `sku,stock` rows (a header naming them is optional) into (row, sku, stock)."""
    rows: list[tuple[int, str, int]] = []
    errors: list[ImportRowError] = []
    first_seen: dict[str, int] = {}
    try:
        lines = list(csv.reader(io.StringIO(text)))
    except csv.Error as error:
        return rows, [ImportRowError(1, "", f"This is not valid CSV: {error}.")]
    data_rows = 0
    for row_number, cells in enumerate(lines, start=1):
        if not any(cell.strip() for cell in cells):
            continue
        if data_rows == 0 and [cell.strip().lower() for cell in cells] == ["sku", "stock"]:
            continue
        data_rows += 1
        if data_rows > MAX_IMPORT_ROWS:
            errors.append(
                ImportRowError(
                    row_number, "", f"A file may hold at most {MAX_IMPORT_ROWS:,} rows; split it."
                )
            )
            break
        sku = cells[0].strip()
        if len(cells) != 2:
            errors.append(
                ImportRowError(
                    row_number, sku, f"Expected 2 columns (sku, stock); found {len(cells)}."
                )
            )
            continue
        raw = cells[1].strip()
        if not sku:
            errors.append(ImportRowError(row_number, sku, "SKU is missing."))
        elif sku in first_seen:
            errors.append(
                ImportRowError(
                    row_number,
                    sku,
                    f"SKU “{sku}” already appears on row {first_seen[sku]}; keep one row per SKU.",
                )
            )
        elif not raw.isdigit():
            errors.append(
                ImportRowError(
                    row_number, sku, f"Stock “{raw}” is not a whole number of 0 or more."
                )
            )
        elif int(raw) > MAX_STOCK:
            errors.append(ImportRowError(row_number, sku, f"Stock “{raw}” is too large."))
        else:
            first_seen[sku] = row_number
            rows.append((row_number, sku, int(raw)))
    return rows, errors


@transaction.atomic
def stock_import_csv(*, text: str, actor: User | None) -> StockImportResult:
    """Set stock on hand from CSV rows `sku,stock`: all or nothing, like the listing import."""
    rows, errors = _read_stock_rows(text)
    products = _products_by_sku([sku for _, sku, _ in rows])
    for row_number, sku, _stock in rows:
        if sku not in products:
            errors.append(ImportRowError(row_number, sku, f"Unknown SKU “{sku}”."))
    if not rows and not errors:
        errors.append(ImportRowError(1, "", "The file has no rows to import."))
    if errors:
        raise StockImportError(sorted(errors, key=lambda error: error.row))
    ids = [product.pk for product in products.values()]
    locked = {
        product.pk: product
        for start in range(0, len(ids), 900)
        for product in Product.objects.select_for_update().filter(pk__in=ids[start : start + 900])
    }
    changed: list[Product] = []
    adjustments: list[StockAdjustment] = []
    now = timezone.now()
    for _row_number, sku, stock in rows:
        product = locked[products[sku].pk]
        if product.stock == stock:
            continue
        adjustments.append(
            StockAdjustment(
                product=product,
                kind=StockAdjustmentKind.CSV_IMPORT,
                params={"from": product.stock, "to": stock},
                actor=actor,
            )
        )
        product.stock, product.updated_at = stock, now
        product.version += 1  # an edit form opened before the import must not undo it
        changed.append(product)
    Product.objects.bulk_update(changed, ["stock", "version", "updated_at"], batch_size=500)
    StockAdjustment.objects.bulk_create(adjustments, batch_size=500)
    changed_ids = [product.pk for product in changed]
    for start in range(0, len(changed_ids), 900):
        listings_touch(product_ids=changed_ids[start : start + 900])
    return StockImportResult(updated=len(changed), unchanged=len(rows) - len(changed))
