"""Issue 11 #15: the API showed resellers the supplier's internal rule names and auto-capture
limit, which the portal hides from them. Invoice lines now show their label only, and the
payment part only the capture mode and status."""

from __future__ import annotations

import pytest

from orders.models import Order
from rules.choices import RuleKind
from tests.apikeys.conftest import order_body
from tests.rules.factories import RuleFactory

pytestmark = pytest.mark.django_db

RULE_NAME = "INTERNAL margin squeeze for small accounts"
PAYMENT_RULE_NAME = "INTERNAL cap risky resellers"
LIMIT = "1234.56"


@pytest.fixture
def internal_rules(db):
    RuleFactory(
        name=RULE_NAME,
        actions=[{"type": "extra_fee", "label": "Gift wrap", "amount": "1.50"}],
    )
    RuleFactory(
        name=PAYMENT_RULE_NAME,
        kind=RuleKind.PAYMENT_CAPTURE,
        actions=[{"type": "capture_now"}, {"type": "max_auto_capture", "amount": LIMIT}],
    )


def _assert_nothing_internal(text: str, payload: dict) -> None:
    assert RULE_NAME not in text
    assert PAYMENT_RULE_NAME not in text
    assert LIMIT not in text
    assert "rule_name" not in text
    assert "max_auto_capture" not in payload["payment"]


def test_placing_and_reading_an_order_shows_labels_not_rule_names(api, listings, internal_rules):
    placed = api.post("/orders", order_body())
    assert placed.status_code == 201, placed.json()
    order = Order.objects.get()
    # The rules did apply: the names and limit are on the order, just not in the answer.
    assert order.invoice_lines.get().rule_name == RULE_NAME
    assert order.max_auto_capture is not None

    read = api.get(f"/orders/{order.pk}")

    for response in (placed, read):
        payload = response.json()
        _assert_nothing_internal(response.content.decode(), payload)
        assert [(line["label"], line["amount"]) for line in payload["invoice"]["lines"]] == [
            ("Gift wrap", "1.50")
        ]
        assert payload["payment"]["capture_mode"] == "capture_now"


def test_the_openapi_document_does_not_offer_the_internal_fields(client):
    schemas = client.get("/api/v1/openapi.json").json()["components"]["schemas"]

    assert "rule_name" not in schemas["InvoiceLineOut"]["properties"]
    assert "max_auto_capture" not in schemas["PaymentOut"]["properties"]
