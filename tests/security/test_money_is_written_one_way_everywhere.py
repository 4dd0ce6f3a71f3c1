"""Issue 11, item 14: every page writes money the same way — `60,000.50` — through one
template filter (`money`, core/money.py); lists no longer show `60000.50` where invoices show
`60,000.50`.
"""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse

from channels.models import Product
from core.money import format_money
from tests.factories import ListingFactory, OrderFactory, OrderLineFactory, ProductFactory

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"
AMOUNT = Decimal("60000.50")


@pytest.mark.parametrize(
    ("value", "written"),
    [
        (Decimal("60000.5"), "60,000.50"),
        (Decimal("1234567.891"), "1,234,567.89"),
        (Decimal("0.005"), "0.01"),  # half-up, like the invoices
        (Decimal("-5"), "-5.00"),
        (Decimal("-0.001"), "0.00"),
        (12, "12.00"),
        ("999.9", "999.90"),
        (None, ""),
        ("", ""),
    ],
)
def test_format_money(value, written):
    assert format_money(value) == written


@pytest.fixture
def big_order(reseller, channel):
    product = ProductFactory(sku="RACK-1", cost=AMOUNT, msrp=AMOUNT)
    ListingFactory(channel=channel, product=product, price=AMOUNT)
    order = OrderFactory(reseller=reseller, subtotal=AMOUNT, total=AMOUNT)
    OrderLineFactory(order=order, sku="RACK-1", unit_price=AMOUNT, line_total=AMOUNT)
    return order


def _assert_one_format(client: Client, url: str) -> None:
    page = client.get(url).content.decode()
    # Form inputs keep the plain number a browser's number field expects.
    page = re.sub(r'value="[^"]*"', "", page)
    assert "60,000.50" in page, url
    assert "60000.50" not in page and "60000.5<" not in page, url


@pytest.mark.django_db
def test_portal_pages_write_money_with_thousands_separators(reseller_client, big_order):
    for url in (
        reverse("portal:home"),
        reverse("portal:catalog"),
        reverse("portal:order_list"),
        reverse("portal:order_detail", args=[big_order.pk]),
    ):
        _assert_one_format(reseller_client, url)


@pytest.mark.django_db
def test_back_office_pages_write_money_with_thousands_separators(staff_client, big_order):
    product = Product.objects.get(sku="RACK-1")
    for url in (
        reverse("backoffice:order_list"),
        reverse("backoffice:order_detail", args=[big_order.pk]),
        reverse("backoffice:reseller_orders", args=[big_order.reseller_id]),
        reverse("backoffice:reseller_detail", args=[big_order.reseller_id]),
        reverse("backoffice:product_list"),
        reverse("backoffice:listing_list"),
        reverse("backoffice:product_edit", args=[product.pk]),
    ):
        _assert_one_format(staff_client, url)


# Template expressions that print a money value: a total, price, amount, cost, MSRP or limit.
MONEY_EXPRESSION = re.compile(
    r"\{\{\s*([\w.]*(total|price|amount|cost|msrp|max_auto_capture)\b[^}]*)\}\}"
)
NOT_MONEY = re.compile(r"total_weight|\.id_for_label|\.errors|^form\.|\.label\b")


def test_every_money_value_in_the_templates_goes_through_the_money_filter():
    unformatted = []
    for path in TEMPLATES.rglob("*.html"):
        for match in MONEY_EXPRESSION.finditer(path.read_text()):
            expression = match.group(1).strip()
            if NOT_MONEY.search(expression) or "|money" in expression:
                continue
            unformatted.append(f"{path.relative_to(TEMPLATES)}: {{{{ {expression} }}}}")
    assert unformatted == []
