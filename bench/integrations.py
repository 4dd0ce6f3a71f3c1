"""Integrations benchmarks (issue 14): the product feed and webhook fan-out.

* Feed CSV through the real feed URL view (token lookup, conditional-GET validators, streamed
  body fully consumed) vs PostgreSQL `COPY (SELECT …) TO STDOUT WITH CSV` of the same rows
  (the feed's columns, the channel's active listings joined to their products, by SKU).
* Peak RSS of the feed at 10,000 and 100,000 listings, each in a fresh process whose peak is
  reset after a warm-up request (a 304 for the same URL: modules loaded, connection open).
* Webhook fan-out: events/s one worker (the delivery task, in one process) delivers to a
  local HTTP receiver (a separate process answering 200), signing each with
  `standardwebhooks` and recording every attempt; against bare urllib3 POSTs of the same
  bodies to the same receiver (no database, no signing) as the baseline.

Data: two bench channels with 10,000 and 100,000 listings of bench products (created once,
reused); BENCH_QUICK=1 uses 1,000 and 10,000. BENCH_WEBHOOK_EVENTS sets the fan-out size
(default 1,000).

`python -m bench.integrations memory <feed url path>` is the child-process probe.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from decimal import Decimal
from pathlib import Path
from typing import Any

from bench.common import best_times, mebibytes, ratio, repeats, row

ROOT = Path(__file__).resolve().parent.parent
SKU_PREFIX = "BENCH-FEED-"
RECEIVER = """
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    def do_POST(self):
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()
    def log_message(self, *args):
        pass

