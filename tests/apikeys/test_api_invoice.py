"""The API's order carries the invoice number, tax, due date and tax exemption; a reseller
reads only its own."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from orders.models import Order
from tests.apikeys.conftest import order_body
from tests.rules.factories import RuleFactory

pytestmark = pytest.mark.django_db

OREGON_TAX = {
    "type": "tax_percent",
    "percent": "10",
    "include_shipping": False,
    "label": "Oregon tax",
}


def test_a_placed_order_answers_with_its_invoice_number_tax_and_due_date(api, reseller, listings):
    RuleFactory(
        conditions=[{"field": "ship_state", "operator": "equals", "value": "OR"}],
        actions=[OREGON_TAX],
    )
    RuleFactory(kind="payment_capture", actions=[{"type": "capture_deferred"}])
    body = api.post("/orders", order_body()).json()
    order = Order.objects.get()
    invoice = body["invoice"]
    assert invoice["invoice_number"] == order.invoice_number
    assert invoice["tax"] == "0.30"  # 10 % of 2 × 1.50
    assert invoice["total"] == "3.30"
    assert [(line["kind"], line["label"]) for line in invoice["lines"]] == [("tax", "Oregon tax")]
    assert invoice["due_date"] == (timezone.localdate() + datetime.timedelta(days=30)).isoformat()
    assert invoice["tax_exemption"] == ""
    assert api.get(f"/orders/{order.pk}").json()["invoice"] == invoice
    assert api.get("/orders").json()["items"][0]["invoice_number"] == order.invoice_number


def test_an_exempt_reseller_is_told_why_no_tax_was_charged(api, reseller, listings):
    reseller.tax_exempt = True
    reseller.tax_exempt_note = "Resale certificate OR-1"
    reseller.save()
    RuleFactory(actions=[OREGON_TAX])
    invoice = api.post("/orders", order_body()).json()["invoice"]
    assert invoice["tax"] == "0.00" and invoice["lines"] == []
    assert "Resale certificate OR-1" in invoice["tax_exemption"]


def test_another_resellers_order_and_invoice_stay_hidden(api, other_api, listings):
    order_id = api.post("/orders", order_body()).json()["id"]
    assert other_api.get(f"/orders/{order_id}").status_code == 404
    assert other_api.get("/orders").json()["items"] == []
