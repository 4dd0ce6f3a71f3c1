"""Queries per page at two data sizes: the reseller with half of the bench orders, and a small
one. A page whose query count grows with the data has an N+1 problem; the ratio column should
read 1.0. The CSV export is measured the same way. Page times (best of three) are in the note.
"""

from __future__ import annotations

import time
from typing import Any

from bench.common import (
    bench_reseller_user,
    bench_resellers,
    bench_staff,
    logged_in_client,
    ratio,
    row,
)


def run() -> list[dict[str, Any]]:
    from django.urls import reverse

    resellers = bench_resellers()
    staff = logged_in_client(bench_staff())
    portal = {
        reseller_id: logged_in_client(bench_reseller_user(reseller_id))
        for reseller_id in (resellers.large_id, resellers.small_id)
    }

    pages = [
        (
            "back office: reseller Orders tab",
            lambda reseller_id: (staff, reverse("backoffice:reseller_orders", args=[reseller_id])),
        ),
        (
            "portal: order list",
            lambda reseller_id: (portal[reseller_id], reverse("portal:order_list")),
        ),
        (
            "CSV export (whole file)",
            lambda reseller_id: (
                staff,
                reverse(
                    "backoffice:reseller_orders_export", kwargs={"pk": reseller_id, "fmt": "csv"}
                ),
            ),
        ),
    ]
    rows = []
    for label, target in pages:
        measured = {
            reseller_id: _measure(*target(reseller_id))
            for reseller_id in (resellers.small_id, resellers.large_id)
        }
        small_queries, small_ms = measured[resellers.small_id]
        large_queries, large_ms = measured[resellers.large_id]
        rows.append(
            row(
                f"queries: {label}",
                resellers.small_orders,
                small_queries,
                "queries",
                note=f"{small_ms:.0f} ms; orders of a small reseller",
            )
        )
        rows.append(
            row(
                f"queries: {label}",
                resellers.large_orders,
                large_queries,
                "queries",
                baseline=small_queries,
                ratio=ratio(large_queries, small_queries),
                note=f"{large_ms:.0f} ms; orders of the largest reseller",
            )
        )
    all_orders_queries, all_orders_ms = _measure(staff, reverse("backoffice:order_list"))
    rows.append(
        row(
            "queries: back office all orders",
            "all",
            all_orders_queries,
            "queries",
            note=f"{all_orders_ms:.0f} ms; every bench order",
        )
    )
    return rows


def _measure(client, url: str) -> tuple[int, float]:
    """(queries of one request, best time of three in ms), consuming streamed bodies."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def fetch() -> None:
        response = client.get(url)
        if response.status_code != 200:
            raise RuntimeError(f"{url} answered {response.status_code}")
        if response.streaming:
            for _ in response.streaming_content:
                pass

    fetch()  # warm-up: session, templates, connection
    with CaptureQueriesContext(connection) as captured:
        fetch()
    # Count now: the next request resets the connection's query log the capture reads from.
    queries = len(captured)
    best = float("inf")
    for _ in range(3):
        started = time.perf_counter()
        fetch()
        best = min(best, time.perf_counter() - started)
    return queries, best * 1000
