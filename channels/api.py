"""The catalog in the JSON API: GET /products (mounted by `api.v1`)."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Annotated

from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Query, Router, Schema
from ninja.errors import HttpError
from pydantic import BeforeValidator

from core.api import Money, PageMeta, PageQuery, Text, errors, ordering_reseller, paginate

from . import cursors
from .models import Listing
from .selectors import listing_changes_for_channel, listing_list_for_channel

router = Router(tags=["Catalog"])


class ProductOut(Schema):
    # A listing on the caller's channel: the product's facts at the channel's price.

    sku: str = Field(examples=["MUG-CERAMIC"])
    title: str
    description: str
    price: Money = Field(description="Your channel price, a decimal string.")
    currency: str = Field(examples=["USD"])
    msrp: Money
    weight: Decimal = Field(description="Pounds, a decimal string.")
    quantity_available: int = Field(
        description="Units you can order now: stock on hand minus units reserved by orders "
        "that have not shipped."
    )
    active: bool = Field(
        description="False when the product was withdrawn from your catalog; only "
        "`updated_since` reads return withdrawn products."
    )
    updated_at: datetime = Field(description="When the price, stock or product last changed.")

    @staticmethod
    def resolve_sku(listing: Listing) -> str:
        return listing.product.sku

    @staticmethod
    def resolve_title(listing: Listing) -> str:
        return listing.product.title

    @staticmethod
    def resolve_description(listing: Listing) -> str:
        return listing.product.description

    @staticmethod
    def resolve_currency(listing: Listing) -> str:
        return listing.channel.currency

    @staticmethod
    def resolve_msrp(listing: Listing) -> Decimal:
        return listing.product.msrp

    @staticmethod
    def resolve_weight(listing: Listing) -> Decimal:
        return listing.product.weight

    @staticmethod
    def resolve_quantity_available(listing: Listing) -> int:
        return listing.product.available

    @staticmethod
    def resolve_active(listing: Listing) -> bool:
        return listing.is_active


class ProductPage(PageMeta):
    items: list[ProductOut]


def _iso_datetime(value: object) -> object:
    """ISO 8601 text only: pydantic alone would read "0.5" as a Unix time."""
    if isinstance(value, datetime):
        return value
    if isinstance(value, str):
        try:
            return datetime.fromisoformat(value)
        except ValueError:
            pass
    raise ValueError("Use an ISO 8601 date and time, e.g. 2026-12-01T00:00:00Z")


IsoDateTime = Annotated[datetime, BeforeValidator(_iso_datetime)]


class ProductQuery(PageQuery):
    sku: Text | None = Field(None, max_length=64, description="Only this SKU (exact match).")
    updated_since: IsoDateTime | None = Field(
        None,
        description="Incremental read: products changed at or after this ISO 8601 time, oldest "
        "change first, withdrawn ones included (`active: false`), paged with `cursor` instead "
        "of `page`. Example: 2026-12-01T00:00:00Z.",
    )
    cursor: Text | None = Field(
        None,
        max_length=200,
        description="Continue an incremental read: the `next_cursor` of the previous answer. "
        "Keep the last one and poll with it to get only what changed since.",
    )


class ProductChanges(Schema):
    items: list[ProductOut]
    next_cursor: str = Field(
        description="Pass as `cursor` to continue; after the last page, poll with it later."
    )
    has_more: bool = Field(description="True when more changes wait right now.")


@router.get(
    "/products",
    response={200: ProductPage | ProductChanges, **errors(403, 422)},
    operation_id="listProducts",
    summary="Your catalog",
)
def list_products(request: HttpRequest, query: Query[ProductQuery]):
    """The products you can order, at your channel's prices, by SKU.

    With `updated_since` (or a `cursor`), only what changed, oldest change first, in pages of
    `page_size` linked by `next_cursor` (no page numbers: they would shift under concurrent
    edits).
    """
    reseller = ordering_reseller(request)
    if query.updated_since is not None or query.cursor is not None:
        return _product_changes(reseller.channel, query)
    listings = listing_list_for_channel(channel=reseller.channel).select_related("channel")
    if query.sku:
        listings = listings.filter(product__sku=query.sku)
    return paginate(listings, query)


def _product_changes(channel, query: ProductQuery) -> dict:
    if query.cursor is not None:
        try:
            since, after_id = cursors.decode(query.cursor)
        except ValueError as error:
            raise HttpError(
                422, "The cursor is not one this API gave out; pass next_cursor unchanged."
            ) from error
    else:
        since = query.updated_since
        if timezone.is_naive(since):
            since = timezone.make_aware(since, UTC)
        after_id = None
    listings = listing_changes_for_channel(channel=channel, since=since, after_id=after_id)
    if query.sku:
        listings = listings.filter(product__sku=query.sku)
    # One row more than asked says whether another page waits, without a COUNT.
    rows = list(listings[: query.page_size + 1])
    has_more = len(rows) > query.page_size
    rows = rows[: query.page_size]
    if rows:
        next_cursor = cursors.encode(rows[-1].updated_at, rows[-1].pk)
    else:
        next_cursor = query.cursor or cursors.encode(since, None)
    return {"items": rows, "next_cursor": next_cursor, "has_more": has_more}
