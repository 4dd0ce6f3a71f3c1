"""Fulfilment in a real browser: staff import a warehouse's tracking file and the reseller's
order page shows the tracking link; the reseller cancels another order that has not shipped
and its stock is back on the catalog."""

from __future__ import annotations

import pytest

from channels.models import Product
from orders.services import order_place
from tests.conftest import make_reseller_user
from tests.factories import PASSWORD, ChannelFactory, ListingFactory, ProductFactory, StaffFactory
from tests.orders.conftest import order_request

from .conftest import assert_no_serious_axe_violations, log_in, log_out, screenshot

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_tracking_reaches_the_reseller_and_a_canceled_order_frees_its_stock(new_page, tmp_path):
    channel = ChannelFactory(name="Retail", slug="retail", is_default=True)
    ListingFactory(channel=channel, product=ProductFactory(sku="CAP-NAVY", stock=10))
    reseller, user = make_reseller_user(channel=channel, company_name="Harbor Goods")
    StaffFactory(email="staff@example.com")
    shipped = order_place(
        reseller=reseller, request=order_request("WEB-1", items=(("CAP-NAVY", 3),))
    )
    unshipped = order_place(
        reseller=reseller, request=order_request("WEB-2", items=(("CAP-NAVY", 4),))
    )
    tracking_file = tmp_path / "tracking.csv"
    tracking_file.write_text("order_number,carrier,tracking_number\nWEB-1,UPS,1Z999AA10123456784\n")
    page = new_page()

    log_in(page, "staff@example.com", PASSWORD)
    page.goto("/backoffice/orders/")
    page.get_by_role("link", name="Import tracking").click()
    assert_no_serious_axe_violations(page)
    page.get_by_label("CSV file").set_input_files(str(tracking_file))
    page.get_by_role("button", name="Import").click()
    page.get_by_text("Imported 1 shipments for 1 orders.").wait_for()
    log_out(page)

    log_in(page, user.email, PASSWORD)
    page.goto("/portal/orders/")
    page.locator("td .badge-shipped").first.wait_for()  # the order list's badge
    page.get_by_role("link", name=shipped.number).click()
    tracking = page.get_by_role("link", name="Tracking")
    assert tracking.get_attribute("href") == "https://www.ups.com/track?tracknum=1Z999AA10123456784"
    assert page.get_by_role("button", name="Cancel order").count() == 0  # shipped: no cancel
    assert_no_serious_axe_violations(page)
    screenshot(page, "portal-order-with-tracking")

    page.goto("/portal/catalog/")
    assert page.get_by_role("cell", name="3", exact=True).count() == 1  # 10 - 3 shipped - 4
    page.goto(f"/portal/orders/{unshipped.pk}/")
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Cancel order").click()
    page.get_by_text(f"Order {unshipped.number} is canceled; its stock is released.").wait_for()
    screenshot(page, "portal-order-canceled")
    page.goto("/portal/catalog/")
    assert page.get_by_role("cell", name="7", exact=True).count() == 1

    product = Product.objects.get(sku="CAP-NAVY")
    assert (product.stock, product.reserved, product.available) == (7, 0, 7)


def test_the_order_pages_fit_a_phone_screen(new_page):
    channel = ChannelFactory(name="Retail", slug="retail", is_default=True)
    ListingFactory(channel=channel, product=ProductFactory(sku="CAP-NAVY", stock=10))
    reseller, user = make_reseller_user(channel=channel)
    StaffFactory(email="staff@example.com")
    order = order_place(reseller=reseller, request=order_request("WEB-1", items=(("CAP-NAVY", 3),)))
    page = new_page(width=390, height=844)

    log_in(page, "staff@example.com", PASSWORD)
    for url in [
        f"/backoffice/orders/{order.pk}/shipments/new/",
        "/backoffice/shipments/import/",
        f"/backoffice/orders/{order.pk}/",
    ]:
        page.goto(url)
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), url
    screenshot(page, "backoffice-order-phone")
    page.goto(f"/backoffice/orders/{order.pk}/shipments/new/")
    screenshot(page, "backoffice-add-shipment-phone")
    log_out(page)
    log_in(page, user.email, PASSWORD)
    page.goto(f"/portal/orders/{order.pk}/")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    screenshot(page, "portal-order-phone")
