from __future__ import annotations

import re
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from orders.models import Order, OrderLine
from resellers.choices import ResellerStatus
from tests.conftest import make_reseller_user
from tests.factories import (
    ChannelFactory,
    ListingFactory,
    OrderFactory,
    OrderLineFactory,
    ProductFactory,
)
from tests.orders.conftest import pad_post

pytestmark = pytest.mark.django_db

NEW_ORDER = reverse("portal:order_create")
# A visible or visually hidden label, with the "required" marker of the shared field template.
LABEL = (
    r'<label for="[^"]+"( class="[^"]+")?>{label}( <span class="required"[^>]*>\*</span>)?</label>'
)


def test_the_new_order_page_has_the_contract_fields(reseller_client):
    page = reseller_client.get(NEW_ORDER).content.decode()

    for label in [
        "Reference number",
        "SKU",
        "Quantity",
        "Name",
        "Address line 1",
        "City",
        "State",
        "Postal code",
        "Country",
    ]:
        assert re.search(LABEL.format(label=re.escape(label)), page), label
    assert ">Place order</button>" in page
    # Five rows work without JavaScript; the script only adds more.
    assert page.count('name="lines-4-sku"') == 1
    assert 'name="lines-5-sku"' not in page
    assert "js/order_pad.js" in page


def test_a_catalog_link_starts_the_pad_with_that_sku(reseller_client, listings):
    page = reseller_client.get(NEW_ORDER, {"sku": "SKU-2"}).content.decode()

    assert 'name="lines-0-sku" value="SKU-2"' in page


def test_placing_an_order_from_the_pad_saves_it_at_listing_prices(
    reseller_client, reseller, listings, ship_to_post
):
    response = reseller_client.post(
        NEW_ORDER,
        pad_post(
            [("SKU-1", 2), ("", ""), ("SKU-3", 1)], ship_to=ship_to_post, note="Leave at door"
        ),
    )

    order = Order.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("portal:order_detail", args=[order.pk])
    assert order.reseller == reseller
    assert (order.reference_number, order.source, order.ship_country) == ("PO-100", "portal", "US")
    assert order.note == "Leave at door"
    assert order.shipping_method == "Ground"
    assert order.created_by.reseller == reseller
    assert sorted(order.lines.values_list("sku", "quantity", "unit_price")) == [
        ("SKU-1", 2, Decimal("1.50")),
        ("SKU-3", 1, Decimal("3.50")),
    ]
    detail = reseller_client.get(response.url).content.decode()
    assert order.number in detail
    assert "placed" in detail


def test_pasted_csv_lines_and_pad_rows_are_combined(reseller_client, listings, ship_to_post):
    response = reseller_client.post(
        NEW_ORDER,
        pad_post(
            [("SKU-1", 1)], ship_to=ship_to_post, lines_text="sku,quantity\nSKU-2, 4\n\nSKU-3,6\n"
        ),
    )

    assert response.status_code == 302
    assert sorted(OrderLine.objects.values_list("sku", "quantity")) == [
        ("SKU-1", 1),
        ("SKU-2", 4),
        ("SKU-3", 6),
    ]


def test_an_uploaded_csv_file_places_the_order(reseller_client, listings, ship_to_post):
    upload = SimpleUploadedFile("lines.csv", b"\xef\xbb\xbfSKU-1,3\r\nSKU-2,1\r\n", "text/csv")

    response = reseller_client.post(
        NEW_ORDER, pad_post([], ship_to=ship_to_post, lines_file=upload)
    )

    assert response.status_code == 302
    assert sorted(OrderLine.objects.values_list("sku", "quantity")) == [("SKU-1", 3), ("SKU-2", 1)]


