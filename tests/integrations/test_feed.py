from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from django.utils.http import http_date

from channels.models import Listing
from channels.services import listing_save, product_save
from integrations.feed import HEADER
from integrations.services import feed_token_issue, feed_token_revoke
from resellers.choices import ResellerStatus
from resellers.models import Reseller
from tests.conftest import make_reseller_user
from tests.factories import ChannelFactory, ListingFactory, ProductFactory

pytestmark = pytest.mark.django_db

COLUMNS = "sku,title,description,price,msrp,quantity_available,weight,active,updated_at"


def _feed(client, token: str, **headers):
    return client.get(f"/feeds/{token}/products.csv", **headers)


def _rows(response) -> list[dict[str, str]]:
    body = b"".join(response.streaming_content).decode("utf-8")
    return list(csv.DictReader(io.StringIO(body)))


@pytest.fixture
def catalog(channel):
    ListingFactory(
        channel=channel,
        product=ProductFactory(
            sku="MUG-1",
            title="Mug",
            description="Stoneware, 12 oz",
            msrp=Decimal("19.99"),
            weight=Decimal("1.250"),
            stock=42,
        ),
        price=Decimal("11.50"),
    )
    ListingFactory(channel=channel, product=ProductFactory(sku="CAP-1", title="Cap"), price=7)
    ListingFactory(channel=channel, product=ProductFactory(sku="OFF-1"), price=1, is_active=False)
    return channel


@pytest.fixture
def feed_token(reseller_with_user, catalog) -> str:
    reseller, user = reseller_with_user
    return feed_token_issue(reseller=reseller, actor=user)[1]


def test_the_feed_lists_the_channels_active_listings_with_the_agreed_columns(
    client, feed_token, catalog
):
    response = _feed(client, feed_token)

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert ",".join(HEADER) == COLUMNS
    rows = _rows(response)
    assert list(rows[0]) == COLUMNS.split(",")
    assert [row["sku"] for row in rows] == ["CAP-1", "MUG-1"]  # by SKU; inactive left out
    mug = rows[1]
    listing = Listing.objects.get(product__sku="MUG-1")
    assert mug == {
        "sku": "MUG-1",
        "title": "Mug",
        "description": "Stoneware, 12 oz",
        "price": "11.50",
        "msrp": "19.99",
        "quantity_available": "42",
        "weight": "1.250",
        "active": "true",
        "updated_at": listing.updated_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
    }


def test_a_token_only_ever_shows_its_own_channel(client, catalog, feed_token):
    other_channel = ChannelFactory(name="Wholesale", slug="wholesale")
    ListingFactory(channel=other_channel, product=ProductFactory(sku="WHOLESALE-ONLY"))
    other, other_user = make_reseller_user(channel=other_channel, company_name="Other Co")
    other_token = feed_token_issue(reseller=other, actor=other_user)[1]

    assert [r["sku"] for r in _rows(_feed(client, feed_token))] == ["CAP-1", "MUG-1"]
    assert [r["sku"] for r in _rows(_feed(client, other_token))] == ["WHOLESALE-ONLY"]


def test_a_rotated_revoked_or_unknown_token_is_404(client, reseller_with_user, feed_token):
    reseller, user = reseller_with_user
    new_token = feed_token_issue(reseller=reseller, actor=user)[1]

    assert _feed(client, feed_token).status_code == 404
    assert _feed(client, new_token).status_code == 200
    feed_token_revoke(reseller=reseller)
    assert _feed(client, new_token).status_code == 404
    assert _feed(client, "rpf_" + "x" * 43).status_code == 404


def test_only_a_hash_of_the_token_is_stored(reseller, feed_token):
    stored = reseller.feed_token
    assert feed_token not in (stored.hash, stored.prefix)
    assert feed_token.startswith(stored.prefix)


@pytest.mark.parametrize(
    "status", [ResellerStatus.SUSPENDED, ResellerStatus.DENIED, ResellerStatus.PENDING]
)
def test_the_feed_stops_for_a_reseller_no_longer_approved_or_active(
    client, reseller, feed_token, status
):
    Reseller.objects.filter(pk=reseller.pk).update(status=status)

    response = _feed(client, feed_token)

    assert response.status_code == 403
    assert b"feed is off" in response.content
    assert b"MUG-1" not in response.content


def test_an_unchanged_feed_answers_304_to_either_validator(client, feed_token):
    first = _feed(client, feed_token)
    etag, last_modified = first["ETag"], first["Last-Modified"]

    assert _feed(client, feed_token, HTTP_IF_NONE_MATCH=etag).status_code == 304
    assert _feed(client, feed_token, HTTP_IF_MODIFIED_SINCE=last_modified).status_code == 304
    assert _feed(client, feed_token, HTTP_IF_NONE_MATCH='"other"').status_code == 200


def test_a_price_change_changes_the_validators(client, feed_token):
    first = _feed(client, feed_token)
    listing = Listing.objects.get(product__sku="MUG-1")
    listing_save(listing=listing, data={"price": Decimal("12.00")})

    again = _feed(client, feed_token, HTTP_IF_NONE_MATCH=first["ETag"])

    assert again.status_code == 200
    assert again["ETag"] != first["ETag"]
    assert {r["sku"]: r["price"] for r in _rows(again)}["MUG-1"] == "12.00"


def test_a_stock_change_moves_the_listing_and_the_feed(client, feed_token):
    first = _feed(client, feed_token)
    listing = Listing.objects.get(product__sku="MUG-1")
    before = listing.updated_at

    product_save(product=listing.product, data={"stock": 5})

    listing.refresh_from_db()
    assert listing.updated_at > before
    again = _feed(client, feed_token, HTTP_IF_NONE_MATCH=first["ETag"])
    assert {r["sku"]: r["quantity_available"] for r in _rows(again)}["MUG-1"] == "5"


def test_a_cost_change_resellers_do_not_see_leaves_the_listing_alone(feed_token):
    listing = Listing.objects.get(product__sku="MUG-1")
    before = listing.updated_at
    product_save(product=listing.product, data={"cost": Decimal("3.00")})
    listing.refresh_from_db()
    assert listing.updated_at == before


def test_a_fetch_is_recorded_for_staff(client, reseller, feed_token):
    assert reseller.feed_token.last_fetched_at is None
    _feed(client, feed_token)
    reseller.feed_token.refresh_from_db()
    assert reseller.feed_token.last_fetched_at is not None


def test_last_modified_is_the_newest_listing_change(client, feed_token, catalog):
    moment = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)
    Listing.objects.filter(channel=catalog).update(updated_at=moment - timedelta(days=1))
    Listing.objects.filter(product__sku="CAP-1").update(updated_at=moment)

    response = _feed(client, feed_token)

    assert response["Last-Modified"] == http_date(moment.timestamp())
    assert timezone.now() > moment


def test_text_that_looks_like_a_formula_is_neutralised(client, channel, reseller_with_user):
    reseller, user = reseller_with_user
    ListingFactory(
        channel=channel,
        product=ProductFactory(sku="EVIL-1", title='=HYPERLINK("http://x")', description="-2+3"),
    )
    token = feed_token_issue(reseller=reseller, actor=user)[1]

    row = _rows(_feed(client, token))[0]

    assert row["title"] == '\'=HYPERLINK("http://x")'
    assert row["description"] == "'-2+3"
