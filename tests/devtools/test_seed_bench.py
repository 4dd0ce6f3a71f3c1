from __future__ import annotations

from collections import Counter
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db.models import Sum

from devtools.management.commands.seed_bench import BENCH_COMPANY_PREFIX, split_orders
from orders.choices import OrderSource, OrderStatus, PaymentStatus
from orders.models import Order, OrderLine
from resellers.choices import ORDERING_STATUSES
from tests.factories import OrderFactory, OrderLineFactory

pytestmark = pytest.mark.django_db


def seed(*args: str) -> str:
    out = StringIO()
    call_command("seed_bench", *args, stdout=out)
    return out.getvalue()


def bench_orders():
    return Order.objects.filter(reseller__company_name__startswith=BENCH_COMPANY_PREFIX)


@pytest.mark.parametrize(
    "orders, resellers, expected",
    [
        (10, 3, [5, 3, 2]),
        (20_000, 20, [10_000] + [527] * 6 + [526] * 13),
        (7, 1, [7]),
        (4, 4, [2, 1, 1, 0]),
    ],
)
def test_the_first_reseller_gets_half_and_the_others_share_the_rest(orders, resellers, expected):
    assert split_orders(orders, resellers) == expected
    assert sum(expected) == orders


def test_it_seeds_the_requested_sizes_with_real_looking_orders():
    output = seed("--resellers", "3", "--orders", "10", "--lines", "2")

    assert "Seeded 3 resellers, 10 orders and 20 order lines in" in output
    orders = bench_orders()
    per_reseller = Counter(orders.values_list("reseller__company_name", flat=True))
    assert sorted(per_reseller.values(), reverse=True) == [5, 3, 2]
    assert per_reseller[f"{BENCH_COMPANY_PREFIX} 01"] == 5
    assert OrderLine.objects.filter(order__in=orders).count() == 20
    for order in orders.select_related("reseller"):
        assert order.number == f"SO-{order.pk:07d}"
        assert order.reseller.status in ORDERING_STATUSES
        assert order.reseller.channel.slug == "bench"
        assert order.status in OrderStatus.values and order.source in OrderSource.values
        # Payment states the application produces: canceling leaves the payment untouched.
        shipped = order.status in (OrderStatus.SHIPPED, OrderStatus.CLOSED)
        assert order.payment_status == (
            PaymentStatus.CAPTURED if shipped else PaymentStatus.AWAITING_CAPTURE
        )
        lines = order.lines.all()
        assert len(lines) == 2 and len({line.sku for line in lines}) == 2
        assert order.subtotal == order.total == sum(line.line_total for line in lines)
        assert all(line.line_total == line.unit_price * line.quantity for line in lines)
    references = orders.values_list("reseller_id", "reference_number")
    assert len(set(references)) == len(references) == 10


def test_running_it_again_with_the_same_sizes_changes_nothing():
    seed("--resellers", "2", "--orders", "6", "--lines", "3")
    before = sorted(bench_orders().values_list("pk", flat=True))

    output = seed("--resellers", "2", "--orders", "6", "--lines", "3")

    assert "already seeded" in output
    assert sorted(bench_orders().values_list("pk", flat=True)) == before


def test_other_sizes_replace_only_the_bench_data(reseller):
    real = OrderFactory(reseller=reseller)
    OrderLineFactory(order=real)
    seed("--resellers", "3", "--orders", "9", "--lines", "2")

    seed("--resellers", "2", "--orders", "4", "--lines", "5")

    assert bench_orders().count() == 4
    assert OrderLine.objects.filter(order__in=bench_orders()).count() == 20
    assert bench_orders().values("reseller").distinct().count() == 2
    assert Order.objects.filter(pk=real.pk).exists()
    assert real.lines.count() == 1


def test_reset_rebuilds_even_when_the_sizes_match():
    seed("--resellers", "2", "--orders", "4", "--lines", "1")
    before = set(bench_orders().values_list("pk", flat=True))

    seed("--resellers", "2", "--orders", "4", "--lines", "1", "--reset")

    after = set(bench_orders().values_list("pk", flat=True))
    assert len(after) == 4 and not before & after


def test_orders_placed_after_seeding_get_fresh_ids_and_numbers(reseller):
    seed("--resellers", "2", "--orders", "6", "--lines", "1")

    later = OrderFactory(reseller=reseller)

    assert later.pk > max(bench_orders().values_list("pk", flat=True))
    assert Order.objects.filter(number=later.number).count() == 1


def test_the_seeded_totals_add_up():
    seed("--resellers", "2", "--orders", "8", "--lines", "4")

    line_sum = OrderLine.objects.filter(order__in=bench_orders()).aggregate(s=Sum("line_total"))
    assert bench_orders().aggregate(s=Sum("subtotal"))["s"] == line_sum["s"]


@pytest.mark.parametrize(
    "args",
    [
        ["--resellers", "0"],
        ["--orders", "0"],
        ["--lines", "0"],
        ["--resellers", "5", "--orders", "3"],
        ["--resellers", "4", "--orders", "4"],
    ],
)
def test_it_refuses_sizes_that_make_no_sense(args):
    with pytest.raises(CommandError):
        seed(*args)
