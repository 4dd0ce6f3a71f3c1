"""Import tracking: a warehouse's CSV `order_number,carrier,tracking_number[,sku,quantity]`.

All or nothing: every row is checked first and if any is wrong TrackingImportError lists them
all and nothing is saved. Rows with the same order, carrier and tracking number are one
shipment; a row without SKU and quantity ships everything left on the order. A shipment the
file repeats (same order, carrier and tracking number as one already recorded) is skipped,
so a warehouse may send the same file twice.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from orders.models import Order

from .carriers import carrier_name
from .exceptions import ImportRowError, TrackingImportError
from .models import Shipment
from .services import (
    CHUNK,
    ShipmentPlan,
    order_states,
    record_shipments,
    shipment_field_errors,
    shipping_refusal,
)

MAX_IMPORT_ROWS = 10_000
COLUMNS = ("order_number", "carrier", "tracking_number", "sku", "quantity")


@dataclass(frozen=True)
class TrackingRow:
    row: int
    order: str
    carrier: str
    tracking_number: str
    sku: str
    quantity: int | None


@dataclass(frozen=True)
class TrackingImportResult:
    shipments: int
    orders: int
    skipped: int  # rows of shipments already recorded


def read_rows(text: str) -> tuple[list[TrackingRow], list[ImportRowError]]:
    rows: list[TrackingRow] = []
    errors: list[ImportRowError] = []
    try:
        lines = list(csv.reader(io.StringIO(text)))
    except csv.Error as error:
        return rows, [ImportRowError(1, "", f"This is not valid CSV: {error}.")]
    for row_number, cells in enumerate(lines, start=1):
        cells = [cell.strip() for cell in cells]
        if not any(cells):
            continue
        if not rows and not errors and cells[0].lower() == "order_number":
            continue  # the header
        if len(rows) + len(errors) >= MAX_IMPORT_ROWS:
            errors.append(
                ImportRowError(
                    row_number, "", f"A file may hold at most {MAX_IMPORT_ROWS:,} rows; split it."
                )
            )
            break
        reference = cells[0]
        if len(cells) not in (3, 5) and not (len(cells) == 4 and not cells[3]):
            errors.append(
                ImportRowError(
                    row_number,
                    reference,
                    "Expected 3 columns (order_number, carrier, tracking_number) or 5 "
                    f"(… sku, quantity); found {len(cells)}.",
                )
            )
            continue
        sku = cells[3] if len(cells) > 3 else ""
        raw_quantity = cells[4] if len(cells) > 4 else ""
        problems = []
        if not reference:
            problems.append("Order number is missing.")
        problems.extend(
            message
            for _path, message in shipment_field_errors(
                carrier=cells[1], service="", tracking_number=cells[2], tracking_url=""
            )
        )
        quantity: int | None = None
        if sku or raw_quantity:
            if not sku:
                problems.append("SKU is missing; give both SKU and quantity, or neither.")
            if not raw_quantity.isdigit() or int(raw_quantity) < 1:
                problems.append(
                    f"Quantity “{raw_quantity}” is not a whole number of 1 or more."
                    if raw_quantity
                    else "Quantity is missing; give both SKU and quantity, or neither."
                )
            else:
                quantity = int(raw_quantity)
        if problems:
            errors.extend(ImportRowError(row_number, reference, problem) for problem in problems)
            continue
        rows.append(TrackingRow(row_number, reference, cells[1], cells[2], sku, quantity))
    return rows, errors


def _resolve_orders(
    references: list[str],
) -> tuple[dict[str, int], dict[str, str]]:
    """Order ids by the number or reseller's reference the file gave, and why others failed."""
    found: dict[str, int] = {}
    for start in range(0, len(references), CHUNK):
        chunk = references[start : start + CHUNK]
        found.update(Order.objects.filter(number__in=chunk).values_list("number", "pk"))
    by_reference: dict[str, set[int]] = {}
    rest = [reference for reference in references if reference not in found]
    for start in range(0, len(rest), CHUNK):
        for reference, pk in Order.objects.filter(
            reference_number__in=rest[start : start + CHUNK]
        ).values_list("reference_number", "pk"):
            by_reference.setdefault(reference, set()).add(pk)
    problems: dict[str, str] = {}
    for reference in rest:
        matches = by_reference.get(reference, set())
        if len(matches) == 1:
            found[reference] = next(iter(matches))
        elif matches:
            problems[reference] = (
                f"Reference “{reference}” belongs to orders of {len(matches)} resellers; "
                "use the order number (SO-…) instead."
            )
        else:
            problems[reference] = f"No order has the number or reference “{reference}”."
    return found, problems


