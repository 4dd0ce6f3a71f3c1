from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from channels.models import Channel, Listing, Product
from tests.factories import (
    ApprovedResellerFactory,
    ChannelFactory,
    ListingFactory,
    ProductFactory,
)

pytestmark = pytest.mark.django_db

CATALOG_PAGES = [
    "backoffice:product_list",
    "backoffice:product_create",
    "backoffice:listing_list",
    "backoffice:listing_create",
    "backoffice:listing_import",
]


@pytest.mark.parametrize("name", CATALOG_PAGES)
def test_an_anonymous_visitor_is_sent_to_log_in(client, name):
    response = client.get(reverse(name))

    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


@pytest.mark.parametrize("name", CATALOG_PAGES)
def test_a_reseller_user_gets_403_on_catalog_pages(reseller_client, name):
    assert reseller_client.get(reverse(name)).status_code == 403


@pytest.mark.parametrize("name", CATALOG_PAGES)
def test_staff_see_every_catalog_page(staff_client, channel, name):
    assert staff_client.get(reverse(name)).status_code == 200


def test_a_reseller_cannot_change_a_price(reseller_client, listing):
    response = reseller_client.post(
        reverse("backoffice:listing_edit", args=[listing.pk]),
        {"channel": listing.channel_id, "sku": "MUG-1", "price": "0.01", "is_active": "on"},
    )

    assert response.status_code == 403
    listing.refresh_from_db()
    assert listing.price == Decimal("10.00")


def test_staff_create_a_product(staff_client):
    response = staff_client.post(
        reverse("backoffice:product_create"),
        {
            "sku": " MUG-2 ",
            "title": "Mug",
            "description": "",
            "cost": "2.00",
            "msrp": "9.00",
            "weight": "0.9",
            "stock": "12",
        },
    )

    assert response.status_code == 302
    product = Product.objects.get()
    assert (product.sku, product.stock) == ("MUG-2", 12)


@pytest.mark.parametrize(
    ("sku", "message"),
    [("MUG 2", "cannot contain spaces"), ("mug-1", "already exists"), ("A,B", "commas")],
)
def test_a_product_sku_must_be_usable(staff_client, sku, message):
    ProductFactory(sku="MUG-1")

    response = staff_client.post(
        reverse("backoffice:product_create"),
        {"sku": sku, "title": "Mug", "cost": "1", "msrp": "1", "weight": "0", "stock": "0"},
    )

    assert response.status_code == 200
    assert message in response.context["form"].errors["sku"][0]
    assert Product.objects.count() == 1


def test_staff_edit_a_product_and_see_where_it_is_listed(staff_client, listing):
    product = listing.product
    url = reverse("backoffice:product_edit", args=[product.pk])

    page = staff_client.get(url).content.decode()
    staff_client.post(
        url,
        {"sku": "MUG-1", "title": "Renamed", "cost": "1", "msrp": "1", "weight": "0", "stock": "3"},
    )

    assert listing.channel.name in page
    product.refresh_from_db()
    assert (product.title, product.stock) == ("Renamed", 3)


def test_staff_list_a_product_on_a_channel_by_sku(staff_client, channel):
    ProductFactory(sku="MUG-1")

    response = staff_client.post(
        reverse("backoffice:listing_create"),
        {"channel": channel.pk, "sku": "MUG-1", "price": "8.25", "is_active": "on"},
    )

    assert response.status_code == 302
    listing = Listing.objects.get()
    assert (listing.channel, listing.product.sku, listing.price) == (
        channel,
        "MUG-1",
        Decimal("8.25"),
    )


def test_a_listing_needs_a_known_sku_and_one_listing_per_channel(staff_client, listing):
    unknown = staff_client.post(
        reverse("backoffice:listing_create"),
        {"channel": listing.channel_id, "sku": "NOPE", "price": "1"},
    )
    duplicate = staff_client.post(
        reverse("backoffice:listing_create"),
        {"channel": listing.channel_id, "sku": "MUG-1", "price": "1"},
    )

    assert "No product has SKU “NOPE”" in unknown.context["form"].errors["sku"][0]
    assert "already listed" in duplicate.context["form"].errors["sku"][0]
    assert Listing.objects.count() == 1


def test_staff_edit_a_listing_price_and_deactivate_it(staff_client, listing):
    response = staff_client.post(
        reverse("backoffice:listing_edit", args=[listing.pk]),
        {"channel": listing.channel_id, "sku": "MUG-1", "price": "11.00"},
    )

    assert response.status_code == 302
    listing.refresh_from_db()
    assert (listing.price, listing.is_active) == (Decimal("11.00"), False)


