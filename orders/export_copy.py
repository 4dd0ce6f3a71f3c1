"""The CSV export on PostgreSQL, written by the database: `COPY (SELECT …) TO STDOUT`.

The same file as `orders.export.csv_chunks` — the same columns from the same column list, the
same labels, times, neutralising and first-row-only money — but every cell is produced in
SQL and PostgreSQL's own CSV writer encodes it, so Python only passes bytes through. Measured
by `make bench` (bench/exports.py) the Python writer costs about twice a bare COPY of the same
rows; this path stays within a few per cent of it.

How each kind of cell is made in SQL:
- text: `orders.export.neutralise` as two regular expressions generated from its own
  definitions (`neutralise_sql`), then `NULLIF(value, '')` (COPY would quote an empty string;
  csv.writer leaves it bare). `tests/orders/test_export_copy.py` checks the SQL against the
  Python function on every case the neutralise tests use and on generated text;
- labels: `CASE value WHEN 'on_hold' THEN 'On hold' … ELSE value END`, with the labels bound
  as parameters;
- times: `to_char(value AT TIME ZONE <site zone>, 'YYYY-MM-DD HH24:MI:SS')`;
- order money: only when the row is the order's first (`lag(order id)` over the output order
  differs), so a column sum is the real figure;
- carrier and tracking numbers: per order, a lateral `string_agg` over its shipments' distinct
  non-empty values, each placed by its first shipment id (what `_shipment_values` does with
  `dict.fromkeys`), then neutralised like any other text.
Rows end in LF (COPY's only line ending), where csv.writer writes CRLF; readers accept both.
"""

from __future__ import annotations

import csv
import functools
import io
import sys
from collections.abc import Iterator

from django.db import connections, router, transaction
from django.db.models import QuerySet
from django.db.models.constants import LOOKUP_SEP
from django.utils import timezone

from .export import (
    CELL_BREAKS,
    SHIPMENT_SEPARATOR,
    TRIGGER_CHARACTERS,
    Column,
    Kind,
    _skippable,
    headers,
    layout,
    shipment_model,
)
from .models import Order, OrderLine

# Bytes handed to the web server per chunk: COPY sends one message per row.
COPY_CHUNK_BYTES = 128 * 1024
# Sort memory for the export's one statement (PostgreSQL's default is 4MB).
COPY_WORK_MEM = "64MB"


def copy_available() -> bool:
    return connections[router.db_for_read(Order)].vendor == "postgresql"


def _bracket(characters: set[str]) -> str:
    """A regular-expression bracket of these characters, as ranges of \\x escapes."""
    points = sorted(ord(character) for character in characters)
    parts, index = [], 0
    while index < len(points):
        end = index
        while end + 1 < len(points) and points[end + 1] == points[end] + 1:
            end += 1
        first, last = points[index], points[end]
        parts.append(f"\\x{first:x}" if first == last else f"\\x{first:x}-\\x{last:x}")
        index = end + 1
    return "[" + "".join(parts) + "]"


@functools.cache
def _neutralise_patterns() -> tuple[str, str, str, str]:
    """`orders.export.neutralise` as two PostgreSQL regular expressions, built from its own
    definitions (TRIGGER_CHARACTERS, CELL_BREAKS, _skippable), so the rule lives in one place:
    a quote before a trigger that follows a cell break (and skippable characters or double
    quotes), then a quote at the start when the first real character is a trigger."""
    skip = {
        chr(point)
        for point in range(1, sys.maxunicode + 1)
        if not 0xD800 <= point <= 0xDFFF
        and _skippable(chr(point))
        and chr(point) not in TRIGGER_CHARACTERS
    } | {'"'}
    skippable, triggers = _bracket(skip), _bracket(set(TRIGGER_CHARACTERS))
    breaks = _bracket(set(CELL_BREAKS))
    inside = f"({breaks}{skippable}*)(?={triggers})"
    leading = f"^(?={skippable}*{triggers})"
    return triggers, breaks, inside, leading


def neutralise_sql(expression: str) -> tuple[str, list[str]]:
    """SQL applying `neutralise` to `expression`, and the patterns to bind, in order, after
    the copies of the expression (five) (so an expression with parameters of its own
    has them bound before each pattern, see `_column_sql`). Empty text becomes NULL: COPY
    would quote an empty string, csv.writer does not. Both rules need a trigger character
    somewhere, so text without one takes a single character-class test; the inside rule runs
    only on text holding a cell break; the leading rule is anchored."""
    triggers, breaks, inside, leading = _neutralise_patterns()
    x = expression
    full = (
        f"regexp_replace(CASE WHEN {x} ~ %s THEN regexp_replace({x}, %s, '\\1''', 'g') "
        f"ELSE {x} END, %s, '''')"
    )
    return (
        f"NULLIF(CASE WHEN {x} ~ %s THEN {full} ELSE {x} END, '')",
        [triggers, breaks, inside, leading],
    )


def _column_sql(alias: str, model, column: Column, params: list) -> str:
    """The SQL of one cell; appends its bound values to `params` in placeholder order."""
    path = column.source.split(LOOKUP_SEP)
    if len(path) == 2:  # reseller__company_name: the join below aliases the reseller "r"
        related = model._meta.get_field(path[0]).related_model
        expression = f'r."{related._meta.get_field(path[1]).column}"'
    else:
        expression = f'{alias}."{model._meta.get_field(column.source).column}"'
    return _cell_sql(expression, column, params)


