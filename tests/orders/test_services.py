from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

import pytest

from orders.choices import OrderStatus
from orders.exceptions import OrderTransitionNotAllowed, OrderValidationError, ResellerCannotOrder
from orders.models import Order, OrderEvent, OrderLine
from orders.services import LineRequest, order_place, order_transition
from resellers.choices import ResellerStatus
from resellers.models import Reseller
from tests.factories import ChannelFactory, ListingFactory, OrderFactory, ProductFactory
from tests.orders.conftest import SHIP_TO, order_request

pytestmark = pytest.mark.django_db


def assert_nothing_saved() -> None:
    assert Order.objects.count() == 0
    assert OrderLine.objects.count() == 0
    assert OrderEvent.objects.count() == 0


def refused_fields(reseller, request) -> list[str]:
    with pytest.raises(OrderValidationError) as caught:
        order_place(reseller=reseller, request=request)
    assert_nothing_saved()
    return [field for field, _ in caught.value.errors]


def test_prices_come_from_the_resellers_channel_listing(reseller, listings):
    other_channel = ChannelFactory(slug="wholesale")
    ListingFactory(channel=other_channel, product=listings[0].product, price="1.00")

    order = order_place(
        reseller=reseller, request=order_request(items=[("SKU-1", 3), ("SKU-2", 1)])
    )

    lines = list(order.lines.order_by("sku"))
    assert [(line.sku, line.unit_price, line.line_total) for line in lines] == [
        ("SKU-1", Decimal("1.50"), Decimal("4.50")),
        ("SKU-2", Decimal("2.50"), Decimal("2.50")),
    ]
    assert order.subtotal == order.total == Decimal("7.00")
    assert order.channel == reseller.channel
    assert order.number == f"SO-{order.pk:07d}"
    assert order.events.get().kind == "created"


def test_the_ship_to_is_cleaned_up(reseller, listings):
    ship_to = replace(SHIP_TO, name="  Jordan  ", country_code="us ")

    order = order_place(reseller=reseller, request=order_request(ship_to=ship_to))

    assert (order.ship_name, order.ship_country) == ("Jordan", "US")


def test_it_refuses_an_unlisted_sku(reseller, listings):
    ProductFactory(sku="NOT-LISTED")

    fields = refused_fields(reseller, order_request(items=[("NOT-LISTED", 1)]))

    assert fields == ["items[0].sku"]


def test_it_refuses_an_inactive_listing(reseller, channel):
    ListingFactory(channel=channel, product=ProductFactory(sku="OFF-1"), is_active=False)

    fields = refused_fields(reseller, order_request(items=[("OFF-1", 1)]))

    assert fields == ["items[0].sku"]


def test_it_refuses_a_sku_listed_only_on_another_channel(reseller):
    ListingFactory(channel=ChannelFactory(slug="wholesale"), product=ProductFactory(sku="WH-1"))

    fields = refused_fields(reseller, order_request(items=[("WH-1", 1)]))

    assert fields == ["items[0].sku"]


@pytest.mark.parametrize("quantity", [0, -3])
def test_it_refuses_a_quantity_below_one(reseller, listings, quantity):
    fields = refused_fields(reseller, order_request(items=[("SKU-1", 2), ("SKU-2", quantity)]))

    assert fields == ["items[1].quantity"]


def test_it_refuses_an_order_without_lines(reseller, listings):
    assert refused_fields(reseller, order_request(items=[])) == ["items"]


def test_it_refuses_the_same_sku_twice(reseller, listings):
    fields = refused_fields(reseller, order_request(items=[("SKU-1", 1), ("SKU-1", 2)]))

    assert fields == ["items[1].sku"]


@pytest.mark.parametrize(
    "field", ["name", "address_line1", "city", "state", "postal_code", "country_code"]
)
def test_it_refuses_a_missing_address_field(reseller, listings, field):
    ship_to = replace(SHIP_TO, **{field: "  "})

    assert refused_fields(reseller, order_request(ship_to=ship_to)) == [f"shipping_address.{field}"]


def test_it_refuses_a_country_that_is_not_a_two_letter_code(reseller, listings):
    ship_to = replace(SHIP_TO, country_code="USA")

    assert refused_fields(reseller, order_request(ship_to=ship_to)) == [
        "shipping_address.country_code"
    ]


def test_it_lists_every_problem_at_once(reseller, listings):
    ship_to = replace(SHIP_TO, city="", postal_code="")
    request = order_request(reference="", items=[("NOPE", 1), ("SKU-1", 0)], ship_to=ship_to)

    fields = refused_fields(reseller, request)

    assert set(fields) == {
        "reference_number",
        "shipping_address.city",
        "shipping_address.postal_code",
        "items[0].sku",
        "items[1].quantity",
    }


def test_it_refuses_a_reference_number_the_reseller_already_used(reseller, listings):
    order_place(reseller=reseller, request=order_request(reference="PO-7"))

    with pytest.raises(OrderValidationError) as caught:
        order_place(reseller=reseller, request=order_request(reference=" PO-7 "))

    assert caught.value.errors[0][0] == "reference_number"
    assert "PO-7" in caught.value.errors[0][1]
    assert Order.objects.count() == 1
    assert OrderLine.objects.count() == 1