@transaction.atomic
def tracking_import_csv(*, text: str, actor: User | None) -> TrackingImportResult:
    rows, errors = read_rows(text)
    references = sorted({row.order for row in rows})
    order_ids, problems = _resolve_orders(references)
    states = order_states(list(order_ids.values()))
    existing: set[tuple[int, str, str]] = set()
    ids = sorted(states)
    for start in range(0, len(ids), CHUNK):
        existing.update(
            (order_id, carrier.lower(), tracking)
            for order_id, carrier, tracking in Shipment.objects.filter(
                order_id__in=ids[start : start + CHUNK]
            ).values_list("order_id", "carrier", "tracking_number")
        )

    groups: dict[tuple[int, str, str], list[TrackingRow]] = {}
    for row in rows:
        if row.order in problems:
            errors.append(ImportRowError(row.row, row.order, problems[row.order]))
            continue
        key = (order_ids[row.order], carrier_name(row.carrier).lower(), row.tracking_number)
        groups.setdefault(key, []).append(row)

    plans: list[ShipmentPlan] = []
    planned: dict[int, int] = {}  # order line id -> units earlier shipments in the file take
    skipped = 0
    now = timezone.now()
    for key, group in groups.items():
        if key in existing:
            skipped += len(group)
            continue
        state = states[key[0]]
        first = group[0]
        refusal = shipping_refusal(state.order)
        if refusal:
            errors.extend(ImportRowError(row.row, row.order, refusal) for row in group)
            continue

        def left(line) -> int:
            return state.left(line) - planned.get(line.pk, 0)  # noqa: B023 (used right away)

        quantities: dict[int, int] = {}
        whole = [row for row in group if not row.sku]
        if whole and len(whole) != len(group):
            errors.append(
                ImportRowError(
                    first.row,
                    first.order,
                    f"Tracking number {first.tracking_number} has rows with and without SKU; "
                    "give every row a SKU and quantity, or send one row without.",
                )
            )
            continue
        if whole:
            quantities = {line.pk: left(line) for line in state.lines if left(line) > 0}
            if len(whole) > 1:
                errors.append(
                    ImportRowError(
                        whole[1].row,
                        first.order,
                        f"Tracking number {first.tracking_number} is on row {first.row} already.",
                    )
                )
                continue
            if not quantities:
                errors.append(
                    ImportRowError(
                        first.row,
                        first.order,
                        f"Order {state.order.number}: nothing is left to ship.",
                    )
                )
                continue
        else:
            lines_by_sku = {line.sku: line for line in state.lines}
            bad = False
            for row in group:
                line = lines_by_sku.get(row.sku)
                if line is None:
                    errors.append(
                        ImportRowError(
                            row.row,
                            row.order,
                            f"SKU {row.sku} is not on order {state.order.number}.",
                        )
                    )
                    bad = True
                    continue
                quantities[line.pk] = quantities.get(line.pk, 0) + (row.quantity or 0)
                if quantities[line.pk] > left(line):
                    errors.append(
                        ImportRowError(
                            row.row,
                            row.order,
                            f"{row.sku}: {left(line):,} left to ship on order "
                            f"{state.order.number}, {quantities[line.pk]:,} in this file.",
                        )
                    )
                    bad = True
            if bad:
                continue
        for line_id, units in quantities.items():
            planned[line_id] = planned.get(line_id, 0) + units
        plans.append(
            ShipmentPlan(
                order_id=key[0],
                carrier=first.carrier,
                service="",
                tracking_number=first.tracking_number,
                tracking_url="",
                shipped_at=now,
                quantities=quantities,
            )
        )
    if not rows and not errors:
        errors.append(ImportRowError(1, "", "The file has no rows to import."))
    if errors:
        raise TrackingImportError(sorted(errors, key=lambda error: error.row))
    record_shipments(plans=plans, states=states, actor=actor)
    return TrackingImportResult(
        shipments=len(plans),
        orders=len({plan.order_id for plan in plans}),
        skipped=skipped,
    )
