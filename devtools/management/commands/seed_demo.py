"""Idempotent demo data: run it as often as you like, it converges on the same data set."""

from __future__ import annotations

from decimal import Decimal

from django.core.management.base import BaseCommand
from django.db import transaction

from accounts.models import User
from channels.models import Channel, Listing, Product
from resellers.choices import ResellerStatus
from resellers.models import Reseller
from resellers.services import (
    reseller_approve,
    reseller_deny,
    reseller_signup,
    reseller_suspend,
)

DEMO_PASSWORD = "demo-password-2026"
STAFF_EMAIL = "staff@example.com"

CHANNELS = [
    {"slug": "retail", "name": "Retail Dropship", "currency": "USD", "is_default": True},
    {"slug": "wholesale", "name": "Wholesale", "currency": "USD", "is_default": False},
]

PRODUCTS = [
    # sku, title, cost, msrp, weight, retail price, wholesale price
    ("TSHIRT-BLK-M", "Organic T-shirt, black, M", "6.10", "24.00", "0.40", "14.50", "11.00"),
    ("TSHIRT-WHT-L", "Organic T-shirt, white, L", "6.10", "24.00", "0.42", "14.50", "11.00"),
    ("MUG-CERAMIC", "Ceramic mug 350 ml", "2.80", "14.00", "0.90", "8.25", "6.40"),
    ("BOTTLE-STEEL", "Steel water bottle 750 ml", "7.50", "32.00", "0.75", "18.90", "15.00"),
    ("TOTE-CANVAS", "Canvas tote bag", "3.20", "18.00", "0.30", "9.75", "7.50"),
    ("CAP-NAVY", "Baseball cap, navy", "4.40", "22.00", "0.25", "12.00", "9.20"),
    ("HOODIE-GRY-L", "Hoodie, heather grey, L", "14.00", "58.00", "1.10", "32.00", "26.00"),
    ("SOCKS-3PK", "Merino socks, 3-pack", "5.10", "27.00", "0.35", "15.50", "12.10"),
    ("NOTEBOOK-A5", "Dot-grid notebook A5", "2.10", "12.00", "0.45", "6.90", "5.10"),
    ("PHONE-CASE", "Recycled phone case", "3.00", "25.00", "0.10", "11.50", "8.80"),
]

RESELLERS = [
    # email, company, contact, target status, channel slug, tier
    ("reseller@example.com", "Acme Outfitters", "Ada Reseller", "approved", "retail", "gold"),
    ("active@example.com", "Bright Goods Co", "Ben Active", "active", "retail", ""),
    ("wholesale@example.com", "Crate & Carton", "Cleo Wholesale", "active", "wholesale", ""),
    ("pending@example.com", "Dune Supply", "Dan Pending", "pending", "", ""),
    ("denied@example.com", "Echo Resale", "Eve Denied", "denied", "", ""),
    ("suspended@example.com", "Fjord Traders", "Finn Suspended", "suspended", "retail", ""),
]


class Command(BaseCommand):
    help = "Load demo channels, products, listings, rules, resellers in every status and orders."

    @transaction.atomic
    def handle(self, *args, **options) -> None:
        staff = self._staff()
        channels = self._catalog()
        resellers = self._resellers(staff, channels)
        self._extras(channels=channels, resellers=resellers)
        self.stdout.write(self.style.SUCCESS("Demo data ready."))
        self.stdout.write(f"  Staff login:    {STAFF_EMAIL} / {DEMO_PASSWORD}")
        self.stdout.write(f"  Reseller login: reseller@example.com / {DEMO_PASSWORD}")
        self.stdout.write(
            "  Other resellers (same password): active@, wholesale@, pending@, denied@, "
            "suspended@example.com"
        )

    def _staff(self) -> User:
        staff, created = User.objects.get_or_create(
            email=STAFF_EMAIL,
            defaults={"full_name": "Sam Staff", "is_staff": True, "is_superuser": True},
        )
        if created:
            staff.set_password(DEMO_PASSWORD)
            staff.save(update_fields=["password"])
        return staff

    def _catalog(self) -> dict[str, Channel]:
        channels = {}
        for spec in CHANNELS:
            channel, _ = Channel.objects.get_or_create(slug=spec["slug"], defaults=spec)
            channels[spec["slug"]] = channel
        for sku, title, cost, msrp, weight, retail, wholesale in PRODUCTS:
            product, _ = Product.objects.get_or_create(
                sku=sku,
                defaults={
                    "title": title,
                    "description": f"{title}. Ships in 1–2 business days.",
                    "cost": Decimal(cost),
                    "msrp": Decimal(msrp),
                    "weight": Decimal(weight),
                    "stock": 500,
                },
            )
            for slug, price in (("retail", retail), ("wholesale", wholesale)):
                Listing.objects.get_or_create(
                    channel=channels[slug], product=product, defaults={"price": Decimal(price)}
                )
        return channels

    def _resellers(self, staff: User, channels: dict[str, Channel]) -> dict[str, Reseller]:
        resellers = {}
        for email, company, contact, status, slug, tier in RESELLERS:
            user = User.objects.filter(email=email).first()
            if user is None:
                user = reseller_signup(
                    company_name=company,
                    contact_name=contact,
                    email=email,
                    password=DEMO_PASSWORD,
                    phone="+1 555 0100",
                    website=f"https://{company.split()[0].lower()}.example.com",
                    address_line1="1 Market Street",
                    city="Springfield",
                    state="IL",
                    postal_code="62701",
                    country="US",
                )
                reseller = user.reseller
                if tier:
                    reseller.tier = tier
                    reseller.save(update_fields=["tier"])
                if status in ("approved", "active", "suspended"):
                    reseller_approve(reseller=reseller, actor=staff, channel=channels[slug])
                if status == "suspended":
                    reseller_suspend(
                        reseller=reseller, actor=staff, reason="Unpaid invoices over 60 days."
                    )
                if status == "denied":
                    reseller_deny(
                        reseller=reseller,
                        actor=staff,
                        reason="We only work with registered businesses; no tax ID was given.",
                    )
            reseller = user.reseller
            reseller.refresh_from_db()
            resellers[email] = reseller
            assert (
                status == "active"
                or reseller.status == status
                or reseller.status in (ResellerStatus.ACTIVE,)
            ), f"{email} is {reseller.status}"
        return resellers

    def _extras(self, *, channels, resellers) -> None:
        """Rules and orders, added by the apps that own them."""
        from devtools.demo_orders import seed_orders
        from devtools.demo_rules import seed_rules

        seed_rules(channels=channels, resellers=resellers)
        seed_orders(resellers=resellers)
