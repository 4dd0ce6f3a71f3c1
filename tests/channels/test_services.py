from __future__ import annotations

from decimal import Decimal

import pytest

from channels.exceptions import CatalogError, ListingImportError
from channels.models import Listing, Product
from channels.services import listing_import_csv, listing_save, product_save
from tests.factories import ChannelFactory, ListingFactory, ProductFactory

pytestmark = pytest.mark.django_db


def test_product_save_creates_then_updates_only_what_changed():
    product = product_save(data={"sku": "MUG-1", "title": "Mug", "cost": Decimal("2.00")})

    updated = product_save(product=product, data={"sku": "MUG-1", "title": "Big mug"})

    assert Product.objects.get().title == "Big mug"
    assert updated.pk == product.pk


def test_product_save_reports_a_duplicate_sku_clearly():
    ProductFactory(sku="MUG-1")

    with pytest.raises(CatalogError, match="MUG-1"):
        product_save(data={"sku": "MUG-1", "title": "Another mug"})


def test_listing_save_creates_and_updates_a_listing(channel):
    product = ProductFactory(sku="MUG-1")

    listing = listing_save(
        data={"channel": channel, "product": product, "price": Decimal("8.25"), "is_active": True}
    )
    listing_save(listing=listing, data={"price": Decimal("7.00"), "is_active": False})

    listing.refresh_from_db()
    assert (listing.price, listing.is_active) == (Decimal("7.00"), False)


def test_listing_save_refuses_a_second_listing_of_the_same_product_on_a_channel(channel):
    existing = ListingFactory(channel=channel)

    with pytest.raises(CatalogError, match="already listed"):
        listing_save(data={"channel": channel, "product": existing.product, "price": 1})

    assert Listing.objects.count() == 1


@pytest.fixture
def catalog(channel):
    existing = ListingFactory(
        channel=channel, product=ProductFactory(sku="OLD-1"), price="5.00", is_active=False
    )
    ListingFactory(channel=channel, product=ProductFactory(sku="SAME-1"), price="3.00")
    ProductFactory(sku="NEW-1")
    ProductFactory(sku="NEW-2")
    ProductFactory(sku="NEW-3")
    return existing


def test_the_import_creates_updates_and_counts_unchanged_rows(channel, catalog):
    result = listing_import_csv(
        channel=channel,
        text="sku,price,active\nNEW-1,12.50,yes\nOLD-1,6,\nSAME-1,3.00\nNEW-2,1.99,no\n",
    )

    assert (result.created, result.updated, result.unchanged) == (2, 1, 1)
    listings = {
        listing.product.sku: (listing.price, listing.is_active)
        for listing in Listing.objects.filter(channel=channel).select_related("product")
    }
    assert listings == {
        "NEW-1": (Decimal("12.50"), True),
        # A blank active column keeps what the listing had.
        "OLD-1": (Decimal("6.00"), False),
        "SAME-1": (Decimal("3.00"), True),
        "NEW-2": (Decimal("1.99"), False),
    }


def test_the_import_works_without_a_header_and_with_columns_in_any_order(channel, catalog):
    listing_import_csv(channel=channel, text="NEW-1,4.00\n")
    listing_import_csv(channel=channel, text="active,price,sku\nno,4.50,NEW-1\n")

    listing = Listing.objects.get(product__sku="NEW-1")
    assert (listing.price, listing.is_active) == (Decimal("4.50"), False)


def test_the_import_leaves_other_channels_alone(channel, catalog):
    other = ChannelFactory(slug="wholesale")
    theirs = ListingFactory(channel=other, product=Product.objects.get(sku="OLD-1"), price="1.00")

    listing_import_csv(channel=channel, text="OLD-1,9.00\n")

    theirs.refresh_from_db()
    assert theirs.price == Decimal("1.00")


def test_a_bad_row_saves_nothing_and_every_problem_is_reported(channel, catalog):
    text = (
        "sku,price,active\n"  # row 1
        "NEW-1,2.00\n"  # row 2: fine
        "GHOST-1,2.00\n"  # row 3: unknown SKU
        "NEW-2,abc\n"  # row 4: bad price
        "NEW-1,3.00\n"  # row 5: duplicate of row 2
        "OLD-1,-1\n"  # row 6: negative
        "SAME-1,1.005\n"  # row 7: three decimals
        "NEW-3,1.00,maybe\n"  # row 8: bad active flag
        ",1.00\n"  # row 9: missing SKU
        "NEW-2,1,yes,extra\n"  # row 10: too many columns
    )

    with pytest.raises(ListingImportError) as caught:
        listing_import_csv(channel=channel, text=text)

    problems = [(error.row, error.sku, error.message) for error in caught.value.errors]
    assert [row for row, _, _ in problems] == [3, 4, 5, 6, 7, 8, 9, 10]
    assert problems[0] == (3, "GHOST-1", "Unknown SKU “GHOST-1”.")
    assert "not a number" in problems[1][2]
    assert "already appears on row 2" in problems[2][2]
    assert "negative" in problems[3][2]
    assert "more than two decimals" in problems[4][2]
    assert "yes or no" in problems[5][2]
    assert problems[6][2] == "SKU is missing."
    assert "Expected 2 or 3 columns" in problems[7][2]
    assert not Listing.objects.filter(product__sku__in=["NEW-1", "NEW-2"]).exists()
    assert Listing.objects.get(product__sku="OLD-1").price == Decimal("5.00")


def test_an_empty_file_is_refused(channel):
    with pytest.raises(ListingImportError, match="1 row"):
        listing_import_csv(channel=channel, text="sku,price\n\n")


def test_a_header_with_unknown_columns_is_refused(channel, catalog):
    with pytest.raises(ListingImportError) as caught:
        listing_import_csv(channel=channel, text="sku,cost\nNEW-1,1.00\n")

    assert "header" in caught.value.errors[0].message