def _cell_sql(expression: str, column: Column, params: list) -> str:
    """The SQL of one cell of `column` computed from `expression`; appends its bound values to
    `params` in placeholder order."""
    own: list = []
    if column.kind is Kind.CHOICE:
        cases = []
        for value, label in column.labels.items():
            cases.append("WHEN %s THEN %s")
            own.extend([value, label])
        expression = f"CASE {expression} {' '.join(cases)} ELSE {expression} END"
    if column.kind in (Kind.TEXT, Kind.CHOICE):
        sql, (triggers, breaks, inside, leading) = neutralise_sql(expression)
        # The expression's own parameters come before each use of it (see neutralise_sql).
        params.extend([*own, triggers, *own, breaks, *own, inside, *own, leading, *own])
        return sql
    if column.kind is Kind.DATETIME:
        params.append(timezone.get_default_timezone_name())
        return f"to_char({expression} AT TIME ZONE %s, 'YYYY-MM-DD HH24:MI:SS')"
    if column.kind is Kind.DATE:
        return f"to_char({expression}, 'YYYY-MM-DD')"
    return expression


def _shipment_joins(params: list) -> list[str]:
    """One `LEFT JOIN LATERAL` per shipment column, aliased s0, s1…, whose `v` is the order's
    distinct non-empty values joined with the separator in order of their first shipment
    (NULL for an order without shipments). Appends the separators to `params`."""
    model = shipment_model()
    if model is None:
        return []
    order_key = Order._meta.get_field("shipments").field.column
    joins = []
    for index, column in enumerate(layout().shipment):
        value = f'x."{model._meta.get_field(column.source).column}"'
        joins.append(
            f"LEFT JOIN LATERAL (SELECT string_agg(t.v, %s ORDER BY t.first_id) AS v "  # noqa: S608 - identifiers come from the models; values are bound
            f"FROM (SELECT {value} AS v, min(x.id) AS first_id "
            f'FROM "{model._meta.db_table}" x WHERE x."{order_key}" = o.id AND {value} <> \'\' '
            f"GROUP BY {value}) t) s{index} ON true"
        )
        params.append(SHIPMENT_SEPARATOR)
    return joins


def copy_statement(orders: QuerySet[Order]) -> tuple[str, list]:
    """`COPY (SELECT …) TO STDOUT` for exactly these orders, and its parameters."""
    columns = layout()
    params: list = []
    # Order cells are computed once per order in the CTE (not once per line: with ten lines an
    # order, that is most of the work), then joined to the lines.
    cells = [_column_sql("o", Order, c, params) for c in columns.order]
    cells += [_cell_sql(f"s{k}.v", c, params) for k, c in enumerate(columns.shipment)]
    cells += [_column_sql("o", Order, c, params) for c in columns.money]
    order_sql = [f"{cell} AS c{i}" for i, cell in enumerate(cells)]
    shipment_joins = _shipment_joins(params)
    connection = connections[router.db_for_read(Order)]
    ids_sql, ids_params = (
        orders.order_by().values("id").query.get_compiler(connection=connection).as_sql()
    )
    params.extend(ids_params)
    line_sql = [_column_sql("l", OrderLine, c, params) for c in columns.line]
    split = len(columns.order_text)
    first_row = "lag(e.id) OVER (ORDER BY e.id DESC, l.id) IS DISTINCT FROM e.id"
    select = [f"e.c{i}" for i in range(split)]
    select += [
        f"CASE WHEN {first_row} THEN e.c{i} END" for i in range(split, split + len(columns.money))
    ]
    select += line_sql
    reseller_table = Order._meta.get_field("reseller").related_model._meta.db_table
    statement = (
        f"COPY (WITH e AS MATERIALIZED (SELECT o.id, {', '.join(order_sql)} "  # noqa: S608 - identifiers come from the models; values are bound
        f'FROM "{Order._meta.db_table}" o JOIN "{reseller_table}" r ON r.id = o.reseller_id '
        f"{' '.join(shipment_joins)} "
        f"WHERE o.id IN ({ids_sql})) "
        f"SELECT {', '.join(select)} FROM e "
        f'LEFT JOIN "{OrderLine._meta.db_table}" l ON l.order_id = e.id '
        "ORDER BY e.id DESC, l.id) "
        "TO STDOUT WITH (FORMAT csv)"
    )
    return statement, params


def copy_csv_chunks(orders: QuerySet[Order]) -> Iterator[bytes]:
    """The CSV file as byte chunks, written by PostgreSQL; nothing runs before the first."""
    header = io.StringIO()
    csv.writer(header, lineterminator="\n").writerow(headers())
    yield ("\ufeff" + header.getvalue()).encode()
    statement, params = copy_statement(orders)
    connection = connections[router.db_for_read(Order)]
    buffer = bytearray()
    # A read-only transaction just for the COPY, so the settings apply to it alone: the sort of
    # every line row fits in memory instead of an external merge on disk (measured: ~25% of
    # the time at 200,000 lines), and JIT compilation of the cell expressions costs more than
    # it saves on one pass.
    with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
        cursor.execute(
            "SELECT set_config('work_mem', %s, true), set_config('jit', 'off', true)",
            [COPY_WORK_MEM],
        )
        with cursor.cursor.copy(statement, params) as copy:
            for data in copy:
                buffer += data
                if len(buffer) >= COPY_CHUNK_BYTES:
                    yield bytes(buffer)
                    buffer.clear()
    if buffer:
        yield bytes(buffer)
