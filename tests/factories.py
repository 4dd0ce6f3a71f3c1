from __future__ import annotations

from decimal import Decimal

import factory
from factory.django import DjangoModelFactory

from accounts.models import User
from channels.models import Channel, Listing, Product
from resellers.choices import ResellerStatus
from resellers.models import Reseller

PASSWORD = "a-Strong-password-2026"


class ChannelFactory(DjangoModelFactory):
    class Meta:
        model = Channel
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Channel {n}")
    slug = factory.Sequence(lambda n: f"channel-{n}")
    currency = "USD"
    is_active = True


class ResellerFactory(DjangoModelFactory):
    class Meta:
        model = Reseller

    company_name = factory.Sequence(lambda n: f"Company {n}")
    contact_name = factory.Faker("name")
    email = factory.Sequence(lambda n: f"reseller{n}@example.com")
    status = ResellerStatus.PENDING
    country = "US"


class ApprovedResellerFactory(ResellerFactory):
    status = ResellerStatus.APPROVED
    channel = factory.SubFactory(ChannelFactory)


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.com")
    full_name = factory.Faker("name")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def save_password(obj, create, extracted, **kwargs):  # noqa: N805
        if create:
            obj.save()


class StaffFactory(UserFactory):
    is_staff = True


class ProductFactory(DjangoModelFactory):
    class Meta:
        model = Product

    sku = factory.Sequence(lambda n: f"SKU-{n:05d}")
    title = factory.Sequence(lambda n: f"Product {n}")
    cost = Decimal("4.00")
    msrp = Decimal("20.00")
    weight = Decimal("0.500")
    stock = 100


class ListingFactory(DjangoModelFactory):
    class Meta:
        model = Listing

    channel = factory.SubFactory(ChannelFactory)
    product = factory.SubFactory(ProductFactory)
    price = Decimal("10.00")
    is_active = True


class OrderFactory(DjangoModelFactory):
    """A bare order row, for list and isolation tests; use order_place to test placing."""

    class Meta:
        model = "orders.Order"
        skip_postgeneration_save = True

    reseller = factory.SubFactory(ApprovedResellerFactory)
    channel = factory.SelfAttribute("reseller.channel")
    reference_number = factory.Sequence(lambda n: f"PO-{n:05d}")
    source = "portal"
    ship_name = "Jordan Customer"
    ship_address_line1 = "742 Evergreen Terrace"
    ship_city = "Springfield"
    ship_state = "OR"
    ship_postal_code = "97403"
    ship_country = "US"
    subtotal = Decimal("10.00")
    total = Decimal("10.00")


class OrderLineFactory(DjangoModelFactory):
    class Meta:
        model = "orders.OrderLine"

    order = factory.SubFactory(OrderFactory)
    sku = factory.Sequence(lambda n: f"SKU-{n:05d}")
    title = factory.Sequence(lambda n: f"Product {n}")
    quantity = 1
    unit_price = Decimal("10.00")
    line_total = factory.LazyAttribute(lambda line: Decimal(line.unit_price) * line.quantity)
