from __future__ import annotations

from django.db.models import Count, QuerySet

from core.selectors import related_count

from .models import Channel, Listing, Product, StockAdjustment


def channel_list() -> QuerySet[Channel]:
    return Channel.objects.annotate(
        reseller_count=related_count(Channel, "resellers"),
        listing_count=related_count(Channel, "listings"),
    ).order_by("name")


def active_channels() -> QuerySet[Channel]:
    return Channel.objects.filter(is_active=True).order_by("name")


def default_channel() -> Channel | None:
    return Channel.objects.filter(is_default=True).first()


def channel_for_approval() -> Channel | None:
    """The channel an approval may assign without asking: the only active one, if exactly one."""
    channels = list(active_channels()[:2])
    return channels[0] if len(channels) == 1 else None


def listing_list_for_channel(*, channel: Channel | None) -> QuerySet[Listing]:
    """What a reseller on `channel` may see and order: the channel's active listings."""
    if channel is None:
        return Listing.objects.none()
    return (
        Listing.objects.filter(channel=channel, is_active=True)
        .select_related("product")
        .order_by("product__sku")
    )


def product_list() -> QuerySet[Product]:
    """Back-office product list: every product, with how many channels list it."""
    return Product.objects.annotate(listing_count=Count("listings")).order_by("sku")


def listing_list_for_product(*, product: Product) -> QuerySet[Listing]:
    """Back-office product page: the channels a product is listed on, and at what price."""
    return product.listings.select_related("channel").order_by("channel__name")


def listing_list() -> QuerySet[Listing]:
    """Back-office listing list: staff see every channel's listings."""
    return Listing.objects.select_related("channel", "product").order_by(
        "channel__name", "product__sku"
    )


def stock_adjustments_for_product(*, product: Product) -> QuerySet[StockAdjustment]:
    """Back-office product page: staff changes to the stock on hand, newest first."""
    return product.adjustments.select_related("actor").order_by("-created_at", "-id")