def test_two_resellers_may_use_the_same_reference_number(
    reseller, other_reseller_with_user, listings
):
    other, _ = other_reseller_with_user
    order_place(reseller=reseller, request=order_request(reference="PO-7"))

    order_place(reseller=other, request=order_request(reference="PO-7"))

    assert Order.objects.filter(reference_number="PO-7").count() == 2


@pytest.mark.parametrize(
    "status", [ResellerStatus.PENDING, ResellerStatus.DENIED, ResellerStatus.SUSPENDED]
)
def test_a_reseller_that_may_not_order_is_refused(reseller, listings, status):
    reseller.status = status
    reseller.save(update_fields=["status"])

    with pytest.raises(ResellerCannotOrder, match="only approved or active resellers"):
        order_place(reseller=reseller, request=order_request())

    assert_nothing_saved()


def test_the_status_is_read_again_not_taken_from_the_callers_instance(reseller, listings):
    # The caller loaded the reseller earlier in its request; staff suspended it since.
    Reseller.objects.filter(pk=reseller.pk).update(status=ResellerStatus.SUSPENDED)

    with pytest.raises(ResellerCannotOrder, match="suspended"):
        order_place(reseller=reseller, request=order_request())

    assert_nothing_saved()
    assert reseller.status == ResellerStatus.APPROVED  # the caller's instance is left alone


def test_a_channel_changed_since_the_caller_loaded_the_reseller_is_used(reseller, listings):
    wholesale = ChannelFactory(slug="wholesale")
    ListingFactory(channel=wholesale, product=listings[0].product, price="1.00")
    Reseller.objects.filter(pk=reseller.pk).update(channel=wholesale)

    order = order_place(reseller=reseller, request=order_request(items=[("SKU-1", 2)]))

    assert order.channel == wholesale
    assert order.lines.get().unit_price == Decimal("1.00")


def test_a_duplicate_reference_is_reported_once_the_other_problems_are_fixed(reseller, listings):
    # The unique constraint is the duplicate check, so it speaks only when the rest is valid.
    order_place(reseller=reseller, request=order_request(reference="PO-7"))

    assert refused_fields_after(reseller, order_request("PO-7", items=[("NOPE", 1)])) == [
        "items[0].sku"
    ]
    assert refused_fields_after(reseller, order_request("PO-7")) == ["reference_number"]


def refused_fields_after(reseller, request) -> list[str]:
    with pytest.raises(OrderValidationError) as caught:
        order_place(reseller=reseller, request=request)
    assert Order.objects.count() == 1
    return [field for field, _ in caught.value.errors]


def test_the_price_the_caller_never_sends_cannot_be_forged(reseller, listings):
    # LineRequest has no price at all: the only way to set one is the listing.
    assert "price" not in LineRequest.__dataclass_fields__
    order = order_place(reseller=reseller, request=order_request(items=[("SKU-3", 2)]))
    assert order.lines.get().unit_price == Decimal("3.50")


@pytest.mark.parametrize(
    ("start", "target"),
    [
        (OrderStatus.OPEN, OrderStatus.ON_HOLD),
        (OrderStatus.ON_HOLD, OrderStatus.OPEN),
        (OrderStatus.OPEN, OrderStatus.SHIPPED),
        (OrderStatus.SHIPPED, OrderStatus.CLOSED),
        (OrderStatus.ON_HOLD, OrderStatus.CANCELED),
    ],
)
def test_an_allowed_status_change_is_recorded(staff, start, target):
    order = OrderFactory(status=start)

    order_transition(order=order, to_status=target, actor=staff, message="why")

    order.refresh_from_db()
    assert order.status == target
    event = order.events.get()
    assert (event.from_status, event.to_status, event.actor, event.message) == (
        start,
        target,
        staff,
        "why",
    )


@pytest.mark.parametrize(
    ("start", "target"),
    [
        (OrderStatus.SHIPPED, OrderStatus.CANCELED),
        (OrderStatus.CANCELED, OrderStatus.OPEN),
        (OrderStatus.CLOSED, OrderStatus.OPEN),
        (OrderStatus.OPEN, OrderStatus.CLOSED),
    ],
)
def test_a_forbidden_status_change_is_refused_and_not_recorded(staff, start, target):
    order = OrderFactory(status=start)

    with pytest.raises(OrderTransitionNotAllowed):
        order_transition(order=order, to_status=target, actor=staff)

    order.refresh_from_db()
    assert order.status == start
    assert not order.events.exists()


def test_a_reference_number_race_lost_at_the_database_is_reported_as_a_duplicate(
    reseller, listings, monkeypatch
):
    import orders.services

    original = orders.services._validate

    def validate_then_lose_the_race(reseller, request):
        listings_by_sku = original(reseller, request)
        # Another request commits the same reference between our check and our insert.
        OrderFactory(reseller=reseller, reference_number="PO-RACE")
        return listings_by_sku

    monkeypatch.setattr(orders.services, "_validate", validate_then_lose_the_race)

    with pytest.raises(OrderValidationError) as caught:
        order_place(reseller=reseller, request=order_request(reference="PO-RACE"))

    assert caught.value.errors[0][0] == "reference_number"
    assert OrderLine.objects.count() == 0
