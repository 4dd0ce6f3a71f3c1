from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from tests.factories import OrderFactory

pytestmark = pytest.mark.django_db


def test_the_dashboard_lists_payments_needing_attention(staff_client, reseller):
    failed = OrderFactory(
        reseller=reseller,
        channel=reseller.channel,
        payment_status="failed",
        last_payment_error="Your card was declined.",
    )
    waiting = OrderFactory(
        reseller=reseller, channel=reseller.channel, payment_status="awaiting_capture"
    )
    no_card = OrderFactory(
        reseller=reseller, channel=reseller.channel, payment_status="awaiting_payment_method"
    )
    fine = OrderFactory(reseller=reseller, channel=reseller.channel, payment_status="captured")
    canceled = OrderFactory(
        reseller=reseller, channel=reseller.channel, payment_status="failed", status="canceled"
    )

    page = staff_client.get(reverse("backoffice:dashboard")).content.decode()

    # One set of counts: the "Needs attention" queues; the payments section lists the orders.
    assert "Payments needing attention</h2>" in page
    assert 'Payments needing attention <span class="count">' not in page
    assert '<span class="stat-number">2</span> <span class="stat-label">Payments failed' in page
    for order in (failed, waiting, no_card):
        assert f">{order.number}</a>" in page
    for order in (fine, canceled):
        assert f">{order.number}</a>" not in page
    assert "Your card was declined." in page


def test_the_dashboard_attention_list_query_count_is_flat(
    staff_client, reseller, django_assert_max_num_queries
):
    OrderFactory(reseller=reseller, channel=reseller.channel, payment_status="failed")
    with django_assert_max_num_queries(30) as small:
        staff_client.get(reverse("backoffice:dashboard"))
    for _ in range(15):
        OrderFactory(reseller=reseller, channel=reseller.channel, payment_status="failed")
    with django_assert_max_num_queries(len(small.captured_queries)):
        staff_client.get(reverse("backoffice:dashboard"))


def test_the_order_page_query_count_does_not_grow_with_attempts(
    staff_client, staff, reseller, django_assert_max_num_queries
):
    from payments.services import payment_capture, payment_refund

    order = OrderFactory(
        reseller=reseller, channel=reseller.channel, payment_status="awaiting_capture"
    )
    payment_capture(order=order, actor=staff)
    with django_assert_max_num_queries(40) as small:
        staff_client.get(order.get_absolute_url())
    for _ in range(5):
        payment_refund(order=order, actor=staff, amount=Decimal("0.10"), reason="r")
    with django_assert_max_num_queries(len(small.captured_queries)):
        staff_client.get(order.get_absolute_url())


@pytest.mark.parametrize(
    "name", ["order_payment_capture", "order_payment_mark_paid", "order_payment_refund"]
)
def test_payment_actions_are_staff_only(reseller_client, reseller, name):
    from django.test import Client

    order = OrderFactory(reseller=reseller, channel=reseller.channel)
    url = reverse(f"backoffice:{name}", args=[order.pk])

    assert Client().post(url).status_code == 302  # to the login page
    assert reseller_client.post(url).status_code == 403
    assert not order.payment_attempts.exists()


def test_a_long_attention_list_shows_twenty_and_counts_them_all(staff_client, reseller):
    for _ in range(23):
        OrderFactory(reseller=reseller, channel=reseller.channel, payment_status="failed")

    page = staff_client.get(reverse("backoffice:dashboard")).content.decode()

    assert '<span class="stat-number">23</span> <span class="stat-label">Payments failed' in page
    assert page.count('<td><a href="/backoffice/orders/') == 20