def test_service_errors_land_next_to_their_fields_and_nothing_is_saved(
    reseller_client, listings, ship_to_post
):
    ship_to_post["ship-city"] = ""
    data = pad_post([("SKU-1", 1), ("", ""), ("NOPE", 2), ("SKU-2", 0)], ship_to=ship_to_post)

    response = reseller_client.post(NEW_ORDER, data)

    assert response.status_code == 200
    assert Order.objects.count() == 0
    assert OrderLine.objects.count() == 0
    context = response.context
    assert context["ship_to_form"].errors["city"] == ["City is required."]
    rows = context["line_formset"].forms
    # The unknown SKU was typed on the third row, even though it is the second item.
    assert rows[2].errors["sku"] == ["SKU “NOPE” is not in your catalog."]
    assert rows[3].errors["quantity"] == ["Quantity must be at least 1."]
    summary = [text for _, text in context["error_summary"]]
    assert "Row 3: SKU “NOPE” is not in your catalog." in summary
    assert "City is required." in summary
    page = response.content.decode()
    assert "The order was not placed" in page
    assert 'value="NOPE"' in page  # what the reseller typed is kept


def test_csv_line_errors_name_the_line_of_the_pasted_text(reseller_client, listings, ship_to_post):
    response = reseller_client.post(
        NEW_ORDER, pad_post([], ship_to=ship_to_post, lines_text="SKU-1,1\nGHOST,2\n")
    )

    assert response.context["csv_form"].errors["lines_text"] == [
        "In the pasted text: line 2: SKU “GHOST” is not in your catalog."
    ]
    assert Order.objects.count() == 0


def test_malformed_csv_lines_are_refused_before_ordering(reseller_client, listings, ship_to_post):
    response = reseller_client.post(
        NEW_ORDER, pad_post([], ship_to=ship_to_post, lines_text="SKU-1;2\nSKU-2,two\n")
    )

    errors = response.context["csv_form"].errors["lines_text"]
    assert errors == [
        "In the pasted text: Line 1: expected two columns, sku,quantity; found 1.",
        "In the pasted text: Line 2: quantity “two” is not a whole number.",
    ]
    assert Order.objects.count() == 0


def test_a_sku_without_a_quantity_asks_for_one(reseller_client, listings, ship_to_post):
    response = reseller_client.post(NEW_ORDER, pad_post([("SKU-1", "")], ship_to=ship_to_post))

    assert response.context["line_formset"].forms[0].errors["quantity"] == ["Enter a quantity."]
    assert Order.objects.count() == 0


def test_an_empty_pad_says_what_to_do(reseller_client, listings, ship_to_post):
    response = reseller_client.post(NEW_ORDER, pad_post([], ship_to=ship_to_post))

    assert "Add at least one line with a SKU and a quantity." in response.content.decode()
    assert Order.objects.count() == 0


def test_a_duplicate_reference_number_is_shown_on_its_field(
    reseller_client, reseller, listings, ship_to_post
):
    OrderFactory(reseller=reseller, reference_number="PO-100")

    response = reseller_client.post(NEW_ORDER, pad_post([("SKU-1", 1)], ship_to=ship_to_post))

    assert response.context["details_form"].errors["reference_number"] == [
        "You already have an order with reference “PO-100”."
    ]
    assert Order.objects.count() == 1


@pytest.mark.parametrize(
    ("status", "words"),
    [
        (ResellerStatus.PENDING, "Waiting for approval"),
        (ResellerStatus.DENIED, "Too many returns"),
        (ResellerStatus.SUSPENDED, "Ordering is off"),
    ],
)
def test_a_reseller_that_may_not_order_sees_why_and_no_form(
    client, channel, listings, ship_to_post, status, words
):
    reseller, user = make_reseller_user(
        channel=channel, status=status, status_reason="Too many returns"
    )
    client.force_login(user)

    page = client.get(NEW_ORDER).content.decode()
    response = client.post(NEW_ORDER, pad_post([("SKU-1", 1)], ship_to=ship_to_post))

    assert words in page
    assert "Place order" not in page
    assert 'name="lines-0-sku"' not in page
    assert response.status_code == 403
    assert Order.objects.count() == 0


def test_the_order_list_shows_only_the_resellers_own_orders(
    reseller_client, reseller, other_reseller_with_user
):
    other, _ = other_reseller_with_user
    mine = OrderFactory(reseller=reseller, reference_number="MINE-1")
    theirs = OrderFactory(reseller=other, reference_number="THEIRS-1")

    page = reseller_client.get(reverse("portal:order_list")).content.decode()
    searched = reseller_client.get(reverse("portal:order_list"), {"q": "THEIRS-1"})

    assert mine.number in page and "MINE-1" in page
    assert theirs.number not in page and "THEIRS-1" not in page
    assert list(searched.context["object_list"]) == []


