"""axe-core over the main pages, at desktop and phone width: no serious or critical violations."""

from __future__ import annotations

import json

import pytest
from django.core.management import call_command

from orders.models import Order
from rules.models import Rule

from .conftest import ARTIFACTS, assert_no_serious_axe_violations, log_in, log_out

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

DEMO_PASSWORD = "demo-password-2026"


def _sweep(page, paths: list[str], report: dict, *, label: str) -> None:
    for path in paths:
        page.goto(path)
        violations = assert_no_serious_axe_violations(page)
        report[f"{label} {path}"] = sorted(
            f"{violation['id']} ({violation['impact']})" for violation in violations
        )


@pytest.mark.parametrize("width", [1280, 390])
def test_main_pages_have_no_serious_accessibility_violations(new_page, width):
    call_command("seed_demo", verbosity=0)
    order = Order.objects.filter(reseller__email="active@example.com").first()
    rule = Rule.objects.first()
    page = new_page(width=width)
    report: dict[str, list[str]] = {}

    _sweep(page, ["/", "/signup/", "/accounts/login/"], report, label="public")

    log_in(page, "staff@example.com", DEMO_PASSWORD)
    staff_pages = [
        "/backoffice/",
        "/backoffice/resellers/",
        f"/backoffice/resellers/{order.reseller_id}/",
        f"/backoffice/resellers/{order.reseller_id}/orders/",
        "/backoffice/orders/",
        f"/backoffice/orders/{order.pk}/",
        "/backoffice/products/",
        "/backoffice/listings/",
        "/backoffice/rules/",
        f"/backoffice/rules/{rule.pk}/",
        "/backoffice/rules/preview/",
        "/backoffice/channels/",
        "/backoffice/settings/",
    ]
    _sweep(page, staff_pages, report, label="staff")
    log_out(page)

    log_in(page, "active@example.com", DEMO_PASSWORD)
    portal_pages = [
        "/portal/",
        "/portal/catalog/",
        "/portal/orders/",
        f"/portal/orders/{order.pk}/",
        "/portal/orders/new/",
        "/portal/settings/",
    ]
    _sweep(page, portal_pages, report, label="reseller")

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / f"axe-{width}px.json").write_text(json.dumps(report, indent=2))
    assert len(report) == 3 + len(staff_pages) + len(portal_pages)
