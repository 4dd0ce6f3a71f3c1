from __future__ import annotations

import threading

import pytest
from django.db import connection
from django.urls import reverse

from channels.choices import StockPolicy
from channels.exceptions import StockImportError
from channels.models import Listing, Product, StockAdjustment
from channels.services import product_stock_set, stock_import_csv
from orders.exceptions import FieldError, OrderValidationError
from orders.models import Order
from tests.apikeys.conftest import ApiClient, issue_key, order_body
from tests.factories import ListingFactory, ProductFactory

pytestmark = pytest.mark.django_db


def test_placing_an_order_reserves_its_units(place, cap):
    place(("CAP-NAVY", 5))

    cap.refresh_from_db()
    assert (cap.stock, cap.reserved, cap.available) == (500, 5, 495)


def test_an_order_for_more_than_is_available_is_refused_naming_the_sku(place, cap, mug):
    with pytest.raises(OrderValidationError) as refused:
        place(("MUG-1", 1), ("CAP-NAVY", 5000))

    assert refused.value.field_errors == [
        FieldError("quantity", "CAP-NAVY: 500 available, 5,000 requested.", item=1)
    ]
    cap.refresh_from_db()
    mug.refresh_from_db()
    assert (cap.reserved, mug.reserved) == (0, 0)  # the line that fitted is not kept either
    assert not Order.objects.exists()


def test_a_backorder_channel_accepts_more_than_is_available(place, cap, channel):
    channel.stock_policy = StockPolicy.BACKORDER
    channel.save()

    place(("CAP-NAVY", 600))

    cap.refresh_from_db()
    assert (cap.stock, cap.reserved, cap.available) == (500, 600, 0)


def test_reserving_moves_every_listing_of_the_product_in_the_feed(place, cap, channel):
    other = ListingFactory(product=cap)
    Listing.objects.update(updated_at="2020-01-01T00:00:00Z")

    place(("CAP-NAVY", 1))

    assert Listing.objects.filter(updated_at__year=2020).count() == 0
    assert other.pk in Listing.objects.values_list("pk", flat=True)


def test_the_api_refuses_with_422_and_the_field_path(reseller_with_user, cap):
    reseller, user = reseller_with_user
    api = ApiClient(issue_key(reseller, user))

    response = api.post("/orders", order_body(items=(("CAP-NAVY", 5000),)))

    assert response.status_code == 422
    assert response.json()["errors"] == [
        {
            "field": "items[0].quantity",
            "message": "Line 1: CAP-NAVY: 500 available, 5,000 requested.",
        }
    ]


def test_the_api_products_carry_quantity_available(reseller_with_user, place, cap):
    place(("CAP-NAVY", 20))
    reseller, user = reseller_with_user

    item = ApiClient(issue_key(reseller, user)).get("/products").json()["items"][0]

    assert item["quantity_available"] == 480
    assert "stock" not in item


def test_the_order_pad_shows_the_refusal_on_the_row(reseller_client, cap, ship_to_post):
    from tests.orders.conftest import pad_post

    response = reseller_client.post(
        reverse("portal:order_create"), pad_post([("CAP-NAVY", "5000")], ship_to=ship_to_post)
    )

    assert response.status_code == 200
    assert "CAP-NAVY: 500 available, 5,000 requested." in response.content.decode()
    assert not Order.objects.exists()


def test_the_pasted_csv_refusal_names_its_line(reseller_client, cap, ship_to_post):
    from tests.orders.conftest import pad_post

    response = reseller_client.post(
        reverse("portal:order_create"),
        pad_post([], ship_to=ship_to_post, lines_text="CAP-NAVY,5000"),
    )

    assert "In the pasted text: line 1: CAP-NAVY: 500 available" in response.content.decode()


def test_the_catalog_shows_available_stock(reseller_client, place, cap):
    place(("CAP-NAVY", 120))

    page = reseller_client.get(reverse("portal:catalog")).content.decode()

    assert "Available" in page and ">380<" in page


def test_staff_adjust_stock_on_the_product_page_and_it_is_recorded(staff_client, staff, cap):
    response = staff_client.post(
        reverse("backoffice:product_edit", args=[cap.pk]),
        {
            "sku": "CAP-NAVY",
            "title": "Cap",
            "cost": "1",
            "msrp": "2",
            "weight": "0",
            "stock": "450",
        },
    )

    assert response.status_code == 302
    adjustment = StockAdjustment.objects.get()
    assert (adjustment.params, adjustment.actor) == ({"from": 500, "to": 450}, staff)
    page = staff_client.get(reverse("backoffice:product_edit", args=[cap.pk])).content.decode()
    assert "Stock on hand 500 → 450 (-50) via product page." in page


def test_setting_stock_keeps_reservations(place, cap, staff):
    place(("CAP-NAVY", 10))

    product_stock_set(product=cap, stock=8, actor=staff)

    cap.refresh_from_db()
    assert (cap.stock, cap.reserved, cap.available) == (8, 10, 0)


