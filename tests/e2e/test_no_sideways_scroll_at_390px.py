"""Issue 11, item 13: at a phone's 390 px no page scrolls sideways, and the catalog's Order
buttons are on screen. Wide tables become stacked cards (`.table-cards`) or scroll inside their
own container (`.table-wrap`), never the page.

Screenshots of every page go to artifacts/screenshots/390px-*.png.
"""

from __future__ import annotations

import json
import re

import pytest
from django.core.management import call_command

from orders.models import Order
from rules.models import Rule

from .conftest import ARTIFACTS, log_in, log_out, screenshot

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

DEMO_PASSWORD = "demo-password-2026"
WIDTH = 390


def _overflow(page) -> dict:
    return page.evaluate(
        """() => ({
            scrollWidth: document.documentElement.scrollWidth,
            innerWidth: window.innerWidth,
            // The elements sticking out on the right, to say what to fix.
            culprits: [...document.querySelectorAll('body *')]
                .filter(el => el.getBoundingClientRect().right > window.innerWidth + 0.5
                    && !el.closest('.table-wrap') && el.offsetParent !== null)
                .slice(0, 5)
                .map(el => el.tagName.toLowerCase() + (el.className ? '.' + el.className : '')),
        })"""
    )


def _sweep(page, paths: list[str], label: str) -> dict[str, dict]:
    wide = {}
    for path in paths:
        page.goto(path)
        name = re.sub(r"[^a-z0-9]+", "-", f"390px {label} {path}".lower()).strip("-")
        screenshot(page, name)
        measured = _overflow(page)
        if measured["scrollWidth"] > measured["innerWidth"]:
            wide[path] = measured
    return wide


def test_no_page_scrolls_sideways_at_390px_and_the_order_buttons_show(new_page):
    call_command("seed_demo", verbosity=0)
    order = Order.objects.filter(reseller__email="active@example.com").first()
    rule = Rule.objects.first()
    page = new_page(width=WIDTH, height=844)

    public = _sweep(page, ["/", "/signup/", "/accounts/login/"], "public")

    log_in(page, "active@example.com", DEMO_PASSWORD)
    portal = _sweep(
        page,
        [
            "/portal/",
            "/portal/catalog/",
            "/portal/orders/",
            f"/portal/orders/{order.pk}/",
            "/portal/orders/new/",
            "/portal/settings/",
        ],
        "portal",
    )
    page.goto("/portal/catalog/")
    buttons = page.get_by_role("link", name=re.compile(r"^Order "))
    assert buttons.count() > 0
    for index in range(buttons.count()):
        # Where the button is drawn as the page loads: nothing has been scrolled sideways.
        box = buttons.nth(index).bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= WIDTH, box
    log_out(page)

    log_in(page, "staff@example.com", DEMO_PASSWORD)
    backoffice = _sweep(
        page,
        [
            "/backoffice/",
            "/backoffice/resellers/",
            f"/backoffice/resellers/{order.reseller_id}/",
            f"/backoffice/resellers/{order.reseller_id}/orders/",
            "/backoffice/orders/",
            f"/backoffice/orders/{order.pk}/",
            "/backoffice/products/",
            "/backoffice/listings/",
            "/backoffice/listings/import/",
            "/backoffice/rules/",
            f"/backoffice/rules/{rule.pk}/",
            "/backoffice/rules/preview/",
            "/backoffice/channels/",
            "/backoffice/settings/",
        ],
        "backoffice",
    )

    found = {"public": public, "portal": portal, "backoffice": backoffice}
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / "overflow-390px.json").write_text(json.dumps(found, indent=2))
    assert {"public": public, "portal": portal, "backoffice": backoffice} == {
        "public": {},
        "portal": {},
        "backoffice": {},
    }
