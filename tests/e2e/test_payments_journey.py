"""A reseller puts a card on file through Stripe.js, orders, staff ship, and the card is charged.

Stripe.js here is localstripe's fake one (STRIPE_JS_URL points at it): its card element and
confirmCardSetup talk to the local Stripe server the way the real ones talk to Stripe.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from orders.models import Order
from payments.models import PaymentAttempt, PaymentMethod
from rules.models import Rule
from tests.conftest import make_reseller_user, wait_for
from tests.factories import PASSWORD, ChannelFactory, ListingFactory, ProductFactory, StaffFactory
from tests.payments.localstripe import captured_minor_units

from .conftest import assert_no_serious_axe_violations, log_in, log_out, screenshot

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def assert_no_sideways_scroll(page, within: str = "body") -> None:
    """Nothing in `within` reaches past the right edge of the viewport."""
    wide = page.evaluate(
        f"[...document.querySelectorAll('{within} *')].filter(e => !e.closest('.table-wrap')"
        " && e.getBoundingClientRect().right > window.innerWidth + 1).slice(0, 5)"
        ".map(e => e.tagName + '.' + e.className + '#' + e.id)"
    )
    assert not wide, f"{page.url} is wider than {page.viewport_size['width']}px: {wide}"


def test_a_card_saved_in_settings_pays_for_an_order_when_staff_ship_it(
    new_page, stripe_settings, stripe_api
):
    retail = ChannelFactory(name="Retail", slug="retail", is_default=True)
    ListingFactory(
        channel=retail, product=ProductFactory(sku="MUG-350", title="Ceramic mug"), price="8.25"
    )
    Rule.objects.create(
        name="Retail on shipment",
        kind="payment_capture",
        actions=[{"type": "capture_on_shipment"}],
    )
    reseller, user = make_reseller_user(channel=retail, company_name="Harbor Goods")
    StaffFactory(email="staff@example.com")
    page = new_page()

    log_in(page, user.email, PASSWORD)
    page.get_by_role("link", name="Settings").first.click()
    page.get_by_role("heading", name="Payment methods").wait_for()
    page.get_by_role("link", name="Add card").click()
    card = page.locator("#card-element")
    card.locator("input[placeholder=number]").fill("4242424242424242")
    card.locator("input[placeholder=exp_month]").fill("12")
    card.locator("input[placeholder=exp_year]").fill("30")
    card.locator("input[placeholder=cvc]").fill("123")
    card.locator("input[placeholder=postal_code]").fill("97403")
    page.get_by_role("button", name="Save card").click()

    page.get_by_text("Visa ending in 4242, expires 12/2030 saved as your default card.").wait_for()
    assert PaymentMethod.objects.get(reseller=reseller).last4 == "4242"
    assert_no_serious_axe_violations(page)
    screenshot(page, "journey-payments-card-saved")
    page.set_viewport_size({"width": 390, "height": 844})
    assert_no_sideways_scroll(page)
    page.goto("/portal/settings/payment-methods/add/")
    assert_no_sideways_scroll(page)
    page.goto("/portal/settings/")
    page.set_viewport_size({"width": 1280, "height": 900})

    page.get_by_role("link", name="New order").first.click()
    page.get_by_label("Reference number").fill("HG-PAY-1")
    page.get_by_label("SKU").nth(0).fill("MUG-350")
    page.get_by_label("Quantity").nth(0).fill("4")
    page.get_by_label("Name", exact=True).fill("Jordan Customer")
    page.get_by_label("Address line 1").fill("742 Evergreen Terrace")
    page.get_by_label("City").fill("Springfield")
    page.get_by_label("State").fill("OR")
    page.get_by_label("Postal code").fill("97403")
    page.get_by_label("Country").fill("US")
    page.get_by_role("button", name="Place order").click()
    page.get_by_text("HG-PAY-1").first.wait_for()
    order = Order.objects.get(reference_number="HG-PAY-1")
    assert wait_for(lambda: Order.objects.get(pk=order.pk).payment_status == "authorized")
    log_out(page)

    log_in(page, "staff@example.com", PASSWORD)
    page.goto(order.get_absolute_url())
    page.get_by_role("link", name="Add shipment").click()
    page.get_by_label("Carrier", exact=True).fill("UPS")
    page.get_by_label("Tracking number", exact=True).fill("1Z999AA10123456784")
    page.get_by_role("button", name="Add shipment").click()
    page.get_by_text(f"order {order.number} is now shipped.").wait_for()
    page.reload()
    assert_no_serious_axe_violations(page)
    screenshot(page, "journey-payments-shipped-and-captured")
    page.set_viewport_size({"width": 390, "height": 844})
    # The payment part of the order page (the rest of the page is the orders app's).
    assert_no_sideways_scroll(page, within=".payment-panel")
    screenshot(page, "journey-payments-order-390px")

    order.refresh_from_db()
    assert (order.payment_status, order.amount_captured) == ("captured", Decimal("33.00"))
    authorization = PaymentAttempt.objects.get(order=order, kind="authorize")
    assert captured_minor_units(stripe_api, authorization.reference) == 3300
    assert stripe_api.v1.payment_intents.retrieve(authorization.reference).status == "succeeded"