def test_the_stock_import_sets_every_row_and_records_each_change(staff, cap, mug):
    result = stock_import_csv(text="sku,stock\nCAP-NAVY,90\nMUG-1,50\n", actor=staff)

    assert (result.updated, result.unchanged) == (1, 1)
    assert Product.objects.get(sku="CAP-NAVY").stock == 90
    assert StockAdjustment.objects.get().params == {"from": 500, "to": 90}


def test_the_stock_import_is_all_or_nothing(staff, cap):
    with pytest.raises(StockImportError) as refused:
        stock_import_csv(text="CAP-NAVY,90\nNOPE,1\nCAP-NAVY,3\nMUG-9,-1\n", actor=staff)

    assert [(error.row, error.message) for error in refused.value.errors] == [
        (2, "Unknown SKU “NOPE”."),
        (3, "SKU “CAP-NAVY” already appears on row 1; keep one row per SKU."),
        (4, "Stock “-1” is not a whole number of 0 or more."),
    ]
    assert Product.objects.get(sku="CAP-NAVY").stock == 500
    assert not StockAdjustment.objects.exists()


def test_the_stock_import_page_lists_row_errors(staff_client, cap):
    response = staff_client.post(reverse("backoffice:stock_import"), {"text": "NOPE,3"})

    assert "Unknown SKU “NOPE”." in response.content.decode()


@pytest.mark.parametrize("count", [3, 30])
def test_the_product_list_query_count_does_not_grow(
    staff_client, django_assert_max_num_queries, count
):
    for _ in range(count):
        ProductFactory()

    with django_assert_max_num_queries(6):
        response = staff_client.get(reverse("backoffice:product_list"))

    assert response.status_code == 200


# --- Real concurrent orders (PostgreSQL) ------------------------------------------------


def _post(key, body, results, index, barrier):
    try:
        barrier.wait(timeout=30)
        response = ApiClient(key).post("/orders", body)
        results[index] = (response.status_code, response.json())
    finally:
        connection.close()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_twenty_concurrent_orders_for_five_units_place_exactly_five(reseller_with_user, channel):
    ListingFactory(channel=channel, product=ProductFactory(sku="LAST-5", stock=5))
    reseller, user = reseller_with_user
    key = issue_key(reseller, user)
    threads = 20
    barrier = threading.Barrier(threads)
    results: dict[int, tuple] = {}
    workers = [
        threading.Thread(
            target=_post,
            args=(key, order_body(f"PO-{n}", items=(("LAST-5", 1),)), results, n, barrier),
        )
        for n in range(threads)
    ]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=60)

    statuses = sorted(status for status, _ in results.values())
    assert statuses == [201] * 5 + [422] * 15
    refusals = {body["errors"][0]["message"] for status, body in results.values() if status == 422}
    assert refusals == {"Line 1: LAST-5: 0 available, 1 requested."}
    assert Order.objects.count() == 5
    product = Product.objects.get(sku="LAST-5")
    assert (product.stock, product.reserved, product.available) == (5, 5, 0)


def test_saving_the_product_form_keeps_stock_that_moved_while_it_was_open(
    staff_client, place, cap, staff
):
    from fulfilment.services import shipment_create

    url = reverse("backoffice:product_edit", args=[cap.pk])
    form = staff_client.get(url).context["form"]
    order = place(("CAP-NAVY", 10))
    shipment_create(order=order, carrier="UPS", tracking_number="1Z", actor=staff)
    data = {
        "sku": "CAP-NAVY",
        "title": "Navy cap",
        "cost": "1",
        "msrp": "2",
        "weight": "0",
        "stock": "500",
        "initial-stock": "500",
        "version": form["version"].value(),
    }

    assert staff_client.post(url, data).status_code == 302

    cap.refresh_from_db()
    assert (cap.title, cap.stock) == ("Navy cap", 490)
    assert not StockAdjustment.objects.exists()


def test_the_review_reports_a_shortfall_with_the_other_problems_and_reserves_nothing(
    reseller, cap, mug
):
    from orders.services import order_quote
    from tests.orders.conftest import order_request

    request = order_request(reference="REVIEW-1", items=(("CAP-NAVY", 5000), ("MUG-1", 1)))

    with pytest.raises(OrderValidationError) as refused:
        order_quote(reseller=reseller, request=request)

    assert refused.value.errors == [
        ("items[0].quantity", "Line 1: CAP-NAVY: 500 available, 5,000 requested.")
    ]
    cap.refresh_from_db()
    assert (cap.stock, cap.reserved) == (500, 0)


def test_the_review_says_nothing_of_stock_when_the_channel_takes_backorders(reseller, cap, channel):
    from orders.services import order_quote
    from tests.orders.conftest import order_request

    channel.stock_policy = StockPolicy.BACKORDER
    channel.save()
    reseller.refresh_from_db()

    quote = order_quote(
        reseller=reseller, request=order_request(reference="R-2", items=(("CAP-NAVY", 5000),))
    )

    assert quote.order.subtotal == 5000 * cap.listings.get().price
