from __future__ import annotations

from datetime import datetime

from django.db.models import Count, Q, QuerySet

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


def listing_changes_for_channel(
    *, channel: Channel | None, since: datetime, after_id: int | None = None
) -> QuerySet[Listing]:
    """The channel's listings changed at or after `since`, active or not, oldest change first.

    Keyset order on (updated_at, id): a client pages with the last row's pair as the cursor,
    so a listing edited while it pages moves behind the cursor and is read again rather than
    shifting every later row (as offsets would) and making one be skipped. Inactive listings
    are included so an incremental reader learns that a product was withdrawn.
    `after_id`: the position is strictly after (since, after_id); None starts at `since`.
    """
    if channel is None:
        return Listing.objects.none()
    listings = Listing.objects.filter(channel=channel).select_related("product", "channel")
    if after_id is None:
        listings = listings.filter(updated_at__gte=since)
    else:
        listings = listings.filter(Q(updated_at__gt=since) | Q(updated_at=since, pk__gt=after_id))
    return listings.order_by("updated_at", "pk")
