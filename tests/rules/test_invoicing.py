"""Placing an order runs the rules: the invoice and the capture decision are stored with it."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from orders.choices import CaptureMode, OrderSource, PaymentStatus
from orders.models import Order
from orders.services import order_place
from tests.conftest import make_reseller_user
from tests.orders.conftest import pad_post
from tests.rules.conftest import order_request
from tests.rules.factories import RuleFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo_like_rules(channel, reseller):
    return {
        "fee": RuleFactory(
            name="Dropship fee", actions=[{"type": "dropship_fee_per_order", "amount": "2.00"}]
        ),
        "shipping": RuleFactory(
            name="Shipping",
            actions=[
                {
                    "type": "shipping_weight_tiers",
                    "tiers": [{"up_to": "1", "amount": "4.95"}, {"up_to": None, "amount": "9.95"}],
                }
            ],
        ),
        "credit": RuleFactory(
            name="Loyalty",
            scope="reseller",
            reseller=reseller,
            actions=[{"type": "credit_percent", "percent": "5", "label": "Loyalty credit"}],
        ),
        "terms": RuleFactory(
            name="Retail on shipment",
            kind="payment_capture",
            scope="channel",
            channel=channel,
            actions=[{"type": "capture_on_shipment"}],
        ),
    }


def invoice_of(order: Order) -> dict:
    return {
        "lines": [
            (line.kind, line.label, line.amount, line.rule_id, line.rule_name)
            for line in order.invoice_lines.order_by("id")
        ],
        "totals": (
            order.subtotal,
            order.shipping_total,
            order.fees_total,
            order.other_total,
            order.discount_total,
            order.total,
        ),
        "payment": (order.capture_mode, order.max_auto_capture, order.payment_status),
    }


def test_placing_an_order_stores_the_invoice_and_the_capture_decision(
    reseller, catalog, demo_like_rules
):
    order = order_place(reseller=reseller, request=order_request("PO-1", items=[("MUG-1", 2)]))

    order.refresh_from_db()
    rules = demo_like_rules
    assert invoice_of(order) == {
        "lines": [
            ("shipping", "Shipping (by weight)", Decimal("9.95"), rules["shipping"].pk, "Shipping"),
            ("fee", "Dropship fee", Decimal("2.00"), rules["fee"].pk, "Dropship fee"),
            ("discount", "Loyalty credit", Decimal("-1.25"), rules["credit"].pk, "Loyalty"),
        ],
        # 2 × 12.50 = 25.00; + 9.95 + 2.00 − 1.25
        "totals": (
            Decimal("25.00"),
            Decimal("9.95"),
            Decimal("2.00"),
            Decimal("0.00"),
            Decimal("-1.25"),
            Decimal("35.70"),
        ),
        "payment": (CaptureMode.ON_SHIPMENT, None, PaymentStatus.AUTHORIZED),
    }


def test_an_order_with_no_rules_pays_its_merchandise_and_is_captured(reseller, catalog):
    order = order_place(reseller=reseller, request=order_request("PO-1"))

    assert (order.total, order.invoice_lines.count()) == (Decimal("25.00"), 0)
    assert (order.capture_mode, order.payment_status) == (
        CaptureMode.CAPTURE_NOW,
        PaymentStatus.CAPTURED,
    )


def test_an_order_over_the_auto_capture_limit_awaits_capture(reseller, catalog):
    RuleFactory(
        kind="payment_capture",
        actions=[{"type": "capture_now"}, {"type": "max_auto_capture", "amount": "20.00"}],
    )

    order = order_place(reseller=reseller, request=order_request("PO-1"))

    order.refresh_from_db()
    assert (order.max_auto_capture, order.payment_status) == (
        Decimal("20.00"),
        PaymentStatus.AWAITING_CAPTURE,
    )


@pytest.mark.parametrize("source", [OrderSource.API, OrderSource.INVENTORY_SOURCE])
def test_source_conditions_see_where_the_order_came_from(reseller, catalog, source):
    RuleFactory(
        name="API handling",
        conditions=[{"field": "source", "operator": "in", "value": ["api", "inventory_source"]}],
        actions=[{"type": "extra_fee", "label": "API handling", "amount": "0.25"}],
    )

    via_api = order_place(reseller=reseller, request=order_request("A", source=source))
    via_portal = order_place(reseller=reseller, request=order_request("B"))

    assert via_api.other_total == Decimal("0.25")
    assert via_portal.other_total == Decimal("0.00")


def test_the_rule_query_count_does_not_grow_with_the_number_of_rules(reseller, catalog):
    RuleFactory()
    with CaptureQueriesContext(connection) as few:
        order_place(reseller=reseller, request=order_request("PO-1"))
    for index in range(40):
        RuleFactory(
            name=f"Extra {index}", actions=[{"type": "extra_fee", "label": "X", "amount": "1"}]
        )
    with CaptureQueriesContext(connection) as many:
        order = order_place(reseller=reseller, request=order_request("PO-2"))

    assert len(many.captured_queries) == len(few.captured_queries)
    assert order.invoice_lines.count() == 41
    rule_queries = [q for q in many.captured_queries if '"rules_rule"' in q["sql"]]
    assert len(rule_queries) == 1


def test_the_portal_and_the_service_give_the_same_invoice(client, channel, catalog, ship_to_post):
    reseller, user = make_reseller_user(channel=channel, tier="gold")
    RuleFactory(name="Dropship fee", priority=100)
    RuleFactory(
        name="Gold fee",
        priority=10,
        conditions=[{"field": "reseller_tag", "operator": "contains", "value": "gold"}],
        actions=[{"type": "dropship_fee_per_order", "amount": "0.50"}],
    )
    RuleFactory(
        name="Ground",
        conditions=[{"field": "shipping_method", "operator": "equals", "value": "ground"}],
        actions=[{"type": "shipping_per_item", "amount": "1.10"}],
    )
    RuleFactory(
        name="Mug credit",
        scope="reseller",
        reseller=reseller,
        conditions=[{"field": "sku", "operator": "contains", "value": "MUG-1"}],
        actions=[{"type": "credit_percent", "percent": "7.5"}],
    )
    RuleFactory(
        name="Ask first",
        kind="payment_capture",
        scope="reseller",
        reseller=reseller,
        actions=[{"type": "capture_reseller_authorization"}],
    )
    client.force_login(user)

    response = client.post(
        reverse("portal:order_create"),
        pad_post([("MUG-1", 3), ("CAP-1", 2)], reference="PORTAL-1", ship_to=ship_to_post),
    )
    assert response.status_code == 302
    via_portal = Order.objects.get(reference_number="PORTAL-1")
    via_service = order_place(
        reseller=reseller,
        request=order_request(
            "SERVICE-1", items=[("MUG-1", 3), ("CAP-1", 2)], shipping_method="Ground"
        ),
    )

    via_service.refresh_from_db()
    assert via_portal.source == via_service.source == "portal"
    assert invoice_of(via_portal) == invoice_of(via_service)
    # 53.50 merchandise + 5 × 1.10 shipping + 0.50 gold fee − 7.5 % (4.0125 → 4.01)
    assert invoice_of(via_portal)["totals"][-1] == Decimal("55.49")
    assert via_portal.payment_status == PaymentStatus.AWAITING_AUTHORIZATION


def test_the_portal_order_page_shows_labels_but_not_rule_names(reseller_client, reseller, catalog):
    RuleFactory(
        name="Secret margin rule",
        actions=[{"type": "extra_fee", "label": "Handling", "amount": "1.00"}],
    )
    order = order_place(reseller=reseller, request=order_request("PO-1"))

    page = reseller_client.get(reverse("portal:order_detail", args=[order.pk])).content.decode()

    assert "Handling" in page
    assert "Secret margin rule" not in page
    assert "Auto-capture limit" not in page
    assert "Captured" in page


def test_the_staff_order_page_names_the_rule_behind_each_line(staff_client, reseller, catalog):
    rule = RuleFactory(
        name="Secret margin rule",
        actions=[{"type": "extra_fee", "label": "Handling", "amount": "1.00"}],
    )
    order = order_place(reseller=reseller, request=order_request("PO-1"))

    page = staff_client.get(reverse("backoffice:order_detail", args=[order.pk])).content.decode()

    assert "Handling" in page
    assert (
        f'<a href="{reverse("backoffice:rule_edit", args=[rule.pk])}">Secret margin rule</a>'
        in page
    )
    assert "Discounts and credits" in page
