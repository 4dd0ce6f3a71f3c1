"""The journeys people actually take, in headless Chromium."""

from __future__ import annotations

import csv
import io
import json
import urllib.request
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from orders.models import Order
from orders.services import LineRequest, OrderRequest, ShipTo, order_place
from resellers.choices import ResellerStatus
from resellers.models import Reseller
from tests.conftest import wait_for
from tests.factories import (
    PASSWORD,
    ApprovedResellerFactory,
    ChannelFactory,
    ListingFactory,
    ProductFactory,
    ResellerFactory,
    StaffFactory,
    UserFactory,
)

from .conftest import assert_no_serious_axe_violations, log_in, log_out, screenshot, sign_up

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def catalog():
    retail = ChannelFactory(name="Retail", slug="retail", is_default=True)
    ListingFactory(
        channel=retail, product=ProductFactory(sku="MUG-350", title="Ceramic mug"), price="8.25"
    )
    ListingFactory(
        channel=retail, product=ProductFactory(sku="TEE-BLK-M", title="T-shirt"), price="14.50"
    )
    return retail


def test_a_reseller_signs_up_is_approved_orders_from_the_pad_and_becomes_active(new_page, catalog):
    StaffFactory(email="staff@example.com")
    page = new_page()

    page.goto("/signup/")
    sign_up(
        page,
        company_name="Harbor Goods",
        contact_name="Hana Harbor",
        email="hana@harbor.example",
        password="tide-pool-lantern-42",
    )
    page.get_by_text("Waiting for approval").wait_for()
    log_out(page)

    log_in(page, "staff@example.com", PASSWORD)
    page.goto("/backoffice/")
    page.get_by_role("link", name="Harbor Goods").first.click()
    page.get_by_role("button", name="Approve").click()
    page.get_by_text("is approved on the Retail channel").wait_for()
    log_out(page)

    log_in(page, "hana@harbor.example", "tide-pool-lantern-42")
    page.get_by_role("link", name="Catalog").first.click()
    page.get_by_text("MUG-350").first.wait_for()
    assert_no_serious_axe_violations(page)

    page.get_by_role("link", name="New order").first.click()
    assert_no_serious_axe_violations(page)
    page.get_by_label("Reference number").fill("HG-0001")
    page.get_by_label("SKU").nth(0).fill("MUG-350")
    page.get_by_label("Quantity").nth(0).fill("3")
    page.get_by_label("SKU").nth(1).fill("TEE-BLK-M")
    page.get_by_label("Quantity").nth(1).fill("2")
    page.get_by_label("Name", exact=True).fill("Jordan Customer")
    page.get_by_label("Address line 1").fill("742 Evergreen Terrace")
    page.get_by_label("City").fill("Springfield")
    page.get_by_label("State").fill("OR")
    page.get_by_label("Postal code").fill("97403")
    page.get_by_label("Country").fill("US")
    page.get_by_role("button", name="Place order").click()

    page.get_by_text("HG-0001").first.wait_for()
    order = Order.objects.get(reference_number="HG-0001")
    assert order.subtotal == Decimal("53.75")  # 3 × 8.25 + 2 × 14.50, priced by the channel
    assert "53.75" in page.content()
    assert_no_serious_axe_violations(page)

    # The activation task ran after the order committed (eagerly here): the portal says so.
    assert wait_for(
        lambda: Reseller.objects.filter(
            company_name="Harbor Goods", status=ResellerStatus.ACTIVE
        ).exists()
    )
    page.goto("/portal/")
    page.get_by_text("Your account is active").wait_for()
    screenshot(page, "journey-a-first-order-active")


def test_b_staff_deny_a_signup_with_a_reason_and_that_reseller_cannot_order(new_page, catalog):
    StaffFactory(email="staff@example.com")
    reseller = ResellerFactory(company_name="Shady Resale", status=ResellerStatus.PENDING)
    UserFactory(email="shady@example.com", reseller=reseller)
    page = new_page()

    log_in(page, "staff@example.com", PASSWORD)
    page.goto(f"/backoffice/resellers/{reseller.pk}/")
    page.get_by_label("Reason").first.fill("We could not verify your business registration.")
    page.get_by_role("button", name="Deny").click()
    page.get_by_text("Shady Resale is denied").wait_for()
    log_out(page)

    log_in(page, "shady@example.com", PASSWORD)
    page.get_by_text("We could not verify your business registration.").wait_for()
    assert_no_serious_axe_violations(page)
    page.goto("/portal/orders/new/")
    assert page.get_by_role("button", name="Place order").count() == 0
    screenshot(page, "journey-b-denied-cannot-order")
    assert Reseller.objects.get(pk=reseller.pk).status == ResellerStatus.DENIED
    assert not Order.objects.exists()


