"""Issue 11 item 5: a very large order total was a 500 (numeric overflow) in the API and the
portal. order_place now checks every money value against its column's precision and refuses
the order with an error naming the line (`items[i].quantity`), and nothing is saved.

A listing can cost up to 9,999,999,999.99 and a line can hold 100,000 units, so one line's
total can have 15 digits before the point where an order line holds 12. This runs on SQLite
(whose adapter raised on the oversized Decimal) and on PostgreSQL (numeric field overflow).
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from orders.exceptions import OrderValidationError
from orders.models import InvoiceLine, Order, OrderEvent, OrderLine
from orders.services import order_place
from tests.apikeys.conftest import ApiClient, issue_key, order_body
from tests.factories import ListingFactory, ProductFactory
from tests.orders.conftest import order_request, pad_post
from tests.rules.factories import RuleFactory

pytestmark = pytest.mark.django_db

NEW_ORDER = "/portal/orders/new/"
HUGE_PRICE = Decimal("9999999999.99")  # the largest price a listing holds


@pytest.fixture
def ship_to_post() -> dict[str, str]:
    return {
        "ship-name": "Jordan Customer",
        "ship-address_line1": "742 Evergreen Terrace",
        "ship-city": "Springfield",
        "ship-state": "OR",
        "ship-postal_code": "97403",
        "ship-country": "US",
    }


@pytest.fixture
def huge_listing(channel):
    return ListingFactory(channel=channel, product=ProductFactory(sku="YACHT"), price=HUGE_PRICE)


def _nothing_saved() -> None:
    assert not Order.objects.exists()
    assert not OrderLine.objects.exists()
    assert not InvoiceLine.objects.exists()
    assert not OrderEvent.objects.exists()


def test_the_service_names_the_line_whose_total_does_not_fit(reseller, listings, huge_listing):
    request = order_request(items=[("SKU-1", 1), ("YACHT", 100_000)])

    with pytest.raises(OrderValidationError) as refused:
        order_place(reseller=reseller, request=request)

    [problem] = refused.value.field_errors
    assert (problem.path, problem.item, problem.field) == ("items[1].quantity", 1, "quantity")
    assert "999,999,999,999.99" in problem.message
    assert refused.value.errors[0][1].startswith("Line 2: The line total")
    _nothing_saved()


def test_lines_that_fit_but_sum_past_the_order_total_are_refused(reseller, channel):
    # 12-digit line totals: each fits a line, 200 of them do not fit the order's subtotal.
    price = Decimal("9999999999.99")
    skus = [f"BIG-{n}" for n in range(200)]
    for sku in skus:
        ListingFactory(channel=channel, product=ProductFactory(sku=sku), price=price)

    with pytest.raises(OrderValidationError) as refused:
        order_place(reseller=reseller, request=order_request(items=[(s, 99) for s in skus]))

    assert [error.path for error in refused.value.field_errors] == ["items"]
    assert "split it into smaller orders" in refused.value.field_errors[0].message
    _nothing_saved()


def test_a_rule_fee_that_overflows_the_total_is_refused(reseller, channel):
    # The line fits, the fee fits an invoice line, their sum does not fit the order's total:
    # the totals the invoicing rules compute are checked as well.
    ListingFactory(channel=channel, product=ProductFactory(sku="BIG"), price=HUGE_PRICE)
    RuleFactory(
        name="Handling",
        actions=[{"type": "extra_fee", "label": "Handling", "amount": "1000000000"}],
    )

    with pytest.raises(OrderValidationError) as refused:
        order_place(reseller=reseller, request=order_request(items=[("BIG", 100)]))

    assert [error.path for error in refused.value.field_errors] == ["items"]
    _nothing_saved()


def test_the_largest_order_that_fits_is_placed(reseller, channel):
    ListingFactory(channel=channel, product=ProductFactory(sku="BIG"), price=HUGE_PRICE)

    order = order_place(reseller=reseller, request=order_request(items=[("BIG", 100)]))

    order.refresh_from_db()
    assert order.total == HUGE_PRICE * 100


def test_the_api_answers_422_naming_the_line(reseller_with_user, listings, huge_listing):
    api = ApiClient(issue_key(*reseller_with_user))

    response = api.post("/orders", order_body(items=[("SKU-1", 1), ("YACHT", 100_000)]))

    assert response.status_code == 422, response.content
    body = response.json()
    assert body["detail"] == "The order is not valid; nothing was saved."
    [error] = body["errors"]
    assert error["field"] == "items[1].quantity"
    assert error["message"].startswith("Line 2: The line total")
    _nothing_saved()


def test_the_portal_shows_the_error_next_to_the_row(
    reseller_client, listings, huge_listing, ship_to_post
):
    data = pad_post([("SKU-1", 1), ("", ""), ("YACHT", 100_000)], ship_to=ship_to_post)

    response = reseller_client.post(NEW_ORDER, data)

    assert response.status_code == 200
    rows = response.context["line_formset"].forms
    [message] = rows[2].errors["quantity"]
    assert message.startswith("The line total 999,999,999,999,000.00 is more than")
    summary = [text for _, text in response.context["error_summary"]]
    assert f"Row 3: {message}" in summary
    _nothing_saved()


def test_the_pasted_csv_names_its_line(reseller_client, listings, huge_listing, ship_to_post):
    data = pad_post([], ship_to=ship_to_post, lines_text="SKU-1,1\nYACHT,100000\n")

    response = reseller_client.post(NEW_ORDER, data)

    [message] = response.context["csv_form"].errors["lines_text"]
    assert message.startswith("In the pasted text: line 2: The line total")
    _nothing_saved()
