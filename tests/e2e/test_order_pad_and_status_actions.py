"""The ordering journey in a real browser: catalog → order pad (with the Add row script) →
order detail, then staff hold and cancel it (the cancel asks for confirmation)."""

from __future__ import annotations

import pytest

from orders.models import Order
from tests.conftest import make_reseller_user
from tests.factories import PASSWORD, ChannelFactory, ListingFactory, ProductFactory, StaffFactory

from .conftest import assert_no_serious_axe_violations, log_in, log_out, screenshot

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_a_reseller_orders_from_the_pad_and_staff_cancel_it(new_page):
    channel = ChannelFactory(name="Retail", slug="retail", is_default=True)
    for n in range(1, 8):
        ListingFactory(
            channel=channel, product=ProductFactory(sku=f"SKU-{n}", title=f"Item {n}"), price="2.50"
        )
    reseller, user = make_reseller_user(channel=channel, company_name="Harbor Goods")
    StaffFactory(email="staff@example.com")
    page = new_page()

    log_in(page, user.email, PASSWORD)
    page.get_by_role("link", name="Catalog").first.click()
    page.get_by_label("Search by SKU or title").fill("SKU-7")
    page.get_by_role("button", name="Filter").click()
    assert_no_serious_axe_violations(page)
    page.get_by_role("link", name="Order SKU-7").click()

    assert_no_serious_axe_violations(page)
    skus, quantities = page.get_by_label("SKU", exact=True), page.get_by_label("Quantity")
    assert skus.count() == 6  # the catalog's SKU, then five empty rows
    assert skus.nth(0).input_value() == "SKU-7"
    page.get_by_role("button", name="Add row").click()
    assert skus.count() == 7
    for row, sku in [(1, "SKU-1"), (6, "SKU-6")]:
        skus.nth(row).fill(sku)
        quantities.nth(row).fill("3")
    page.get_by_label("Reference number").fill("WEB-1001")
    page.get_by_label("Name").fill("Jordan Customer")
    page.get_by_label("Address line 1").fill("742 Evergreen Terrace")
    page.get_by_label("City").fill("Springfield")
    page.get_by_label("State").fill("OR")
    page.get_by_label("Postal code").fill("97403")
    page.get_by_label("Country").fill("US")
    screenshot(page, "order-pad-filled")
    page.get_by_role("button", name="Place order").click()

    page.get_by_text("placed: 3 lines").wait_for()
    assert_no_serious_axe_violations(page)
    order = Order.objects.get(reseller=reseller)
    assert sorted(order.lines.values_list("sku", "quantity")) == [
        ("SKU-1", 3),
        ("SKU-6", 3),
        ("SKU-7", 1),
    ]
    screenshot(page, "journey-order-pad")
    log_out(page)

    log_in(page, "staff@example.com", PASSWORD)
    page.goto(f"/backoffice/orders/{order.pk}/")
    assert_no_serious_axe_violations(page)
    page.get_by_role("button", name="Hold").click()
    page.get_by_text("is now on hold").wait_for()
    screenshot(page, "backoffice-order-on-hold")
    page.get_by_role("region", name="Status").get_by_label("Reason").fill("Customer called")
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Cancel order").click()
    page.get_by_text("is now canceled").wait_for()
    order.refresh_from_db()
    assert order.status == "canceled"