SHIP_TO = ShipTo(
    name='=HYPERLINK("http://evil.example","click")',
    address_line1="1 Main St",
    city="Albany",
    state="NY",
    postal_code="12207",
    country_code="US",
)


def test_c_staff_filter_a_resellers_orders_and_download_csv_and_xlsx(new_page, catalog):
    StaffFactory(email="staff@example.com")
    reseller = ApprovedResellerFactory(company_name="Acme Outfitters", channel=catalog)
    for n, sku in enumerate(["MUG-350", "TEE-BLK-M", "MUG-350"]):
        order_place(
            reseller=reseller,
            request=OrderRequest(
                reference_number=f"AC-{n}",
                ship_to=SHIP_TO,
                items=[LineRequest(sku=sku, quantity=2)],
            ),
        )
    canceled = Order.objects.get(reference_number="AC-2")
    Order.objects.filter(pk=canceled.pk).update(status="canceled")
    page = new_page()

    log_in(page, "staff@example.com", PASSWORD)
    page.goto(f"/backoffice/resellers/{reseller.pk}/")
    page.get_by_role("link", name="Orders").last.click()
    page.get_by_label("Status").select_option("open")
    page.get_by_role("button", name="Filter").click()
    page.get_by_text("AC-0").first.wait_for()
    assert page.get_by_text("AC-2").count() == 0
    assert_no_serious_axe_violations(page)
    screenshot(page, "journey-c-filtered-orders")

    with page.expect_download() as csv_download:
        page.get_by_role("link", name="Export CSV").click()
    with page.expect_download() as xlsx_download:
        page.get_by_role("link", name="Export XLSX").click()

    with open(csv_download.value.path(), encoding="utf-8-sig") as csv_file:
        csv_text = csv_file.read()
    rows = list(csv.reader(io.StringIO(csv_text)))
    header, body = rows[0], rows[1:]
    assert "SKU" in header and "Total" in header
    references = {row[header.index("Reference")] for row in body}
    assert references == {"AC-0", "AC-1"}  # exactly the filtered orders, one row per line
    assert all(not cell.startswith("=") for row in body for cell in row)
    assert "acme-outfitters" in csv_download.value.suggested_filename

    assert xlsx_download.value.suggested_filename.endswith(".xlsx")
    with open(xlsx_download.value.path(), "rb") as xlsx_file:
        sheet = load_workbook(io.BytesIO(xlsx_file.read()), read_only=True)["Lines"]
    xlsx_rows = list(sheet.iter_rows(values_only=True))
    assert len(xlsx_rows) == len(rows)
    assert all(
        not (isinstance(value, str) and value.startswith("=")) for row in xlsx_rows for value in row
    )


def test_d_reseller_creates_an_api_key_and_a_request_with_it_creates_a_visible_order(
    new_page, live_server, catalog
):
    reseller = ApprovedResellerFactory(company_name="Api Traders", channel=catalog)
    UserFactory(email="dev@apitraders.example", reseller=reseller)
    page = new_page()

    log_in(page, "dev@apitraders.example", PASSWORD)
    page.get_by_role("link", name="Settings").first.click()
    assert_no_serious_axe_violations(page)
    page.get_by_label("Name").first.fill("Storefront sync")
    page.get_by_role("button", name="Create API key").click()
    key = page.locator("#new-api-key").inner_text().strip()
    assert key.startswith("rpk_")
    screenshot(page, "journey-d-api-key-created")

    body = {
        "reference_number": "API-42",
        "shipping_address": {
            "name": "Sam Buyer",
            "address_line1": "5 Elm St",
            "city": "Austin",
            "state": "TX",
            "postal_code": "73301",
            "country_code": "US",
        },
        "items": [{"sku": "TEE-BLK-M", "quantity": 4}],
    }
    request = urllib.request.Request(
        f"{live_server.url}/api/v1/orders",
        data=json.dumps(body).encode(),
        headers={
            "X-API-TOKEN": key,
            "Content-Type": "application/json",
            "Idempotency-Key": "journey-d-1",
        },
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=15) as response:  # noqa: S310 (loopback)
        assert response.status == 201
        created = json.load(response)

    page.goto("/portal/orders/")
    page.get_by_text("API-42").first.wait_for()
    page.goto(f"/portal/orders/{created['id']}/")
    page.get_by_text("TEE-BLK-M").first.wait_for()
    screenshot(page, "journey-d-api-order-in-portal")
    assert Order.objects.get(reference_number="API-42").pk == created["id"]
