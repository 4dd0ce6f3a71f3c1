"""The all-orders list (and its export) filters by reseller and payment status."""

from __future__ import annotations

import csv
import io

import pytest
from django.urls import reverse

from tests.factories import OrderFactory

pytestmark = pytest.mark.django_db


def listed(html: str, orders) -> set[str]:
    return {order.number for order in orders if order.number in html}


def test_all_orders_filter_by_reseller_and_payment_status(
    staff_client, reseller, other_reseller_with_user
):
    other, _ = other_reseller_with_user
    wanted = OrderFactory(reseller=reseller, payment_status="awaiting_authorization")
    wrong_status = OrderFactory(reseller=reseller, payment_status="captured")
    wrong_reseller = OrderFactory(reseller=other, payment_status="awaiting_authorization")
    everyone = [wanted, wrong_status, wrong_reseller]
    params = {"reseller": reseller.pk, "payment_status": "awaiting_authorization"}

    html = staff_client.get(reverse("backoffice:order_list"), params).content.decode()
    response = staff_client.get(reverse("backoffice:order_export", kwargs={"fmt": "csv"}), params)

    assert listed(html, everyone) == {wanted.number}
    assert 'id="id_reseller"' in html and 'id="id_payment_status"' in html
    rows = list(
        csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig")))
    )
    assert {row["Order number"] for row in rows} == {wanted.number}


def test_the_payment_status_filter_alone(staff_client, reseller):
    captured = OrderFactory(reseller=reseller, payment_status="captured")
    waiting = OrderFactory(reseller=reseller, payment_status="awaiting_capture")

    html = staff_client.get(
        reverse("backoffice:order_list"), {"payment_status": "awaiting_capture"}
    ).content.decode()

    assert listed(html, [captured, waiting]) == {waiting.number}


def test_an_unknown_reseller_or_payment_status_is_a_form_error_not_a_partial_list(
    staff_client, reseller
):
    order = OrderFactory(reseller=reseller)
    for params in ({"reseller": 999999}, {"payment_status": "lost"}):
        html = staff_client.get(reverse("backoffice:order_list"), params).content.decode()
        assert order.number not in html
        assert "Select a valid choice" in html


def test_no_filter_label_contains_another_filters_label(staff_client):
    """Fields are found by their label (people, screen readers, browser tests): "Status" must
    name one field, not also match "Payment status"."""
    from orders.filters import AllOrdersFilter

    labels = [str(field.label).lower() for field in AllOrdersFilter().form.fields.values()]
    for label in labels:
        assert [other for other in labels if label in other] == [label], label


def test_the_portal_never_lists_other_resellers_in_its_filters(
    reseller_client, reseller, other_reseller_with_user
):
    other, _ = other_reseller_with_user
    OrderFactory(reseller=reseller)

    html = reseller_client.get(reverse("portal:order_list")).content.decode()

    assert other.company_name not in html
    assert 'id="id_reseller"' not in html
    assert 'id="id_payment_status"' not in html  # the all-orders list's filters only
    # The parameter is ignored there, not used to reach someone else's orders.
    theirs = OrderFactory(reseller=other)
    html = reseller_client.get(
        reverse("portal:order_list"), {"reseller": other.pk}
    ).content.decode()
    assert theirs.number not in html


def test_the_all_orders_list_query_count_does_not_grow(
    staff_client, reseller, other_reseller_with_user, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    url = reverse("backoffice:order_list")
    OrderFactory(reseller=reseller)
    with CaptureQueriesContext(connection) as small:
        staff_client.get(url, {"payment_status": "awaiting_capture"})
    for _ in range(20):
        OrderFactory(reseller=other_reseller_with_user[0])
    with django_assert_max_num_queries(len(small)):
        staff_client.get(url, {"payment_status": "awaiting_capture"})
