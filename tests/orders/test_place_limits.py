"""order_place checks lengths and the e-mail itself: it is the one way in, whatever the caller.

PostgreSQL would refuse an over-long value with a DataError (a 500 instead of a message) and
SQLite would store it, so these run on both databases.
"""

from __future__ import annotations

from dataclasses import replace

import pytest

from orders.api import AddressIn, AddressOut, OrderIn
from orders.exceptions import OrderValidationError
from orders.forms import OrderDetailsForm, ShipToForm, ship_to_form_name
from orders.models import NOTE_MAX_LENGTH, SHIP_TO_FIELDS, Order, OrderLine, ship_to_field
from orders.services import ShipTo, order_place
from tests.orders.conftest import SHIP_TO, order_request

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("field", "length", "message"),
    [
        ("name", 151, "Name must be at most 150 characters."),
        ("company", 151, "Company must be at most 150 characters."),
        ("address_line1", 201, "Address line 1 must be at most 200 characters."),
        ("city", 101, "City must be at most 100 characters."),
        ("postal_code", 21, "Postal code must be at most 20 characters."),
        ("phone", 33, "Phone must be at most 32 characters."),
    ],
)
def test_an_over_long_ship_to_field_is_refused_with_its_limit_and_nothing_is_saved(
    reseller, listings, field, length, message
):
    request = order_request(ship_to=replace(SHIP_TO, **{field: "x" * length}))

    with pytest.raises(OrderValidationError) as refused:
        order_place(reseller=reseller, request=request)

    assert (f"shipping_address.{field}", message) in refused.value.errors
    assert not Order.objects.exists()
    assert not OrderLine.objects.exists()


def test_a_ship_to_field_at_its_limit_is_accepted(reseller, listings):
    order = order_place(
        reseller=reseller, request=order_request(ship_to=replace(SHIP_TO, name="x" * 150))
    )

    assert len(order.ship_name) == 150


def test_an_over_long_shipping_method_is_refused(reseller, listings):
    with pytest.raises(OrderValidationError) as refused:
        order_place(reseller=reseller, request=order_request(shipping_method="x" * 101))

    assert ("shipping_method", "Shipping method must be at most 100 characters.") in (
        refused.value.errors
    )
    assert not Order.objects.exists()


def test_a_malformed_ship_to_email_is_refused(reseller, listings):
    request = order_request(ship_to=replace(SHIP_TO, email="not-an-address"))

    with pytest.raises(OrderValidationError) as refused:
        order_place(reseller=reseller, request=request)

    assert (
        "shipping_address.email",
        "Email “not-an-address” is not a valid address.",
    ) in refused.value.errors
    assert not Order.objects.exists()


def test_the_ship_to_field_list_is_defined_once_model_form_and_api_agree():
    names = list(SHIP_TO_FIELDS)
    assert list(ShipTo.__dataclass_fields__) == names
    assert list(AddressIn.model_fields) == names
    assert list(AddressOut.model_fields) == names
    form = ShipToForm()
    assert list(form.fields) == [ship_to_form_name(name) for name in names]
    for name in names:
        column = ship_to_field(name)
        field = form.fields[ship_to_form_name(name)]
        assert field.required == (not column.blank)
        if name != "country_code":  # the service's country check says more than a length
            assert field.max_length == column.max_length
            api_limits = [
                m.max_length
                for m in AddressIn.model_fields[name].metadata
                if hasattr(m, "max_length")
            ]
            assert api_limits == [column.max_length]


def test_the_note_limit_is_one_number_in_portal_api_and_service(reseller, listings):
    assert OrderDetailsForm().fields["note"].max_length == NOTE_MAX_LENGTH
    api_limits = [
        m.max_length for m in OrderIn.model_fields["note"].metadata if hasattr(m, "max_length")
    ]
    assert api_limits == [NOTE_MAX_LENGTH]

    with pytest.raises(OrderValidationError) as refused:
        order_place(reseller=reseller, request=order_request(note="x" * (NOTE_MAX_LENGTH + 1)))
    assert ("note", f"Note must be at most {NOTE_MAX_LENGTH:,} characters.") in refused.value.errors
    assert not Order.objects.exists()

    order = order_place(reseller=reseller, request=order_request(note="x" * NOTE_MAX_LENGTH))
    assert len(order.note) == NOTE_MAX_LENGTH
