"""The catalog in the JSON API: GET /products (mounted by `api.v1`)."""

from __future__ import annotations

from decimal import Decimal

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from core.api import Money, PageMeta, PageQuery, Text, errors, ordering_reseller, paginate

from .models import Listing
from .selectors import listing_list_for_channel

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


class ProductPage(PageMeta):
    items: list[ProductOut]


class ProductQuery(PageQuery):
    sku: Text | None = Field(None, max_length=64, description="Only this SKU (exact match).")


@router.get(
    "/products",
    response={200: ProductPage, **errors(403, 422)},
    operation_id="listProducts",
    summary="Your catalog",
)
def list_products(request: HttpRequest, query: Query[ProductQuery]):
    """The products you can order, at your channel's prices, by SKU."""
    reseller = ordering_reseller(request)
    listings = listing_list_for_channel(channel=reseller.channel).select_related("channel")
    if query.sku:
        listings = listings.filter(product__sku=query.sku)
    return paginate(listings, query)
