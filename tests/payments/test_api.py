"""The JSON API's payment fields: orders show where their payment stands; the account says
whether a card is on file. Internal rule data stays out."""

from __future__ import annotations

from decimal import Decimal

import pytest

from payments.models import PaymentMethod
from tests.factories import OrderFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def api_key(reseller):
    from apikeys.services import apikey_create

    return apikey_create(reseller=reseller, name="test", actor=None)[1]


def get(client, key, path):
    return client.get(f"/api/v1{path}", HTTP_X_API_TOKEN=key)


def test_an_order_shows_its_payment(client, reseller, api_key):
    order = OrderFactory(
        reseller=reseller,
        channel=reseller.channel,
        payment_status="partially_refunded",
        amount_captured=Decimal("42.00"),
        amount_refunded=Decimal("2.50"),
        last_payment_error="Your card was declined.",
        max_auto_capture=Decimal("100.00"),
    )

    payment = get(client, api_key, f"/orders/{order.pk}").json()["payment"]

    assert payment == {
        "capture_mode": order.capture_mode,
        "payment_status": "partially_refunded",
        "amount_captured": "42.00",
        "amount_refunded": "2.50",
        "last_payment_error": "Your card was declined.",
    }


def test_the_account_says_whether_a_card_is_on_file(client, reseller, api_key):
    assert get(client, api_key, "/account").json()["payment_method_on_file"] is False

    PaymentMethod.objects.create(
        reseller=reseller,
        gateway_id="pm_1",
        brand="visa",
        last4="4242",
        exp_month=12,
        exp_year=2030,
        is_default=True,
    )

    assert get(client, api_key, "/account").json()["payment_method_on_file"] is True


def test_another_resellers_card_does_not_count(client, api_key, other_reseller_with_user):
    PaymentMethod.objects.create(
        reseller=other_reseller_with_user[0],
        gateway_id="pm_2",
        brand="visa",
        last4="1881",
        exp_month=1,
        exp_year=2031,
        is_default=True,
    )

    assert get(client, api_key, "/account").json()["payment_method_on_file"] is False
