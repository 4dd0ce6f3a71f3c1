from __future__ import annotations

import pytest
from django.urls import reverse

from resellers.choices import ResellerStatus
from tests.conftest import make_reseller_user
from tests.factories import ChannelFactory, ListingFactory, ProductFactory

pytestmark = pytest.mark.django_db

CATALOG = reverse("portal:catalog")


def test_the_catalog_shows_only_the_channels_active_listings(reseller_client, channel):
    ListingFactory(channel=channel, product=ProductFactory(sku="MINE-1"), price="8.25")
    ListingFactory(channel=channel, product=ProductFactory(sku="HIDDEN-1"), is_active=False)
    ListingFactory(channel=ChannelFactory(slug="wholesale"), product=ProductFactory(sku="WH-1"))

    page = reseller_client.get(CATALOG).content.decode()

    assert "MINE-1" in page and "8.25" in page
    assert "HIDDEN-1" not in page
    assert "WH-1" not in page


def test_two_channels_see_their_own_price_for_the_same_product(client, channel):
    product = ProductFactory(sku="MUG-1")
    wholesale = ChannelFactory(slug="wholesale")
    ListingFactory(channel=channel, product=product, price="8.25")
    ListingFactory(channel=wholesale, product=product, price="6.40")
    _, wholesale_user = make_reseller_user(channel=wholesale)
    client.force_login(wholesale_user)

    listings = client.get(CATALOG).context["object_list"]

    assert [(listing.product.sku, str(listing.price)) for listing in listings] == [
        ("MUG-1", "6.40")
    ]


def test_the_catalog_searches_sku_and_title(reseller_client, channel):
    ListingFactory(channel=channel, product=ProductFactory(sku="BOTTLE-1", title="Steel bottle"))
    ListingFactory(channel=channel, product=ProductFactory(sku="MUG-1", title="Mug"))

    by_title = reseller_client.get(CATALOG, {"q": "steel"}).context["object_list"]
    by_sku = reseller_client.get(CATALOG, {"q": "mug-"}).context["object_list"]
    nothing = reseller_client.get(CATALOG, {"q": "zzz"})

    assert [listing.product.sku for listing in by_title] == ["BOTTLE-1"]
    assert [listing.product.sku for listing in by_sku] == ["MUG-1"]
    assert "Nothing in your catalog matches" in nothing.content.decode()


def test_the_catalog_is_paged(reseller_client, channel):
    for _ in range(30):
        ListingFactory(channel=channel)

    first = reseller_client.get(CATALOG)
    second = reseller_client.get(CATALOG, {"page": 2})

    assert len(first.context["object_list"]) == 25
    assert len(second.context["object_list"]) == 5


@pytest.mark.parametrize(
    ("status", "words"),
    [
        (ResellerStatus.PENDING, "Waiting for approval"),
        (ResellerStatus.DENIED, "not approved"),
        (ResellerStatus.SUSPENDED, "Ordering is off"),
    ],
)
def test_a_reseller_that_may_not_order_is_told_why_and_sees_no_prices(
    client, channel, status, words
):
    ListingFactory(channel=channel, product=ProductFactory(sku="MUG-1"), price="8.25")
    _, user = make_reseller_user(channel=channel, status=status)
    client.force_login(user)

    page = client.get(CATALOG).content.decode()

    assert words in page
    assert "MUG-1" not in page


@pytest.mark.parametrize("count", [3, 30])
def test_the_catalog_query_count_does_not_grow(
    reseller_client, channel, django_assert_max_num_queries, count
):
    for _ in range(count):
        ListingFactory(channel=channel)

    # 7: the product feed section adds one (the reseller's feed token).
    with django_assert_max_num_queries(7):
        response = reseller_client.get(CATALOG, {"q": "SKU"})

    assert len(response.context["object_list"]) == min(count, 25)


def test_the_portal_navigation_offers_catalog_orders_and_new_order(reseller_client):
    page = reseller_client.get(reverse("portal:home")).content.decode()

    for words in [">Catalog</a>", ">Orders</a>", ">New order</a>"]:
        assert words in page, words
