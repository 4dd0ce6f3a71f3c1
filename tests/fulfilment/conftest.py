from __future__ import annotations

import pytest

from orders.services import order_place
from tests.factories import ListingFactory, ProductFactory
from tests.orders.conftest import order_request, ship_to_post  # noqa: F401 (a fixture)


@pytest.fixture
def cap(channel):
    """CAP-NAVY with 500 on hand, listed on the channel at 12.00."""
    return ListingFactory(
        channel=channel, product=ProductFactory(sku="CAP-NAVY", stock=500), price="12.00"
    ).product


@pytest.fixture
def mug(channel):
    return ListingFactory(
        channel=channel, product=ProductFactory(sku="MUG-1", stock=50), price="8.00"
    ).product


@pytest.fixture
def place(reseller):
    """Place an order through order_place: place(("CAP-NAVY", 3), ("MUG-1", 2), reference=…)."""
    counter = iter(range(1, 10_000))

    def place_order(*items, reference: str | None = None, who=None):
        return order_place(
            reseller=who or reseller,
            request=order_request(reference=reference or f"PO-{next(counter)}", items=items),
        )

    return place_order


def lines_by_sku(order) -> dict:
    return {line.sku: line for line in order.lines.all()}
