"""Export benchmarks (SPEC section 9, issue 15), on every bench order (200,000 lines by default).

* CSV export vs PostgreSQL `COPY (SELECT …) TO STDOUT WITH CSV` of the same rows: the export
  goes through the real view (Django test client: middleware, AllOrdersFilter, selector,
  streamed response, fully consumed), which on PostgreSQL streams from COPY itself
  (orders/export_copy.py). The baseline is the plain join a DBA would write for those rows:
  every export column, orders JOIN resellers LEFT JOIN lines, same order, no labels, no
  neutralising. The Python writer (orders.export.csv_chunks, used on SQLite and kept as the
  reference the COPY path is tested against) is timed against the same baseline to show why
  the COPY path exists. Target: ≤ 1.5×.
* XLSX export (same view, the background threshold lifted so it answers in the request) vs
  bare openpyxl write-only writing the same cells: the same two sheets (one row per order;
  one row per line with the money on each order's first row), fetched by the same queries,
  appended as they come: no labels, no neutralising, no number formats, widths, frozen
  header or autofilter (only the time zone dropped, which openpyxl insists on). Target: ≤ 1.2×.
* Peak memory of each instant export at two sizes, each in a fresh process: after a warm-up
  export of zero rows the process resets its peak resident set size (Linux
  /proc/self/clear_refs), runs the export, and reads the peak (VmHWM). Flat means the big
  export peaks where the small one does.
* A background XLSX export job (what the Celery worker runs: exports.services.export_job_run,
  file written to a temporary directory as storage) at two sizes — the most recent tenth of
  the orders and all of them — peak RSS measured the same way. With the default data that is
  20,000 vs 200,000 lines; for 100,000 vs 1,000,000 lines run
  `BENCH_ORDERS=100000 python -m bench.exports jobs` (seeds 1,000,000 lines, about two
  minutes, then runs only this part; about three minutes more on a 2-core machine).

Times are the best of interleaved runs (export, baseline, export, baseline, …), so load from
elsewhere on the machine hits both sides of a ratio.

`python -m bench.exports memory <csv|xlsx> <reseller id|all>` and
`python -m bench.exports job <created_from date|all>` are the child-process probes.
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
CSV_TARGET = 1.5
XLSX_TARGET = 1.2
# The bench times the instant views at sizes where the app would start a background job.
NO_BACKGROUND = {
    "EXPORT_BACKGROUND_XLSX_ROWS": "1000000000",
    "EXPORT_BACKGROUND_ROWS": "1000000000",
}


def run() -> list[dict[str, Any]]:
    from django.db import connection

    if connection.vendor != "postgresql":
        return [row("exports", "-", None, "", note="needs PostgreSQL (COPY); skipped")]
    from django.conf import settings

    settings.EXPORT_BACKGROUND_XLSX_ROWS = settings.EXPORT_BACKGROUND_ROWS = 10**9
    resellers = bench_resellers()
    rows = _csv_vs_copy(None, resellers.total_lines)
    rows += _xlsx_vs_bare(None, resellers.total_lines)
    rows += _memory(resellers)
    rows += _job_memory()
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

    from orders.export import layout
    from orders.models import Order, OrderLine
    from resellers.models import Reseller

    quote = connection.ops.quote_name
    columns = layout()

    def order_column(source: str) -> str:
        if source == "reseller__company_name":
            return f"r.{quote(Reseller._meta.get_field('company_name').column)}"
        return f"o.{quote(Order._meta.get_field(source).column)}"

    selected = [order_column(c.source) for c in columns.order + columns.money]
    selected += [f"l.{quote(OrderLine._meta.get_field(c.source).column)}" for c in columns.line]
    return (
        f"COPY (SELECT {', '.join(selected)} "  # noqa: S608 - identifiers come from the models
        f"FROM {quote(Order._meta.db_table)} o "
        f"JOIN {quote(Reseller._meta.db_table)} r ON r.id = o.reseller_id "
        f"LEFT JOIN {quote(OrderLine._meta.db_table)} l ON l.order_id = o.id "
        "WHERE (%s::bigint IS NULL OR o.reseller_id = %s) ORDER BY o.id DESC, l.id) "
        "TO STDOUT WITH (FORMAT csv, HEADER)"
    )


def _csv_vs_copy(reseller_id: int | None, lines: int) -> list[dict[str, Any]]:
    from django.db import connection

    from orders.export import csv_chunks
    from orders.selectors import order_list
    from resellers.models import Reseller

    client = logged_in_client(bench_staff())
    url = _export_url(reseller_id, "csv")
    statement = copy_statement()
    reseller = Reseller.objects.get(pk=reseller_id) if reseller_id else None

    def copy() -> int:
        arguments = [reseller_id, reseller_id]
        with connection.cursor() as cursor, cursor.cursor.copy(statement, arguments) as out:
            return sum(len(data) for data in out)

    def python_writer() -> int:
        return sum(len(chunk) for chunk in csv_chunks(order_list(reseller=reseller)))

    _download(client, url)  # warm caches on both sides before timing
    copy()
    best = best_times(
        {"export": lambda: _download(client, url), "python": python_writer, "copy": copy},
        repeats(3),
    )
    return [
        _versus(
            "CSV export (view, streamed by COPY) vs bare COPY TO STDOUT",
            lines,
            best["export"],
            best["copy"],
            target=CSV_TARGET,
            sizes="{export:.1f} MiB vs COPY's {baseline:.1f} MiB",
        ),
        _versus(
            "CSV Python writer (SQLite's path, no HTTP) vs bare COPY TO STDOUT",
            lines,
            best["python"],
            best["copy"],
            target=CSV_TARGET,
            sizes="{export:.1f} MiB vs {baseline:.1f} MiB; why the view uses COPY on PostgreSQL",
        ),
    ]


def bare_xlsx(reseller_id: int | None) -> int:
    """The same cells through bare openpyxl write-only: what the export adds is measured."""
    from openpyxl import Workbook

    from orders.export import Kind, layout, orders_with_lines
    from orders.selectors import order_list
    from resellers.models import Reseller

    columns = layout()
    split = len(columns.order_text)
    date = next(i for i, c in enumerate(columns.order) if c.kind is Kind.DATETIME)
    no_money = (None,) * len(columns.money)
    reseller = Reseller.objects.get(pk=reseller_id) if reseller_id else None
    with tempfile.TemporaryFile() as destination:
        workbook = Workbook(write_only=True)
        orders_sheet, lines_sheet = workbook.create_sheet(), workbook.create_sheet()
        for order, lines in orders_with_lines(order_list(reseller=reseller)):
            # openpyxl refuses aware datetimes; this is the least any writer must do.
            order = (*order[:date], order[date].replace(tzinfo=None), *order[date + 1 :])
            orders_sheet.append(order)
            head, money = order[:split], order[split:]
            for index, line in enumerate(lines):
                lines_sheet.append(head + (money if index == 0 else no_money) + line)
        workbook.save(destination)
        return destination.tell()


def _xlsx_vs_bare(reseller_id: int | None, lines: int) -> list[dict[str, Any]]:
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
            "XLSX export, two sheets (view, temp file) vs bare openpyxl, same cells",
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
        env={**os.environ, **NO_BACKGROUND},
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


def _job_memory() -> list[dict[str, Any]]:
    """Peak RSS of a background XLSX job over the newest tenth of the orders, and over all."""
    from orders.models import Order

    times = Order.objects.order_by("created_at").values_list("created_at", flat=True)
    oldest, newest = times.first(), times.last()
    cut = (newest - (newest - oldest) / 10).date().isoformat()
    with tempfile.TemporaryDirectory(prefix="bench-exports-") as media:
        small, large = _job_probe(cut, media), _job_probe("all", media)
    label = "Background XLSX export job: peak RSS of the worker process"
    how = "fresh process, peak reset after warm-up" if large["peak_reset"] else "peak not reset"

    def speed(probe: dict[str, Any]) -> str:
        return (
            f"{probe['seconds']:.0f} s, {probe['rows'] / probe['seconds']:,.0f} lines/s, "
            f"{probe['bytes'] / 2**20:.1f} MiB file"
        )

    return [
        row(
            label,
            small["rows"],
            mebibytes(small["peak_kib"]),
            "MiB",
            note=(
                f"+{mebibytes(small['peak_kib'] - small['before_kib'])} MiB over the warmed-up "
                f"process; {speed(small)}; {how}; orders placed from {cut}"
            ),
        ),
        row(
            label,
            large["rows"],
            mebibytes(large["peak_kib"]),
            "MiB",
            baseline=mebibytes(small["peak_kib"]),
            ratio=ratio(large["peak_kib"], small["peak_kib"]),
            note=(
                f"+{mebibytes(large['peak_kib'] - large['before_kib'])} MiB with "
                f"{large['rows'] / max(small['rows'], 1):.0f}× the rows; {speed(large)}; "
                "ratio ≈ 1 means the worker's memory does not grow with the export"
            ),
        ),
    ]


def _job_probe(created_from: str, media: str) -> dict[str, Any]:
    completed = subprocess.run(
        [sys.executable, "-m", "bench.exports", "job", created_from],
        cwd=ROOT,
        env={**os.environ, "MEDIA_ROOT": media},
        capture_output=True,
        text=True,
        check=False,
        timeout=3600,
    )
    if completed.returncode != 0:
        raise RuntimeError(f"job probe failed: {completed.stderr[-2000:]}")
    return json.loads(completed.stdout.strip().splitlines()[-1])


def _job_probe_child(created_from: str) -> dict[str, Any]:
    """Runs in a fresh process: one background XLSX job, as the Celery worker runs it."""
    import gc
    import time

    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    django.setup()
    from django.conf import settings

    from exports.models import ExportJob
    from exports.services import export_job_run
    from orders.export import export_row_count
    from orders.selectors import order_list

    settings.DEBUG = False
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    staff = bench_staff()

    def run(filters: dict[str, list[str]]) -> ExportJob:
        orders = order_list(reseller=None)
        if "created_from" in filters:
            orders = orders.filter(created_at__date__gte=filters["created_from"][0])
        job = ExportJob.objects.create(
            requested_by=staff,
            audience="backoffice",
            format="xlsx",
            filters=filters,
            rows_total=export_row_count(orders),
            filename="bench.xlsx",
        )
        export_job_run(job_id=job.pk)
        job.refresh_from_db()
        if job.status != "done":
            raise RuntimeError(f"the bench export job ended {job.status}: {job.error}")
        return job

    run({"created_from": ["2999-01-01"]})  # warm-up: every module loaded, connection open
    gc.collect()
    reset = _reset_peak_rss()
    before = _proc_status("VmRSS") if reset else resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.perf_counter()
    job = run({} if created_from == "all" else {"created_from": [created_from]})
    seconds = time.perf_counter() - started
    peak = _proc_status("VmHWM") if reset else resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    size = job.file.size
    ExportJob.objects.filter(requested_by=staff).delete()
    return {
        "before_kib": before,
        "peak_kib": peak,
        "rows": job.rows_total,
        "seconds": seconds,
        "bytes": size,
        "peak_reset": int(reset),
    }


def _jobs_only() -> None:
    """`python -m bench.exports jobs`: seed (BENCH_ORDERS etc.) and run only the job bench."""
    from bench.__main__ import database_url, ensure_database, setup_django, table
    from bench.common import sizes

    url = database_url()
    ensure_database(url)
    setup_django(url)
    from django.core.management import call_command

    wanted = sizes()
    call_command("migrate", interactive=False, verbosity=0)
    call_command("seed_bench", resellers=wanted.resellers, orders=wanted.orders, lines=wanted.lines)
    print(table(_job_memory()))


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
    elif len(sys.argv) == 3 and sys.argv[1] == "job":
        print(json.dumps(_job_probe_child(sys.argv[2])))
    elif len(sys.argv) == 2 and sys.argv[1] == "jobs":
        _jobs_only()
    else:
        sys.exit(
            "usage: python -m bench.exports memory <csv|xlsx> <reseller id|all>\n"
            "       python -m bench.exports job <created_from date|all>\n"
            "       python -m bench.exports jobs"
        )
