"""The order pad's Review order step and live summary: the invoice the rules will produce,
computed by the same code as placement (order_quote), saving nothing, with every problem in
one answer; Place order from the review page places exactly what was reviewed."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from orders.models import InvoiceLine, InvoiceSequence, Order
from resellers.choices import ResellerStatus
from tests.conftest import make_reseller_user
from tests.factories import ChannelFactory, ListingFactory, ProductFactory
from tests.orders.conftest import pad_post
from tests.rules.factories import RuleFactory

pytestmark = pytest.mark.django_db

NEW_ORDER = reverse("portal:order_create")
PREVIEW = reverse("portal:order_preview")


@pytest.fixture
def rules():
    RuleFactory(name="internal fee", actions=[{"type": "dropship_fee_per_order", "amount": "2.00"}])
    RuleFactory(name="internal shipping", actions=[{"type": "shipping_per_item", "amount": "0.75"}])
    RuleFactory(
        name="internal credit",
        actions=[{"type": "credit_percent", "percent": "10", "label": "Spring credit"}],
    )


def sequence_value() -> int:
    row = InvoiceSequence.objects.filter(pk=1).first()
    return row.last_value if row else 0


def review(client, body: dict):
    return client.post(NEW_ORDER, {**body, "action": "review"})


def hidden_fields(page: str) -> dict[str, list[str]]:
    """The review page's hidden inputs, as a POST body to send back."""
    import html
    import re

    fields: dict[str, list[str]] = {}
    for name, value in re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', page):
        if name != "csrfmiddlewaretoken":
            fields.setdefault(name, []).append(html.unescape(value))
    return fields


def test_review_shows_the_invoice_and_saves_nothing(reseller_client, listings, ship_to_post, rules):
    before = sequence_value()
    response = review(reseller_client, pad_post([("SKU-1", 2), ("SKU-3", 4)], ship_to=ship_to_post))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Invoice preview" in page and "nothing has been saved" in page
    # 2 × 1.50 + 4 × 3.50 = 17.00; fee 2.00; shipping 6 × 0.75 = 4.50; credit −1.70 → 21.80
    for text in ("17.00", "Dropship fee", "2.00", "4.50", "Spring credit", "-1.70", "21.80"):
        assert text in page
    assert "internal" not in page
    assert (Order.objects.count(), InvoiceLine.objects.count()) == (0, 0)
    assert sequence_value() == before
    assert "Place order" in page and "Edit order" in page


def test_placing_from_the_review_page_places_what_was_reviewed(
    reseller_client, listings, ship_to_post, rules
):
    page = review(
        reseller_client, pad_post([("SKU-1", 2)], ship_to=ship_to_post, lines_text="SKU-2,3\n")
    ).content.decode()
    body = hidden_fields(page)
    response = reseller_client.post(NEW_ORDER, {**body, "action": "place"})
    assert response.status_code == 302
    order = Order.objects.get()
    assert sorted(order.lines.values_list("sku", "quantity")) == [("SKU-1", 2), ("SKU-2", 3)]
    assert f"{order.total:,.2f}" in page
    assert [line.label for line in order.invoice_lines.all()] == [
        label for label in ("Shipping (5 × 0.75)", "Dropship fee", "Spring credit") if label in page
    ]


def test_an_uploaded_file_is_carried_through_the_review(reseller_client, listings, ship_to_post):
    upload = SimpleUploadedFile("lines.csv", b"SKU-1,3\r\nSKU-2,1\r\n", "text/csv")
    page = review(
        reseller_client, pad_post([("SKU-3", 1)], ship_to=ship_to_post, lines_file=upload)
    ).content.decode()
    body = hidden_fields(page)
    assert body["lines_text"] == ["SKU-1,3\nSKU-2,1\n"]
    reseller_client.post(NEW_ORDER, {**body, "action": "place"})
    assert sorted(Order.objects.get().lines.values_list("sku", "quantity")) == [
        ("SKU-1", 3),
        ("SKU-2", 1),
        ("SKU-3", 1),
    ]


def test_edit_order_brings_the_pad_back_filled_in(reseller_client, listings, ship_to_post):
    page = review(
        reseller_client, pad_post([("SKU-1", 2)], ship_to=ship_to_post, reference="PO-77")
    ).content.decode()
    response = reseller_client.post(NEW_ORDER, {**hidden_fields(page), "action": "edit"})
    pad = response.content.decode()
    assert response.status_code == 200
    assert 'value="PO-77"' in pad and 'value="SKU-1"' in pad and "Springfield" in pad
    assert "The order" not in pad  # no error summary
    assert Order.objects.count() == 0


