"""Export benchmarks (SPEC section 9), on the reseller with half of the bench orders.

* CSV export vs PostgreSQL `COPY (SELECT …) TO STDOUT WITH CSV` of the same rows: the export
  goes through the real view (Django test client: middleware, OrderFilter, selector, streamed
  response, fully consumed). COPY runs the plain join a DBA would write for those rows: every
  export column, orders LEFT JOIN lines, same reseller, same order. Target: ≤ 3×.
* XLSX export (same view) vs bare openpyxl write-only of the same rows, fetched by the same
  queries and appended as they come: no labels, no neutralising, no number formats, no column
  widths (only the time zone dropped, which openpyxl insists on). Target: ≤ 1.3×.
* Peak memory of each export at two sizes, each in a fresh process: after a warm-up export of
  zero rows the process resets its peak resident set size (Linux /proc/self/clear_refs), runs
  the export, and reads the peak (VmHWM). Flat means the big export peaks where the small one
  does.

Times are the best of interleaved runs (export, baseline, export, baseline, …), so load from
elsewhere on the machine hits both sides of a ratio.

`python -m bench.exports memory <csv|xlsx> <reseller id|all>` is the child-process probe.
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from bench.common import (
    bench_resellers,
    bench_staff,
    best_times,
    logged_in_client,
    mebibytes,
    ratio,
    repeats,
    row,
)

ROOT = Path(__file__).resolve().parent.parent
CSV_TARGET = 3.0
XLSX_TARGET = 1.3


def run() -> list[dict[str, Any]]:
    from django.db import connection

    if connection.vendor != "postgresql":
        return [row("exports", "-", None, "", note="needs PostgreSQL (COPY); skipped")]
    resellers = bench_resellers()
    rows = _csv_vs_copy(resellers.large_id, resellers.large_lines)
    rows += _xlsx_vs_bare(resellers.large_id, resellers.large_lines)
    rows += _memory(resellers)
    return rows


def _export_url(reseller_id: int | None, fmt: str) -> str:
    """One reseller's export, or every order's (None)."""
    from django.urls import reverse

    if reseller_id is None:
        return reverse("backoffice:order_export", kwargs={"fmt": fmt})
    return reverse("backoffice:reseller_orders_export", kwargs={"pk": reseller_id, "fmt": fmt})


def _download(client, url: str, params: dict | None = None) -> int:
    """GET an export and consume the whole streamed body; the number of bytes received."""
    response = client.get(url, params or {})
    if response.status_code != 200:
        raise RuntimeError(f"{url} answered {response.status_code}")
    return sum(len(chunk) for chunk in response.streaming_content)


def copy_statement() -> str:
    """COPY of the export's rows as one plain join, built from the export's own columns."""
    from django.db import connection

    from orders.export import LINE_COLUMNS, ORDER_COLUMNS
    from orders.models import Order, OrderLine

    quote = connection.ops.quote_name
    columns = [f"o.{quote(Order._meta.get_field(c.source).column)}" for c in ORDER_COLUMNS]
    columns += [f"l.{quote(OrderLine._meta.get_field(c.source).column)}" for c in LINE_COLUMNS]
    return (
        f"COPY (SELECT {', '.join(columns)} "  # noqa: S608 - identifiers come from the models
        f"FROM {quote(Order._meta.db_table)} o "
        f"LEFT JOIN {quote(OrderLine._meta.db_table)} l ON l.order_id = o.id "
        "WHERE o.reseller_id = %s ORDER BY o.id DESC, l.id) "
        "TO STDOUT WITH (FORMAT csv, HEADER)"
    )


def _csv_vs_copy(reseller_id: int, lines: int) -> list[dict[str, Any]]:
    from django.db import connection

    client = logged_in_client(bench_staff())
    url = _export_url(reseller_id, "csv")
    statement = copy_statement()

    def copy() -> int:
        with connection.cursor() as cursor, cursor.cursor.copy(statement, [reseller_id]) as out:
            return sum(len(data) for data in out)

    _download(client, url)  # warm caches on both sides before timing
    copy()
    best = best_times({"export": lambda: _download(client, url), "copy": copy}, repeats(3))
    return [
        _versus(
            "CSV export (view, streamed) vs COPY TO STDOUT",
            lines,
            best["export"],
            best["copy"],
            target=CSV_TARGET,
            sizes="{export:.1f} MiB vs COPY's {baseline:.1f} MiB",
        )
    ]


def bare_xlsx(reseller_id: int) -> int:
    """The same rows through bare openpyxl write-only: what the export adds is measured."""
    from openpyxl import Workbook

    from orders.export import ORDER_COLUMNS, Kind, orders_with_lines
    from orders.selectors import order_list
    from resellers.models import Reseller

    date = next(i for i, c in enumerate(ORDER_COLUMNS) if c.kind is Kind.DATETIME)
    orders = order_list(reseller=Reseller.objects.get(pk=reseller_id))
    with tempfile.TemporaryFile() as destination:
        workbook = Workbook(write_only=True)
        sheet = workbook.create_sheet()
        for order, lines in orders_with_lines(orders):
            # openpyxl refuses aware datetimes; this is the least any writer must do.
            order = (*order[:date], order[date].replace(tzinfo=None), *order[date + 1 :])
            for line in lines:
                sheet.append(order + line)
        workbook.save(destination)
        return destination.tell()


def _xlsx_vs_bare(reseller_id: int, lines: int) -> list[dict[str, Any]]:
    from openpyxl import LXML

    client = logged_in_client(bench_staff())
    url = _export_url(reseller_id, "xlsx")
    # XLSX is slow (openpyxl spends ~10 µs per cell): two rounds keep the whole run short.
    best = best_times(
        {"export": lambda: _download(client, url), "bare": lambda: bare_xlsx(reseller_id)},
        repeats(2),
    )
    writer = "lxml" if LXML else "et_xmlfile (lxml not installed)"
    return [
        _versus(
            "XLSX export (view, temp file) vs bare openpyxl write-only",
            lines,
            best["export"],
            best["bare"],
            target=XLSX_TARGET,
            sizes="{export:.1f} MiB vs {baseline:.1f} MiB; XML writer: " + writer,
        )
    ]


def _versus(
    label: str,
    lines: int,
    export: tuple[float, int],
    baseline: tuple[float, int],
    *,
    target: float,
    sizes: str,
) -> dict[str, Any]:
    """One timed row: the export against its baseline, each (best seconds, bytes written)."""
    export_seconds, export_bytes = export
    baseline_seconds, baseline_bytes = baseline
    factor = ratio(export_seconds, baseline_seconds)
    verdict = "met" if factor is not None and factor <= target else "MISSED"
    size_note = sizes.format(export=export_bytes / 2**20, baseline=baseline_bytes / 2**20)
    return row(
        label,
        lines,
        round(export_seconds, 2),
        "s",
        baseline=round(baseline_seconds, 2),
        ratio=factor,
        note=(
            f"target ≤ {target:g}× ({verdict}); {lines / export_seconds:,.0f} lines/s; {size_note}"
        ),
    )


def _memory(resellers) -> list[dict[str, Any]]:
    rows = []
    for fmt in ("csv", "xlsx"):
        small = _probe(fmt, resellers.small_id)
        large = _probe(fmt, resellers.large_id)
        label = f"{fmt.upper()} export: peak RSS during the export"
        how = (
            "fresh process, peak reset after warm-up"
            if small["peak_reset"] and large["peak_reset"]
            else "fresh process; peak could not be reset, so start-up may hide growth"
        )
        rows.append(
            row(
                label,
                resellers.small_lines,
                mebibytes(small["peak_kib"]),
                "MiB",
                note=(
                    f"+{mebibytes(small['peak_kib'] - small['before_kib'])} MiB over the "
                    f"warmed-up process; {how}; the baseline for the row below"
                ),
            )
        )
        rows.append(
            row(
                label,
                resellers.large_lines,
                mebibytes(large["peak_kib"]),
                "MiB",
                baseline=mebibytes(small["peak_kib"]),
                ratio=ratio(large["peak_kib"], small["peak_kib"]),
                note=(
                    f"+{mebibytes(large['peak_kib'] - large['before_kib'])} MiB over the "
                    f"warmed-up process with {resellers.large_lines / resellers.small_lines:.0f}× "
                    "the rows; ratio ≈ 1 means memory does not grow with row count"
                ),
            )
        )
    # A third size for CSV (cheap): every bench order. Growth from the small size to the large
    # one is the fetch chunks filling up (2,000 rows each); past that, nothing should grow.
    everything = _probe("csv", None)
    small_csv = rows[0]["value"]
    rows.insert(
        2,
        row(
            "CSV export: peak RSS during the export",
            resellers.total_lines,
            mebibytes(everything["peak_kib"]),
            "MiB",
            baseline=small_csv,
            ratio=ratio(mebibytes(everything["peak_kib"]), small_csv),
            note=(
                f"+{mebibytes(everything['peak_kib'] - everything['before_kib'])} MiB; "
                "all orders (back-office export), twice the rows of the row above"
            ),
        ),
    )
    return rows


def _probe(fmt: str, reseller_id: int | None) -> dict[str, int]:
    completed = subprocess.run(
        [sys.executable, "-m", "bench.exports", "memory", fmt, str(reseller_id or "all")],
        cwd=ROOT,
        env=os.environ.copy(),
        capture_output=True,
        text=True,
        check=False,
        timeout=900,
    )
    if completed.returncode != 0:
        raise RuntimeError(f"memory probe failed: {completed.stderr[-2000:]}")
    return json.loads(completed.stdout.strip().splitlines()[-1])


def _memory_probe(fmt: str, reseller_id: int | None) -> dict[str, int]:
    """Runs in a fresh process: resident memory before one export and its peak during it."""
    import gc

    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    django.setup()
    from django.conf import settings

    settings.DEBUG = False  # no query log growing in memory
    client = logged_in_client(bench_staff())
    url = _export_url(reseller_id, fmt)
    # Warm-up: the same export filtered down to no orders loads every module and opens the
    # connection, so the baseline is a process ready to export.
    _download(client, url, {"created_from": "2999-01-01"})
    gc.collect()
    # The peak so far belongs to start-up (imports, migrations check); Linux lets a process
    # reset its high-water mark, so the peak read afterwards is the export's alone.
    reset = _reset_peak_rss()
    before = _proc_status("VmRSS") if reset else resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    size = _download(client, url)
    peak = _proc_status("VmHWM") if reset else resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return {"before_kib": before, "peak_kib": peak, "bytes": size, "peak_reset": int(reset)}


def _reset_peak_rss() -> bool:
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        return False
    return True


def _proc_status(field: str) -> int:
    """A memory figure from /proc/self/status, in KiB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1])
    raise RuntimeError(f"{field} is not in /proc/self/status")


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "memory":
        target = None if sys.argv[3] == "all" else int(sys.argv[3])
        print(json.dumps(_memory_probe(sys.argv[2], target)))
    else:
        sys.exit("usage: python -m bench.exports memory <csv|xlsx> <reseller id|all>")
