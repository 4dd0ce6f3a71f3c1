"""`python -m bench` (`make bench`): every benchmark, one table.

Runs on PostgreSQL: DATABASE_URL when it points at PostgreSQL, else BENCH_DATABASE_URL, else
postgres://postgres@127.0.0.1:5432/rp_bench. The database is created if missing, migrated,
and seeded with `seed_bench` (skipped when it already holds the same sizes). Default size:
20 resellers, 20,000 orders, 10 lines each = 200,000 order lines; BENCH_QUICK=1 for a smoke
run; BENCH_RESELLERS / BENCH_ORDERS / BENCH_LINES / BENCH_REPEATS to change it.

The table is printed and written to bench-results/latest.md with the machine it ran on.
"""

from __future__ import annotations

import importlib
import os
import platform
import sys
import time
import traceback
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from bench.common import DEFAULT_BENCH_DATABASE_URL, ROW_KEYS, row, sizes

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench-results" / "latest.md"
MODULES = [
    "bench.exports",
    "bench.queries",
    "bench.rules",
    "bench.api",
    "bench.payments",
    "bench.fulfilment",
    "bench.integrations",
]


def database_url() -> str:
    for candidate in (os.environ.get("BENCH_DATABASE_URL"), os.environ.get("DATABASE_URL")):
        if candidate and candidate.startswith(("postgres://", "postgresql://", "pgsql://")):
            return candidate
    return DEFAULT_BENCH_DATABASE_URL


def ensure_database(url: str) -> None:
    """Create the bench database if it does not exist yet (connecting to `postgres`)."""
    import psycopg
    from psycopg import sql

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    maintenance = urlunsplit(parts._replace(scheme="postgresql", path="/postgres"))
    try:
        with psycopg.connect(maintenance, autocommit=True, connect_timeout=5) as connection:
            exists = connection.execute(
                "SELECT 1 FROM pg_database WHERE datname = %s", [name]
            ).fetchone()
            if not exists:
                connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
                print(f"Created database {name}.")
    except psycopg.OperationalError as error:
        sys.exit(
            f"The benchmarks need PostgreSQL and could not reach {parts.hostname}:{parts.port}: "
            f"{error}. Start PostgreSQL or set BENCH_DATABASE_URL."
        )


def setup_django(url: str) -> None:
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.db import connections

    # DEBUG would keep every query in memory (and skew the memory numbers); one persistent
    # connection keeps connection set-up out of the timings, as in production with
    # CONN_MAX_AGE.
    settings.DEBUG = False
    connections["default"].settings_dict["CONN_MAX_AGE"] = None


def machine() -> dict[str, str]:
    from django.db import connection

    cpu = platform.processor() or platform.machine()
    memory = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                memory = f"{int(line.split()[1]) / 2**20:.1f} GiB"
                break
    except OSError:
        pass
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        postgres = cursor.fetchone()[0]
    load = ", ".join(f"{value:.2f}" for value in os.getloadavg())
    return {
        "cpu": f"{cpu}, {os.cpu_count()} cores",
        "memory": memory,
        "python": platform.python_version(),
        "postgresql": postgres,
        "load average at start": load,
    }


def run_module(name: str) -> list[dict[str, Any]]:
    started = time.monotonic()
    try:
        rows = list(importlib.import_module(name).run())
    except Exception as error:  # noqa: BLE001 - one broken benchmark must not hide the others
        traceback.print_exc()
        return [row(name, "-", None, "", note=f"failed: {error.__class__.__name__}: {error}")]
    print(f"  {name}: {len(rows)} rows in {time.monotonic() - started:.0f} s", flush=True)
    return [{key: item.get(key) for key in ROW_KEYS} for item in rows]


def format_cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        return f"{value:,.2f}" if abs(value) < 1000 else f"{value:,.0f}"
    return str(value).replace("|", "\\|")


def table(rows: list[dict[str, Any]]) -> str:
    cells = [[format_cell(item[key]) for key in ROW_KEYS] for item in rows]
    widths = [max(len(key), *(len(line[i]) for line in cells)) for i, key in enumerate(ROW_KEYS)]
    numeric = {"size", "value", "baseline", "ratio"}

    def render(values: list[str]) -> str:
        padded = [
            value.rjust(width) if key in numeric else value.ljust(width)
            for key, value, width in zip(ROW_KEYS, values, widths, strict=True)
        ]
        return "| " + " | ".join(padded) + " |"

    rule = (
        "|"
        + "|".join(
            ("-" * (width + 1) + ":") if key in numeric else ("-" * (width + 2))
            for key, width in zip(ROW_KEYS, widths, strict=True)
        )
        + "|"
    )
    return "\n".join([render(list(ROW_KEYS)), rule, *(render(line) for line in cells)])


def main() -> None:
    started = time.monotonic()
    url = database_url()
    ensure_database(url)
    setup_django(url)
    from django.core.management import call_command

    wanted = sizes()
    parts = urlsplit(url)
    print(f"Benchmarks on PostgreSQL {parts.hostname}:{parts.port or 5432}{parts.path}")
    call_command("migrate", interactive=False, verbosity=0)
    call_command(
        "seed_bench",
        resellers=wanted.resellers,
        orders=wanted.orders,
        lines=wanted.lines,
    )
    about = machine()
    rows: list[dict[str, Any]] = []
    for name in MODULES:
        print(f"Running {name} …", flush=True)
        rows.extend(run_module(name))
    elapsed = time.monotonic() - started

    data = (
        f"{wanted.resellers} resellers, {wanted.orders:,} orders, {wanted.order_lines:,} "
        "order lines (the first reseller has half)"
    )
    header = [
        f"Benchmarks, {datetime.now(UTC):%Y-%m-%d %H:%M} UTC — `make bench` took {elapsed:.0f} s",
        "",
        f"- data: {data}",
        *(f"- {key}: {value}" for key, value in about.items()),
        "- times are the best of interleaved runs; ratio = value / baseline",
        "",
    ]
    report = "\n".join([*header, table(rows), ""])
    print()
    print(report)
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(report, encoding="utf-8")
    print(f"Written to {RESULTS.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
