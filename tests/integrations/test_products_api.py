from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from channels.models import Listing
from channels.services import listing_import_csv, listing_save, product_save
from tests.apikeys.conftest import ApiClient, issue_key
from tests.conftest import make_reseller_user
from tests.factories import ChannelFactory, ListingFactory, ProductFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(reseller_with_user) -> ApiClient:
    reseller, user = reseller_with_user
    return ApiClient(issue_key(reseller, user))


@pytest.fixture
def catalog(channel):
    base = timezone.now() - timedelta(hours=1)
    listings = [
        ListingFactory(channel=channel, product=ProductFactory(sku=f"SKU-{n}"), price=n)
        for n in range(1, 6)
    ]
    for offset, listing in enumerate(listings):
        Listing.objects.filter(pk=listing.pk).update(updated_at=base + timedelta(minutes=offset))
    return listings


def _changes(api, **params):
    response = api.get("/products", params)
    assert response.status_code == 200, response.content
    return response.json()


def test_updated_since_returns_changes_oldest_first_with_the_feed_fields(api, catalog):
    since = (timezone.now() - timedelta(days=1)).isoformat()

    page = _changes(api, updated_since=since)

    assert [item["sku"] for item in page["items"]] == [f"SKU-{n}" for n in range(1, 6)]
    assert page["has_more"] is False
    item = page["items"][0]
    assert {"quantity_available", "active", "updated_at", "price", "msrp", "weight"} <= set(item)
    assert item["active"] is True
    assert "count" not in page and "page" not in page  # no offset paging in this mode


def test_a_price_change_appears_in_the_next_read(api, catalog):
    page = _changes(api, updated_since=(timezone.now() - timedelta(days=1)).isoformat())
    cursor = page["next_cursor"]
    assert _changes(api, cursor=cursor)["items"] == []

    listing_save(listing=catalog[1], data={"price": Decimal("99.00")})

    after = _changes(api, cursor=cursor)
    assert [(i["sku"], i["price"]) for i in after["items"]] == [("SKU-2", "99.00")]


def test_a_stock_change_and_a_listing_import_appear_too(api, channel, catalog):
    cursor = _changes(api, updated_since=timezone.now().isoformat())["next_cursor"]

    product_save(product=catalog[0].product, data={"stock": 7})
    listing_import_csv(channel=channel, text="sku,price,active\nSKU-3,42.00,no\n")

    items = _changes(api, cursor=cursor)["items"]
    assert {i["sku"]: (i["quantity_available"], i["active"]) for i in items} == {
        "SKU-1": (7, True),
        "SKU-3": (100, False),  # withdrawn: incremental readers must learn it
    }


def test_cursor_paging_skips_nothing_when_a_row_is_edited_mid_read(api, catalog):
    since = (timezone.now() - timedelta(days=1)).isoformat()
    first = _changes(api, updated_since=since, page_size=2)
    assert [i["sku"] for i in first["items"]] == ["SKU-1", "SKU-2"]
    assert first["has_more"] is True

    # SKU-1, already read, changes while the client pages: it is read again at the end,
    # and SKU-3 (which an offset page would now skip) is not lost.
    listing_save(listing=catalog[0], data={"price": Decimal("50.00")})

    seen = []
    cursor = first["next_cursor"]
    while True:
        page = _changes(api, cursor=cursor, page_size=2)
        seen += [i["sku"] for i in page["items"]]
        cursor = page["next_cursor"]
        if not page["has_more"]:
            break
    assert seen == ["SKU-3", "SKU-4", "SKU-5", "SKU-1"]


def test_a_tampered_cursor_is_422(api, catalog):
    response = api.get("/products", {"cursor": "not-a-cursor"})
    assert response.status_code == 422
    assert "cursor" in response.json()["detail"]


def test_changes_never_include_another_channels_listings(api, catalog):
    other_channel = ChannelFactory(slug="wholesale")
    ListingFactory(channel=other_channel, product=ProductFactory(sku="WHOLESALE-ONLY"))
    other, user = make_reseller_user(channel=other_channel, company_name="Other Co")
    other_api = ApiClient(issue_key(other, user))
    since = (timezone.now() - timedelta(days=1)).isoformat()

    assert "WHOLESALE-ONLY" not in [i["sku"] for i in _changes(api, updated_since=since)["items"]]
    assert [i["sku"] for i in _changes(other_api, updated_since=since)["items"]] == [
        "WHOLESALE-ONLY"
    ]
    # A cursor carries a position, not a channel: the other reseller's key reads its own.
    cursor = _changes(api, updated_since=since, page_size=1)["next_cursor"]
    assert [i["sku"] for i in _changes(other_api, cursor=cursor)["items"]] == ["WHOLESALE-ONLY"]


@pytest.mark.parametrize("size", [5, 40])
def test_an_incremental_page_costs_the_same_queries_at_any_size(
    api, channel, django_assert_max_num_queries, size
):
    for _ in range(size):
        ListingFactory(channel=channel)
    with django_assert_max_num_queries(4):
        _changes(api, updated_since="2000-01-01T00:00:00Z", page_size=200)
