from __future__ import annotations

import pytest

from orders.services import LineRequest, OrderRequest, ShipTo

SHIP_TO = ShipTo(
    name="Jordan Customer",
    address_line1="742 Evergreen Terrace",
    city="Springfield",
    state="OR",
    postal_code="97403",
    country_code="US",
)


def order_request(reference: str = "PO-1", items=(("SKU-1", 2),), **overrides) -> OrderRequest:
    fields = {
        "reference_number": reference,
        "ship_to": SHIP_TO,
        "items": [LineRequest(sku=sku, quantity=quantity) for sku, quantity in items],
    }
    fields.update(overrides)
    return OrderRequest(**fields)


@pytest.fixture
def ship_to_post() -> dict[str, str]:
    """The ship-to part of a portal order pad submission."""
    return {
        "ship-name": "Jordan Customer",
        "ship-company": "",
        "ship-address_line1": "742 Evergreen Terrace",
        "ship-address_line2": "",
        "ship-city": "Springfield",
        "ship-state": "OR",
        "ship-postal_code": "97403",
        "ship-country": "us",
        "ship-phone": "",
        "ship-email": "",
    }


def pad_post(rows, *, reference: str = "PO-100", ship_to: dict, total: int = 5, **extra) -> dict:
    """A complete order pad POST body: `rows` are (sku, quantity) pairs, padded with blanks."""
    data = {
        "reference_number": reference,
        "shipping_method": "Ground",
        "note": "",
        "lines-TOTAL_FORMS": str(max(total, len(rows))),
        "lines-INITIAL_FORMS": "0",
        "lines-MIN_NUM_FORMS": "0",
        "lines-MAX_NUM_FORMS": "200",
        "lines_text": "",
        **ship_to,
    }
    for index in range(max(total, len(rows))):
        sku, quantity = rows[index] if index < len(rows) else ("", "")
        data[f"lines-{index}-sku"] = sku
        data[f"lines-{index}-quantity"] = str(quantity)
    data.update(extra)
    return data
