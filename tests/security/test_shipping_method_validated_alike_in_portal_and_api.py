"""Issue 11 #11: the API accepted any shipping method while the portal allowed three. Both now
check the one list (orders.choices.SHIPPING_METHODS); the API answers 422 at `shipping_method`."""

from __future__ import annotations

import pytest

from orders.choices import SHIPPING_METHODS
from orders.exceptions import OrderValidationError
from orders.forms import OrderDetailsForm
from orders.models import Order
from tests.apikeys.conftest import order_body

pytestmark = pytest.mark.django_db


def test_the_api_refuses_a_method_the_portal_does_not_offer(api, listings):
    response = api.post("/orders", order_body(shipping_method="Teleport"))

    assert response.status_code == 422
    errors = response.json()["errors"]
    assert [e["field"] for e in errors] == ["shipping_method"]
    assert all(method in errors[0]["message"] for method in SHIPPING_METHODS)
    assert not Order.objects.exists()


@pytest.mark.parametrize("sent", ["ground", "OVERNIGHT", " 2-day "])
def test_the_api_takes_a_listed_method_in_any_case_and_stores_its_listed_spelling(
    api, listings, sent
):
    response = api.post("/orders", order_body(shipping_method=sent))

    assert response.status_code == 201, response.json()
    expected = next(m for m in SHIPPING_METHODS if m.casefold() == sent.strip().casefold())
    assert response.json()["shipping_method"] == expected
    assert Order.objects.get().shipping_method == expected


def test_the_api_may_leave_the_method_out(api, listings):
    body = order_body()
    del body["shipping_method"]

    assert api.post("/orders", body).status_code == 201


def test_the_portal_offers_exactly_the_same_list_and_refuses_others():
    field = OrderDetailsForm.base_fields["shipping_method"]
    form = OrderDetailsForm({"reference_number": "PO-1", "shipping_method": "Teleport"})

    assert [value for value, _label in field.choices] == list(SHIPPING_METHODS)
    assert not form.is_valid()
    assert "shipping_method" in form.errors


def test_the_service_both_paths_share_refuses_an_unlisted_method(reseller, listings):
    from orders.services import order_place
    from tests.rules.conftest import order_request

    request = order_request("PO-9", items=(("SKU-1", 1),), shipping_method="Teleport")
    with pytest.raises(OrderValidationError) as refused:
        order_place(reseller=reseller, request=request, actor=None)

    assert [error.path for error in refused.value.field_errors] == ["shipping_method"]
    assert not Order.objects.exists()
