from __future__ import annotations

from orders.models import Order
from orders.services import LineRequest, OrderRequest, ShipTo, order_place
from resellers.tasks import activate_reseller

DEMO_SHIP_TO = ShipTo(
    name="Jordan Customer",
    address_line1="742 Evergreen Terrace",
    city="Springfield",
    state="OR",
    postal_code="97403",
    country_code="US",
)

DEMO_ORDERS = {
    # reseller e-mail -> list of (reference, [(sku, quantity)])
    "active@example.com": [
        ("BG-1001", [("TSHIRT-BLK-M", 2), ("MUG-CERAMIC", 1)]),
        ("BG-1002", [("HOODIE-GRY-L", 1)]),
    ],
    "wholesale@example.com": [
        ("CC-5001", [("BOTTLE-STEEL", 24), ("TOTE-CANVAS", 48)]),
        ("CC-5002", [("NOTEBOOK-A5", 120), ("PHONE-CASE", 60)]),
    ],
}


def seed_orders(*, resellers) -> None:
    for email, orders in DEMO_ORDERS.items():
        reseller = resellers[email]
        for reference, items in orders:
            if Order.objects.filter(reseller=reseller, reference_number=reference).exists():
                continue
            order_place(
                reseller=reseller,
                request=OrderRequest(
                    reference_number=reference,
                    ship_to=DEMO_SHIP_TO,
                    items=[LineRequest(sku=sku, quantity=quantity) for sku, quantity in items],
                    note="Gift wrap, please." if reference.endswith("1") else "",
                ),
            )
        # Demo data should not depend on a worker being up.
        activate_reseller.apply(args=[reseller.pk])