def test_another_resellers_order_detail_is_404(reseller_client, other_reseller_with_user):
    other, _ = other_reseller_with_user
    theirs = OrderFactory(reseller=other)

    response = reseller_client.get(reverse("portal:order_detail", args=[theirs.pk]))

    assert response.status_code == 404
    assert theirs.reference_number not in response.content.decode()


def test_the_order_detail_shows_lines_totals_ship_to_and_history(reseller_client, reseller):
    order = OrderFactory(
        reseller=reseller, ship_city="Shelbyville", subtotal="21.00", total="21.00"
    )
    OrderLineFactory(order=order, sku="MUG-9", title="Blue mug", quantity=3, unit_price="7.00")
    order.events.create(kind="created", to_status="open", params={"source": "portal"})

    page = reseller_client.get(reverse("portal:order_detail", args=[order.pk])).content.decode()

    for text in ["MUG-9", "Blue mug", "21.00", "Shelbyville", "Order placed", "Placed via Portal."]:
        assert text in page, text


def test_the_order_list_filters_by_status(reseller_client, reseller):
    OrderFactory(reseller=reseller, reference_number="OPEN-1")
    OrderFactory(reseller=reseller, reference_number="SHIP-1", status="shipped")

    response = reseller_client.get(reverse("portal:order_list"), {"status": "shipped"})

    assert [o.reference_number for o in response.context["object_list"]] == ["SHIP-1"]


def test_the_order_list_has_a_slot_for_export_buttons(reseller_client):
    response = reseller_client.get(reverse("portal:order_list"))

    assert "orders/_export_buttons.html" in [t.name for t in response.templates]


@pytest.mark.parametrize("count", [3, 30])
def test_the_order_list_query_count_does_not_grow_with_orders(
    reseller_client, reseller, django_assert_max_num_queries, count
):
    for _ in range(count):
        OrderLineFactory(order=OrderFactory(reseller=reseller))

    with django_assert_max_num_queries(8):
        response = reseller_client.get(reverse("portal:order_list"), {"q": "PO"})

    assert response.status_code == 200
    assert len(response.context["object_list"]) == min(count, 25)


def test_portal_pages_need_a_login(client):
    for name in ["portal:order_list", "portal:order_create", "portal:catalog"]:
        response = client.get(reverse(name))
        assert response.status_code == 302
        assert response.url.startswith(reverse("login"))


def test_orders_on_another_channel_do_not_leak_through_search(reseller_client):
    other_reseller, _ = make_reseller_user(channel=ChannelFactory(slug="wholesale"))
    OrderLineFactory(order=OrderFactory(reseller=other_reseller), sku="SECRET-SKU")

    response = reseller_client.get(reverse("portal:order_list"), {"q": "SECRET-SKU"})

    assert list(response.context["object_list"]) == []


def test_the_pad_orders_only_for_the_logged_in_reseller_from_its_own_channel(
    reseller_client, reseller, listings, ship_to_post, other_reseller_with_user
):
    other, _ = other_reseller_with_user
    ListingFactory(channel=ChannelFactory(slug="wholesale"), product=ProductFactory(sku="WH-1"))

    refused = reseller_client.post(NEW_ORDER, pad_post([("WH-1", 1)], ship_to=ship_to_post))
    # A reseller id smuggled into the form is ignored: the portal resolves it from the login.
    placed = reseller_client.post(
        NEW_ORDER,
        pad_post([("SKU-1", 1)], ship_to=ship_to_post, reference="PO-101", reseller=other.pk),
    )

    assert refused.status_code == 200
    assert "SKU “WH-1” is not in your catalog." in refused.content.decode()
    assert placed.status_code == 302
    assert list(Order.objects.values_list("reseller_id", "reference_number")) == [
        (reseller.pk, "PO-101")
    ]
    assert not Order.objects.filter(reseller=other).exists()
