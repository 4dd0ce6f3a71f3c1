from __future__ import annotations

import csv
import io
from datetime import datetime
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from integrations.models import FeedToken
from resellers.choices import ResellerStatus
from resellers.models import Reseller
from tests.conftest import make_reseller_user
from tests.factories import ChannelFactory, ListingFactory, ProductFactory

pytestmark = pytest.mark.django_db

COLUMNS = [
    "sku",
    "title",
    "description",
    "price",
    "msrp",
    "quantity_available",
    "weight",
    "active",
    "updated_at",
]


@pytest.fixture
def catalog(channel):
    ListingFactory(
        channel=channel,
        product=ProductFactory(sku="MUG-1", title="=cmd|' /C calc'!A0", stock=3),
        price=Decimal("11.50"),
    )
    other_channel = ChannelFactory(name="Wholesale", slug="wholesale")
    ListingFactory(channel=other_channel, product=ProductFactory(sku="WHOLESALE-ONLY"))
    return channel


def test_download_csv_streams_the_resellers_own_catalog(reseller_client, catalog):
    response = reseller_client.get("/portal/catalog/products.csv")

    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    body = b"".join(response.streaming_content).decode("utf-8")
    assert body.startswith("\ufeff")  # Excel reads accents right
    rows = list(csv.reader(io.StringIO(body.lstrip("\ufeff"))))
    assert rows[0] == COLUMNS
    assert [row[0] for row in rows[1:]] == ["MUG-1"]
    assert rows[1][1] == "'=cmd|' /C calc'!A0"


def test_download_xlsx_has_typed_cells_and_no_formula(reseller_client, catalog):
    response = reseller_client.get("/portal/catalog/products.xlsx")

    assert response.status_code == 200
    workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    sheet = workbook["Products"]
    rows = list(sheet.iter_rows(values_only=True))
    assert list(rows[0]) == COLUMNS
    assert len(rows) == 2
    sku, title, _, price, msrp, quantity, weight, active, updated_at = rows[1]
    assert sku == "MUG-1"
    assert title == "'=cmd|' /C calc'!A0"
    assert sheet["B2"].data_type == "s"  # text, not a formula
    assert price == 11.5 and isinstance(price, float | int)
    assert quantity == 3
    assert active is True
    assert isinstance(updated_at, datetime)
    assert sheet.freeze_panes == "A2"


@pytest.mark.parametrize("path", ["/portal/catalog/products.csv", "/portal/catalog/products.xlsx"])
def test_downloads_are_refused_until_the_reseller_may_order(reseller_client, reseller, path):
    Reseller.objects.filter(pk=reseller.pk).update(status=ResellerStatus.PENDING)
    assert reseller_client.get(path).status_code == 404


def test_downloads_need_a_login(client, catalog):
    response = client.get("/portal/catalog/products.csv")
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_the_catalog_offers_downloads_and_a_feed_url_shown_once(reseller_client, reseller, catalog):
    page = reseller_client.get("/portal/catalog/").content.decode()
    assert "Download CSV" in page and "Download XLSX" in page
    assert "Create feed URL" in page

    shown = reseller_client.post("/portal/catalog/feed/").content.decode()

    token = FeedToken.objects.get(reseller=reseller)
    assert "/feeds/rpf_" in shown
    plaintext = shown.split("/feeds/")[1].split("/products.csv")[0]
    assert plaintext.startswith(token.prefix)
    later = reseller_client.get("/portal/catalog/").content.decode()
    assert token.prefix in later
    assert plaintext not in later
    assert "Rotate feed URL" in later


def test_rotating_from_the_catalog_replaces_the_url(reseller_client, reseller, client, catalog):
    first = reseller_client.post("/portal/catalog/feed/").content.decode()
    old = first.split("/feeds/")[1].split("/products.csv")[0]
    second = reseller_client.post("/portal/catalog/feed/").content.decode()
    new = second.split("/feeds/")[1].split("/products.csv")[0]

    assert "old one has stopped working" in second
    assert client.get(f"/feeds/{old}/products.csv").status_code == 404
    assert client.get(f"/feeds/{new}/products.csv").status_code == 200
    reseller_client.post("/portal/catalog/feed/revoke/")
    assert client.get(f"/feeds/{new}/products.csv").status_code == 404


def test_a_pending_reseller_cannot_create_a_feed_url(reseller_client, reseller):
    Reseller.objects.filter(pk=reseller.pk).update(status=ResellerStatus.PENDING)
    response = reseller_client.post("/portal/catalog/feed/")
    assert response.status_code == 302
    assert not FeedToken.objects.exists()


@pytest.mark.parametrize("size", [3, 30])
def test_the_catalog_page_query_count_does_not_grow_with_the_catalog(
    reseller_client, channel, django_assert_max_num_queries, size
):
    for _ in range(size):
        ListingFactory(channel=channel)
    with django_assert_max_num_queries(12):
        response = reseller_client.get("/portal/catalog/")
    assert response.status_code == 200


def test_feed_and_downloads_ignore_another_resellers_channel(client, catalog):
    other_channel = ChannelFactory(slug="wholesale")
    other, user = make_reseller_user(channel=other_channel, company_name="Other Co")
    client.force_login(user)
    body = b"".join(client.get("/portal/catalog/products.csv").streaming_content).decode()
    assert "WHOLESALE-ONLY" in body
    assert "MUG-1" not in body