server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
print(server.server_address[1], flush=True)
server.serve_forever()
"""


def feed_sizes() -> tuple[int, int]:
    return (1_000, 10_000) if os.environ.get("BENCH_QUICK") == "1" else (10_000, 100_000)


def run() -> list[dict[str, Any]]:
    from django.db import connection

    if connection.vendor != "postgresql":
        return [row("integrations", "-", None, "", note="needs PostgreSQL (COPY); skipped")]
    small, large = feed_sizes()
    feeds = {size: _feed_url(size) for size in (small, large)}
    rows = _feed_vs_copy(large, feeds[large])
    rows += _feed_memory(small, feeds[small], large, feeds[large])
    rows += _webhook_fan_out(int(os.environ.get("BENCH_WEBHOOK_EVENTS", "1000")))
    return rows


# --- data -----------------------------------------------------------------------------------


def _ensure_products(count: int) -> list[int]:
    """Ids of `count` bench products (created on the first run, reused afterwards)."""
    from channels.models import Product

    existing = Product.objects.filter(sku__startswith=SKU_PREFIX).count()
    if existing < count:
        batch = []
        for number in range(existing, count):
            batch.append(
                Product(
                    sku=f"{SKU_PREFIX}{number:07d}",
                    title=f"Bench product {number}",
                    description="A product with a description long enough to be realistic, "
                    "with a comma, and a second sentence.",
                    cost=Decimal("4.00"),
                    msrp=Decimal("19.99"),
                    weight=Decimal("1.250"),
                    stock=number % 500,
                )
            )
            if len(batch) == 5_000:
                Product.objects.bulk_create(batch)
                batch.clear()
        Product.objects.bulk_create(batch)
    return list(
        Product.objects.filter(sku__startswith=SKU_PREFIX)
        .order_by("sku")
        .values_list("id", flat=True)[:count]
    )


def _feed_url(size: int) -> str:
    """A feed URL (a fresh token) for a reseller on a channel listing `size` products."""
    from channels.models import Channel, Listing
    from integrations.services import feed_token_issue
    from resellers.choices import ResellerStatus
    from resellers.models import Reseller

    channel, _ = Channel.objects.get_or_create(
        slug=f"bench-feed-{size}", defaults={"name": f"Bench feed {size:,}", "currency": "USD"}
    )
    if Listing.objects.filter(channel=channel).count() != size:
        Listing.objects.filter(channel=channel).delete()
        product_ids = _ensure_products(size)
        for start in range(0, size, 5_000):
            Listing.objects.bulk_create(
                Listing(channel=channel, product_id=product_id, price=Decimal("12.50"))
                for product_id in product_ids[start : start + 5_000]
            )
    reseller, _ = Reseller.objects.get_or_create(
        email=f"bench-feed-{size}@example.com",
        defaults={
            "company_name": f"Bench feed reseller {size}",
            "contact_name": "Bench",
            "status": ResellerStatus.APPROVED,
            "channel": channel,
            "country": "US",
        },
    )
    _, token = feed_token_issue(reseller=reseller, actor=None)
    return f"/feeds/{token}/products.csv"


def _download(client, url: str, **headers) -> int:
    response = client.get(url, **headers)
    if response.status_code not in (200, 304):
        raise RuntimeError(f"{url} answered {response.status_code}")
    if response.status_code == 304:
        return 0
    return sum(len(chunk) for chunk in response.streaming_content)


# psycopg binds the slug client-side (COPY takes no server-side parameters).
COPY_STATEMENT = (
    "COPY (SELECT p.sku, p.title, p.description, l.price, p.msrp, p.stock, p.weight, "
    "l.is_active, to_char(l.updated_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"') "
    "FROM channels_listing l JOIN channels_product p ON p.id = l.product_id "
    "JOIN channels_channel c ON c.id = l.channel_id "
    "WHERE c.slug = %s AND l.is_active ORDER BY p.sku) "
    "TO STDOUT WITH (FORMAT csv, HEADER)"
)


def _copy(channel_slug: str) -> int:
    from django.db import connection

    received = 0
    with connection.cursor() as cursor, cursor.cursor.copy(COPY_STATEMENT, [channel_slug]) as copy:
        for chunk in copy:
            received += len(chunk)
    return received


# --- feed -----------------------------------------------------------------------------------


def _feed_vs_copy(size: int, url: str) -> list[dict[str, Any]]:
    from django.test import Client

    client = Client()
    slug = f"bench-feed-{size}"
    best = best_times(
        {"feed": lambda: _download(client, url), "copy": lambda: _copy(slug)}, repeats(3)
    )
    feed_seconds, feed_bytes = best["feed"]
    copy_seconds, copy_bytes = best["copy"]
    return [
        row(
            "Feed CSV (feed URL) vs COPY",
            size,
            round(feed_seconds, 3),
            "s",
            baseline=round(copy_seconds, 3),
            ratio=ratio(feed_seconds, copy_seconds),
            note=f"{feed_bytes / 2**20:.1f} MiB streamed vs {copy_bytes / 2**20:.1f} MiB by COPY; "
            f"{size / feed_seconds:,.0f} rows/s",
        )
    ]


def _feed_memory(small: int, small_url: str, large: int, large_url: str) -> list[dict[str, Any]]:
    low, high = _probe(small_url), _probe(large_url)
    label = "Feed CSV: peak RSS during the download"
    return [
        row(
            label,
            small,
            mebibytes(low["peak_kib"]),
            "MiB",
            note=f"+{mebibytes(low['peak_kib'] - low['before_kib'])} MiB over the warmed-up "
            "process; fresh process, peak reset after warm-up",
        ),
        row(
            label,
            large,
            mebibytes(high["peak_kib"]),
            "MiB",
            baseline=mebibytes(low["peak_kib"]),
            ratio=ratio(high["peak_kib"], low["peak_kib"]),
            note=f"+{mebibytes(high['peak_kib'] - high['before_kib'])} MiB with "
            f"{large // small}× the rows; ratio ≈ 1 means flat memory",
        ),
    ]


def _probe(url: str) -> dict[str, int]:
    completed = subprocess.run(
        [sys.executable, "-m", "bench.integrations", "memory", url],
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


def _memory_probe(url: str) -> dict[str, int]:
    import gc

    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    django.setup()
    from django.conf import settings
    from django.test import Client

    from bench.exports import _proc_status, _reset_peak_rss

    settings.DEBUG = False
    client = Client()
    first = client.get(url)
    etag = first["ETag"]
    first.close()
    _download(client, url, HTTP_IF_NONE_MATCH=etag)  # warm-up: a 304, no rows
    gc.collect()
    reset = _reset_peak_rss()
    before = _proc_status("VmRSS")
    size = _download(client, url)
    peak = _proc_status("VmHWM") if reset else _proc_status("VmPeak")
    return {"before_kib": before, "peak_kib": peak, "bytes": size, "peak_reset": int(reset)}


# --- webhooks -------------------------------------------------------------------------------


def _webhook_fan_out(events: int) -> list[dict[str, Any]]:
    import urllib3
    from django.conf import settings
    from django.db import transaction

    from config.celery import app as celery_app
    from integrations import services
    from integrations.models import WebhookEndpoint
    from integrations.tasks import LEASE, _signed_request, deliver_webhooks
    from resellers.models import Reseller

    settings.WEBHOOKS_ALLOW_LOOPBACK = True
    # One worker: the task runs in this process, continuing batch after batch inline.
    celery_app.conf.task_always_eager = True
    receiver = subprocess.Popen([sys.executable, "-c", RECEIVER], stdout=subprocess.PIPE, text=True)
    try:
        port = int(receiver.stdout.readline())
        url = f"http://127.0.0.1:{port}/hooks"
        reseller = Reseller.objects.filter(email__startswith="bench-feed-").first()
        WebhookEndpoint.objects.filter(reseller=reseller).delete()
        endpoint, _ = services.webhook_endpoint_create(
            reseller=reseller, url=url, events=["order.created"], actor=_staff()
        )
        # Hold the endpoint while the events are written, so the on-commit tasks leave them
        # queued; the timed part is the delivery alone.
        services.endpoint_claim(endpoint_id=endpoint.pk, lease=LEASE)
        data = {"order": {"id": 1, "reference_number": "PO-1", "lines": [{"sku": "A"}] * 5}}
        with transaction.atomic():
            for _ in range(events):
                services.webhook_event_record(
                    reseller_id=reseller.pk, event_type="order.created", data=lambda: data
                )
        bodies = [
            _signed_request(delivery)
            for delivery in endpoint.deliveries.select_related("event", "endpoint")[:events]
        ]
        services.endpoint_release(endpoint_id=endpoint.pk)

        started = time.perf_counter()
        deliver_webhooks(endpoint.pk)
        worker_seconds = time.perf_counter() - started
        delivered = endpoint.deliveries.filter(status="succeeded").count()

        pool = urllib3.HTTPConnectionPool("127.0.0.1", port, maxsize=1, retries=False)
        started = time.perf_counter()
        for body, headers in bodies:
            pool.urlopen("POST", "/hooks", body=body, headers=headers).read()
        bare_seconds = time.perf_counter() - started
    finally:
        receiver.terminate()
        receiver.wait(timeout=10)
    rate, bare_rate = delivered / worker_seconds, len(bodies) / bare_seconds
    return [
        row(
            "Webhook fan-out: events delivered by one worker",
            events,
            round(rate, 1),
            "events/s",
            baseline=round(bare_rate, 1),
            ratio=ratio(rate, bare_rate),
            note=f"{delivered:,} delivered in {worker_seconds:.1f} s (sign, SSRF check, new "
            "connection, log row per event); baseline: bare urllib3 POSTs on one kept-alive "
            "connection, no database",
        )
    ]


def _staff():
    from bench.common import bench_staff

    return bench_staff()


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "memory":
        print(json.dumps(_memory_probe(sys.argv[2])))
    else:
        sys.exit("usage: python -m bench.integrations memory <feed url path>")
