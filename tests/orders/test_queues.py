"""The back-office dashboard's queues: counts that link to exactly the rows they count."""

from __future__ import annotations

import re
from datetime import timedelta
from html import unescape

import pytest
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from orders import queues
from orders.queues import QUEUES, Queue, queue_counts
from tests.factories import OrderFactory, ResellerFactory

pytestmark = pytest.mark.django_db

TODAY = [
    "Resellers pending approval",
    "Orders awaiting capture",
    "Awaiting reseller authorization",
    "Payments failed",
    "Orders to ship",
    "Invoices overdue",
]


def dashboard_queues(client) -> dict[str, tuple[int, str]]:
    html = client.get(reverse("backoffice:dashboard")).content.decode()
    section = html[html.index('class="stats queues"') : html.index("Resellers by status")]
    found = re.findall(
        r'<a href="([^"]+)"><span class="stat-number">(\d+)</span> '
        r'<span class="stat-label">([^<]+)</span>',
        section,
    )
    return {label: (int(count), unescape(url)) for url, count, label in found}


def rows_on(client, url: str, marker: str) -> int:
    html = client.get(url).content.decode()
    return html.count(marker)


@pytest.fixture
def work(reseller, other_reseller_with_user):
    other, _ = other_reseller_with_user
    ResellerFactory.create_batch(3)  # pending
    OrderFactory.create_batch(2, reseller=reseller, payment_status="awaiting_capture")
    OrderFactory(reseller=other, payment_status="awaiting_authorization", status="on_hold")
    OrderFactory(reseller=other, payment_status="captured", status="shipped")
    OrderFactory(reseller=reseller, payment_status="captured", status="open")
    today = timezone.localdate()
    failed = OrderFactory(reseller=other, payment_status="failed", status="on_hold")
    overdue = OrderFactory(
        reseller=reseller,
        payment_status="on_terms",
        status="shipped",
        due_date=today - timedelta(days=1),
    )
    # Not overdue: due today, due later, or past due but paid.
    OrderFactory(reseller=reseller, payment_status="on_terms", status="shipped", due_date=today)
    OrderFactory(
        reseller=other, payment_status="on_terms", status="shipped", due_date=today + timedelta(5)
    )
    OrderFactory(
        reseller=other, payment_status="captured", status="shipped", due_date=today - timedelta(9)
    )
    return {"failed": failed, "overdue": overdue}


def test_the_dashboard_counts_each_queue_and_links_to_exactly_those_rows(staff_client, work):
    shown = dashboard_queues(staff_client)

    assert list(shown) == TODAY
    assert {label: count for label, (count, _) in shown.items()} == {
        "Resellers pending approval": 3,
        "Orders awaiting capture": 2,
        "Awaiting reseller authorization": 1,
        "Payments failed": 1,
        "Orders to ship": 3,
        "Invoices overdue": 1,
    }
    for label, (count, url) in shown.items():
        marker = "/backoffice/resellers/" if "Resellers" in label else "/backoffice/orders/"
        # Each row links its detail page once in the first cell.
        listed = rows_on(staff_client, url, f'<td><a href="{marker}')
        assert listed == count, (label, url)


def test_queues_for_statuses_this_installation_lacks_are_left_out(monkeypatch):
    # Payments and invoicing are installed: both of their queues show.
    assert {"Payments failed", "Invoices overdue"} <= {queue.label for queue in queue_counts()}
    # Without a status or field, a declared queue is left out rather than failing.
    missing = Queue(
        "Orders in limbo",
        queues.Order,
        "backoffice:order_list",
        {"payment_status": "limbo"},
        lambda: Q(payment_status="limbo"),
        available=queues._has_value(queues.PaymentStatus, "limbo"),
    )
    monkeypatch.setattr(queues, "QUEUES", (*QUEUES, missing))
    assert "Orders in limbo" not in {queue.label for queue in queue_counts()}


@pytest.mark.parametrize(
    ("label", "which", "url"),
    [
        ("Payments failed", "failed", "/backoffice/orders/?payment_status=failed"),
        ("Invoices overdue", "overdue", "/backoffice/orders/?overdue=yes"),
    ],
)
def test_payments_failed_and_invoices_overdue_link_to_a_list_of_exactly_those_orders(
    staff_client, work, label, which, url
):
    count, link = dashboard_queues(staff_client)[label]

    assert (count, link) == (1, url)
    listed = staff_client.get(link).content.decode()
    numbers = re.findall(r'<td><a href="/backoffice/orders/\d+/">([^<]+)</a>', listed)
    assert numbers == [work[which].number]


def test_adding_a_queue_is_one_line(staff_client, reseller, monkeypatch):
    OrderFactory(reseller=reseller, status="on_hold")
    OrderFactory(reseller=reseller, status="open")
    on_hold = Queue(
        "Orders on hold",
        queues.Order,
        "backoffice:order_list",
        {"status": "on_hold"},
        lambda: Q(status="on_hold"),
    )
    monkeypatch.setattr(queues, "QUEUES", (*QUEUES, on_hold))

    count, url = dashboard_queues(staff_client)["Orders on hold"]

    assert count == 1
    assert url == "/backoffice/orders/?status=on_hold"


def test_the_dashboard_query_count_does_not_grow(
    staff_client, reseller, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    OrderFactory(reseller=reseller)
    with CaptureQueriesContext(connection) as small:
        staff_client.get(reverse("backoffice:dashboard"))
    ResellerFactory.create_batch(10)
    OrderFactory.create_batch(30, reseller=reseller, payment_status="awaiting_authorization")
    with django_assert_max_num_queries(len(small)):
        staff_client.get(reverse("backoffice:dashboard"))
