"""The integrations journey on a phone-sized screen: a feed URL and a webhook endpoint."""

from __future__ import annotations

import re
import urllib.request

import pytest
from standardwebhooks.webhooks import Webhook

from tests.conftest import make_reseller_user
from tests.factories import PASSWORD, ListingFactory, ProductFactory
from tests.integrations.conftest import Receiver, free_port

from .conftest import assert_no_serious_axe_violations, log_in, screenshot

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _no_sideways_scroll(page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= page.viewport_size["width"], f"{page.url} is {width}px wide"


def test_a_reseller_gets_a_feed_url_and_a_webhook_endpoint_on_a_phone(
    new_page, live_server, channel, settings
):
    settings.WEBHOOKS_ALLOW_LOOPBACK = True
    ListingFactory(channel=channel, product=ProductFactory(sku="MUG-1", title="Mug"), price=9)
    reseller, user = make_reseller_user(channel=channel)
    receiver = Receiver(port=free_port())
    receiver.start()
    page = new_page(width=390, height=844)
    try:
        log_in(page, user.email, PASSWORD)
        page.goto("/portal/catalog/")
        page.get_by_role("button", name="Create feed URL").click()
        feed_url = page.locator("#feed-url").inner_text()
        assert re.search(r"/feeds/rpf_[\w-]+/products\.csv$", feed_url)
        _no_sideways_scroll(page)
        path = feed_url.split("/feeds/", 1)[1]
        with urllib.request.urlopen(f"{live_server.url}/feeds/{path}") as response:  # noqa: S310
            body = response.read().decode()
        assert body.splitlines()[0].startswith("sku,title,description,price")
        assert "MUG-1" in body

        page.goto("/portal/settings/")
        page.get_by_label("URL", exact=True).fill(receiver.url)
        page.get_by_label("order.updated", exact=False).uncheck()
        page.get_by_role("button", name="Add endpoint").click()
        secret = page.locator("#new-signing-secret").inner_text()
        assert secret.startswith("whsec_")
        _no_sideways_scroll(page)
        screenshot(page, "webhook-endpoint-created-390")

        page.get_by_role("button", name="Send test event").click()
        page.get_by_role("heading", name="Delivery log").wait_for()
        assert page.locator("table").get_by_text("webhook.test").count() == 1
        _no_sideways_scroll(page)
        assert_no_serious_axe_violations(page)
        screenshot(page, "webhook-endpoint-log-390")
        Webhook(secret).verify(receiver.requests[0].body, receiver.requests[0].headers)

        page.goto("/portal/settings/")
        _no_sideways_scroll(page)
        assert_no_serious_axe_violations(page)
        screenshot(page, "settings-webhooks-390")
    finally:
        receiver.stop()
