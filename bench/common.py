"""What every benchmark module shares: the data sizes, the bench users, timing helpers.

A benchmark module exposes `run() -> list[dict]`; each dict has the keys of `ROW_KEYS`.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

ROW_KEYS = ("benchmark", "size", "value", "unit", "baseline", "ratio", "note")
DEFAULT_BENCH_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/rp_bench"


@dataclass(frozen=True)
class Sizes:
    resellers: int
    orders: int
    lines: int

    @property
    def order_lines(self) -> int:
        return self.orders * self.lines


def sizes() -> Sizes:
    """The data set: ≥ 200,000 order lines by default; BENCH_QUICK=1 for a smoke run."""
    if os.environ.get("BENCH_QUICK") == "1":
        return Sizes(resellers=5, orders=400, lines=5)
    return Sizes(
        resellers=int(os.environ.get("BENCH_RESELLERS", "20")),
        orders=int(os.environ.get("BENCH_ORDERS", "20000")),
        lines=int(os.environ.get("BENCH_LINES", "10")),
    )


def repeats(default: int) -> int:
    """Timed runs per measurement (the best is kept); BENCH_REPEATS overrides."""
    return max(1, int(os.environ.get("BENCH_REPEATS", str(default))))


def row(
    benchmark: str,
    size: int | str,
    value: float | int | None,
    unit: str,
    *,
    baseline: float | int | None = None,
    ratio: float | None = None,
    note: str = "",
) -> dict[str, Any]:
    return {
        "benchmark": benchmark,
        "size": size,
        "value": value,
        "unit": unit,
        "baseline": baseline,
        "ratio": ratio,
        "note": note,
    }


def ratio(value: float, baseline: float) -> float | None:
    return round(value / baseline, 2) if baseline else None


def best_times(
    candidates: dict[str, Callable[[], object]], runs: int
) -> dict[str, tuple[float, object]]:
    """Best wall time of each candidate over `runs` rounds, run in turn (A, B, A, B, …).

    Interleaving means a burst of load from elsewhere on the machine hits both sides of a
    ratio, and the minimum is the run least disturbed by it. Returns (seconds, last result).
    """
    best: dict[str, tuple[float, object]] = {}
    for _ in range(runs):
        for name, call in candidates.items():
            started = time.perf_counter()
            result = call()
            elapsed = time.perf_counter() - started
            if name not in best or elapsed < best[name][0]:
                best[name] = (elapsed, result)
    return best


@dataclass(frozen=True)
class BenchResellers:
    """The reseller with half of the orders, and one of the small ones."""

    large_id: int
    large_orders: int
    large_lines: int
    small_id: int
    small_orders: int
    small_lines: int
    total_lines: int


def bench_resellers() -> BenchResellers:
    from django.db.models import Count

    from devtools.management.commands.seed_bench import bench_resellers as seeded
    from orders.models import OrderLine

    counted = list(
        seeded().annotate(order_count=Count("orders")).order_by("-order_count", "id")[:2]
    )
    if len(counted) < 2:
        raise RuntimeError("The bench needs at least two bench resellers; run seed_bench.")
    large, small = counted[0], counted[-1]

    def lines(reseller_id: int) -> int:
        return OrderLine.objects.filter(order__reseller_id=reseller_id).count()

    return BenchResellers(
        large_id=large.pk,
        large_orders=large.order_count,
        large_lines=lines(large.pk),
        small_id=small.pk,
        small_orders=small.order_count,
        small_lines=lines(small.pk),
        total_lines=OrderLine.objects.count(),
    )


def _bench_user(email: str, **defaults):
    """A login for the bench (no usable password: force_login only)."""
    from accounts.models import User

    user, created = User.objects.get_or_create(email=email, defaults=defaults)
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    return user


def bench_staff():
    """A staff login for the back-office pages."""
    return _bench_user("bench-staff@example.com", is_staff=True, full_name="Bench Staff")


def bench_reseller_user(reseller_id: int):
    """A portal login for one bench reseller."""
    return _bench_user(
        f"bench-user-{reseller_id}@example.com", reseller_id=reseller_id, full_name="Bench User"
    )


def logged_in_client(user):
    from django.test import Client

    client = Client()
    client.force_login(user)
    return client


def mebibytes(kibibytes: float) -> float:
    return round(kibibytes / 1024, 1)