def test_the_listing_list_filters_by_channel_active_and_search(staff_client, channel):
    wholesale = ChannelFactory(slug="wholesale", name="Wholesale")
    wanted = ListingFactory(channel=wholesale, product=ProductFactory(sku="CAP-1", title="Cap"))
    ListingFactory(channel=wholesale, product=ProductFactory(sku="CAP-2"), is_active=False)
    ListingFactory(channel=channel, product=ProductFactory(sku="CAP-3"))

    response = staff_client.get(
        reverse("backoffice:listing_list"),
        {"channel": wholesale.pk, "is_active": "true", "q": "cap"},
    )

    assert list(response.context["object_list"]) == [wanted]


def test_the_product_list_searches_sku_and_title(staff_client):
    wanted = ProductFactory(sku="ZZ-1", title="Steel bottle")
    ProductFactory(sku="ZZ-2", title="Mug")

    response = staff_client.get(reverse("backoffice:product_list"), {"q": "bottle"})

    assert list(response.context["object_list"]) == [wanted]


def test_importing_a_csv_file_reports_the_counts(staff_client, channel):
    ProductFactory(sku="MUG-1")
    ListingFactory(channel=channel, product=ProductFactory(sku="CAP-1"), price="4.00")
    upload = SimpleUploadedFile("listings.csv", b"sku,price\nMUG-1,8.25\nCAP-1,4.50\n")

    response = staff_client.post(
        reverse("backoffice:listing_import"), {"channel": channel.pk, "file": upload}, follow=True
    )

    assert "1 created, 1 updated, 0 unchanged" in response.content.decode()
    assert Listing.objects.filter(channel=channel).count() == 2


def test_an_import_with_bad_rows_shows_each_row_and_saves_nothing(staff_client, channel):
    ProductFactory(sku="MUG-1")

    response = staff_client.post(
        reverse("backoffice:listing_import"),
        {"channel": channel.pk, "text": "MUG-1,8.25\nGHOST,1.00\nMUG-1,2.00"},
    )

    page = response.content.decode()
    assert response.status_code == 200
    assert "nothing was saved" in page
    assert "Unknown SKU “GHOST”." in page
    assert "already appears on row 1" in page
    assert not Listing.objects.exists()


def test_an_import_needs_a_file_or_rows(staff_client, channel):
    response = staff_client.post(reverse("backoffice:listing_import"), {"channel": channel.pk})

    assert "Choose a CSV file or paste some rows." in response.content.decode()


def test_an_import_file_must_be_utf8(staff_client, channel):
    upload = SimpleUploadedFile("listings.csv", "MÜG,1.00".encode("utf-16"))

    response = staff_client.post(
        reverse("backoffice:listing_import"), {"channel": channel.pk, "file": upload}
    )

    assert "not UTF-8" in response.context["form"].errors["file"][0]


@pytest.mark.parametrize("count", [3, 30])
def test_catalog_list_query_counts_do_not_grow(
    staff_client, channel, django_assert_max_num_queries, count
):
    for _ in range(count):
        ListingFactory(channel=channel)

    with django_assert_max_num_queries(6):
        products = staff_client.get(reverse("backoffice:product_list"), {"q": "SKU"})
    with django_assert_max_num_queries(7):
        listings = staff_client.get(reverse("backoffice:listing_list"), {"channel": channel.pk})

    assert len(products.context["object_list"]) == min(count, 25)
    assert len(listings.context["object_list"]) == min(count, 25)


@pytest.mark.parametrize("count", [2, 20])
def test_the_channel_list_query_count_does_not_grow(
    staff_client, channel, django_assert_max_num_queries, count
):
    for index in range(count):
        ListingFactory(channel=ChannelFactory(slug=f"channel-{index}"))

    # Session, user, then one query for the channels with their counts.
    with django_assert_max_num_queries(3):
        response = staff_client.get(reverse("backoffice:channel_list"))

    assert len(response.context["channels"]) == count + 1


def test_the_channel_list_counts_resellers_and_listings_separately(staff_client, channel):
    # Both counts over one join would see 2 × 3 rows per channel; each must count its own.
    ApprovedResellerFactory.create_batch(2, channel=channel)
    ListingFactory.create_batch(3, channel=channel)
    ChannelFactory(slug="empty", name="Empty")

    response = staff_client.get(reverse("backoffice:channel_list"))

    counts = {
        row.slug: (row.reseller_count, row.listing_count) for row in response.context["channels"]
    }
    assert counts == {"retail": (2, 3), "empty": (0, 0)}


def test_staff_create_channels_and_only_one_is_default(staff_client, channel):
    staff_client.post(
        reverse("backoffice:channel_create"),
        {
            "name": "Wholesale",
            "slug": "wholesale",
            "currency": "usd",
            "is_active": "on",
            "is_default": "on",
        },
    )

    channel.refresh_from_db()
    assert channel.is_default is False
    assert Channel.objects.get(slug="wholesale").currency == "USD"
    assert Channel.objects.filter(is_default=True).count() == 1


def test_channel_form_rejects_a_bad_currency(staff_client):
    response = staff_client.post(
        reverse("backoffice:channel_create"), {"name": "X", "slug": "x", "currency": "U5"}
    )

    assert "three-letter ISO currency code" in response.content.decode()