def test_review_lists_every_problem_at_once(reseller_client, listings, ship_to_post):
    ship_to = {**ship_to_post, "ship-city": ""}
    body = pad_post(
        [("SKU-1", "lots"), ("NOPE-9", 1), ("SKU-2", 0)],
        ship_to=ship_to,
        reference="",
        lines_text="SKU-3,2\nGHOST,1\n",
    )
    response = review(reseller_client, body)
    page = response.content.decode()
    assert response.status_code == 200
    assert "The order cannot be placed yet" in page
    assert "Enter a whole number." in page  # row 1, refused by the form
    assert "SKU “NOPE-9” is not in your catalog." in page  # row 2, by the service
    assert "Quantity must be at least 1." in page  # row 3
    assert "In the pasted text: line 2: SKU “GHOST” is not in your catalog." in page
    assert "City is required." in page
    assert "Reference number is required." in page
    assert Order.objects.count() == 0


def test_place_order_with_a_form_error_still_reports_the_service_errors(
    reseller_client, listings, ship_to_post
):
    body = pad_post([("SKU-1", "x"), ("NOPE-9", 1)], ship_to=ship_to_post)
    page = reseller_client.post(NEW_ORDER, body).content.decode()
    assert "The order was not placed" in page
    assert "Enter a whole number." in page and "SKU “NOPE-9” is not in your catalog." in page
    assert Order.objects.count() == 0


def test_the_preview_endpoint_answers_the_numbers_as_json(
    reseller_client, listings, ship_to_post, rules
):
    before = sequence_value()
    answer = reseller_client.post(PREVIEW, pad_post([("SKU-1", 2)], ship_to=ship_to_post)).json()
    assert answer["ok"] is True
    assert answer["lines"] == [
        {
            "sku": "SKU-1",
            "title": answer["lines"][0]["title"],
            "quantity": 2,
            "unit_price": "1.50",
            "line_total": "3.00",
        }
    ]
    totals = {row["label"]: Decimal(row["amount"]) for row in answer["totals"]}
    assert totals["Subtotal"] == Decimal("3.00")
    assert totals["Total"] == Decimal("3.00") + Decimal("2.00") + Decimal("1.50") - Decimal("0.30")
    assert [charge["label"] for charge in answer["charges"]] == [
        "Shipping (2 × 0.75)",
        "Dropship fee",
        "Spring credit",
    ]
    assert Order.objects.count() == 0 and sequence_value() == before


def test_the_preview_endpoint_lists_every_problem_with_its_field(
    reseller_client, listings, ship_to_post
):
    body = pad_post([("NOPE-1", 1), ("SKU-1", "x")], ship_to={**ship_to_post, "ship-name": ""})
    answer = reseller_client.post(PREVIEW, body).json()
    assert answer["ok"] is False
    by_anchor = {error["anchor"]: error["message"] for error in answer["errors"]}
    assert "is not in your catalog" in by_anchor["id_lines-0-sku"]
    assert "Enter a whole number." in by_anchor["id_lines-1-quantity"]
    assert "Name is required." in by_anchor["id_ship-name"]


def test_the_preview_only_prices_the_resellers_own_catalog(client, ship_to_post):
    mine = ChannelFactory(name="Mine", slug="mine")
    theirs = ChannelFactory(name="Theirs", slug="theirs")
    ListingFactory(channel=theirs, product=ProductFactory(sku="SECRET-1"), price="1.00")
    _, user = make_reseller_user(channel=mine)
    client.force_login(user)
    answer = client.post(PREVIEW, pad_post([("SECRET-1", 1)], ship_to=ship_to_post)).json()
    assert answer["ok"] is False
    assert any("SECRET-1" in error["message"] for error in answer["errors"])
    page = review(client, pad_post([("SECRET-1", 1)], ship_to=ship_to_post)).content.decode()
    assert "not in your catalog" in page and "1.00" not in page


def test_a_reseller_who_may_not_order_gets_no_preview(client, channel, listings, ship_to_post):
    _, user = make_reseller_user(channel=channel, status=ResellerStatus.SUSPENDED)
    client.force_login(user)
    assert client.post(PREVIEW, pad_post([("SKU-1", 1)], ship_to=ship_to_post)).status_code == 403
    assert client.get(PREVIEW).status_code == 405


def test_the_pad_offers_review_and_the_live_summary(reseller_client, listings):
    page = reseller_client.get(NEW_ORDER).content.decode()
    assert "Review order" in page and "Place order" in page
    assert "js/order_summary.js" in page and f'data-preview-url="{PREVIEW}"' in page


def test_review_reports_a_reference_already_used_with_the_other_problems(
    reseller_client, reseller, listings, ship_to_post
):
    reseller_client.post(NEW_ORDER, pad_post([("SKU-1", 1)], ship_to=ship_to_post))
    assert Order.objects.count() == 1
    page = review(
        reseller_client, pad_post([("NOPE-1", 1)], ship_to=ship_to_post, reference="PO-100")
    ).content.decode()
    assert "You already have an order with reference “PO-100”." in page
    assert "SKU “NOPE-1” is not in your catalog." in page
    assert Order.objects.count() == 1
