from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from devtools.demo_rules import seed_rules
from orders.choices import CaptureMode, PaymentStatus
from orders.services import order_place
from rules.models import Rule
from tests.factories import ApprovedResellerFactory, ChannelFactory, ListingFactory, ProductFactory
from tests.rules.conftest import order_request

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(channel):
    wholesale = ChannelFactory(slug="wholesale", name="Wholesale")
    product = ProductFactory(sku="MUG-1", weight=Decimal("0.9"))
    ListingFactory(channel=channel, product=product, price=Decimal("10.00"))
    ListingFactory(channel=wholesale, product=product, price=Decimal("8.00"))
    resellers = {
        "reseller@example.com": ApprovedResellerFactory(channel=channel, tier="gold"),
        "active@example.com": ApprovedResellerFactory(channel=channel),
        "wholesale@example.com": ApprovedResellerFactory(channel=wholesale),
    }
    channels = {"retail": channel, "wholesale": wholesale}
    seed_rules(channels=channels, resellers=resellers)
    return channels, resellers


def test_seeding_the_demo_rules_twice_changes_nothing(demo):
    channels, resellers = demo
    before = list(Rule.objects.order_by("id").values())

    seed_rules(channels=channels, resellers=resellers)

    assert list(Rule.objects.order_by("id").values()) == before
    assert len(before) == 9


def test_the_demo_rules_price_each_demo_reseller_as_described(demo):
    _, resellers = demo

    gold = order_place(reseller=resellers["reseller@example.com"], request=order_request("G1"))
    on_terms = order_place(reseller=resellers["active@example.com"], request=order_request("T1"))
    wholesale = order_place(
        reseller=resellers["wholesale@example.com"],
        request=order_request("W1", items=[("MUG-1", 70)]),
    )

    # 2 mugs (1.8 lb): 20.00 + 8.95 shipping + 0.50 gold fee + 8.25 % tax on 28.95 (2.39)
    assert (gold.fees_total, gold.tax, gold.total, gold.payment_status) == (
        Decimal("0.50"),
        Decimal("2.39"),
        Decimal("31.84"),
        PaymentStatus.CAPTURED,
    )
    assert (on_terms.fees_total, on_terms.capture_mode, on_terms.payment_status) == (
        Decimal("2.00"),
        CaptureMode.DEFERRED,
        PaymentStatus.ON_TERMS,
    )
    assert on_terms.due_date == on_terms.created_at.date() + datetime.timedelta(days=30)
    # 70 × 8.00 = 560.00 > 500: free shipping; 5 % credit 28.00; tax-exempt (resale
    # certificate); captured on shipment
    assert (wholesale.shipping_total, wholesale.discount_total, wholesale.total) == (
        Decimal("0.00"),
        Decimal("-28.00"),
        Decimal("534.00"),
    )
    assert wholesale.tax == 0 and "Resale certificate RC-2026-0042" in wholesale.tax_exemption
    assert wholesale.payment_status == PaymentStatus.AUTHORIZED
